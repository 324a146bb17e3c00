"""Fill the demo city with community social organisations, made through the services: an incubation base for each
street of the first inhabited communities; in each community a set of community social organisations across the "5+X"
fields (the first community above the ≥ 15 target, the others short of it), volunteer teams, cultural groups, one not
yet filed and one dissolved; members with leaders and party members; and incubation records in every state.

Dates are relative to today; the same seed gives the same organisations.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from time import perf_counter
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.demo.build import demo_staff
from gridwork.demo.fill import DemoFillCommand
from gridwork.demo.identifiers import mobile_number
from gridwork.demo.plan import CITY_CODE, DEFAULT_SEED
from gridwork.places.models import Place, PlaceLevel
from gridwork.socialorgs import services
from gridwork.socialorgs.flows import IncubationAction
from gridwork.socialorgs.models import (
    FilingStatus,
    Incubation,
    IncubationBase,
    Member,
    MemberRole,
    Organisation,
    OrgKind,
    ServiceField,
)
from gridwork.socialorgs.services import BaseInput, MemberInput, OrganisationInput

MAX_COMMUNITIES = 4
# The first community has this many counting organisations (above the target of 15); the others fewer.
COUNTING = (17, 11, 15, 8)

SOCIAL_ORGS: tuple[tuple[str, str, str], ...] = (
    ("夕阳红助老服务社", ServiceField.ELDERLY_CARE, "助餐、陪伴、上门探访独居老人"),
    ("银龄互助会", ServiceField.ELDERLY_CARE, "低龄老人结对帮扶高龄老人"),
    ("四点半课堂", ServiceField.CHILDREN_YOUTH, "放学后课业辅导和托管"),
    ("青少年成长营", ServiceField.CHILDREN_YOUTH, "暑期活动、心理陪伴"),
    ("阳光助残服务站", ServiceField.DISABILITY, "康复陪护、就业帮扶"),
    ("邻里和事佬调解队", ServiceField.MEDIATION, "邻里纠纷调解、楼栋议事"),
    ("楼栋长联谊会", ServiceField.MEDIATION, "楼栋事务协商"),
    ("爱心帮扶协会", ServiceField.CHARITY, "困难家庭帮扶、物资募集"),
    ("慈善超市志愿社", ServiceField.CHARITY, "慈善超市运营"),
    ("书画协会", ServiceField.CULTURE_SPORT, "书法绘画交流"),
    ("健身气功协会", ServiceField.CULTURE_SPORT, "健身气功晨练"),
    ("绿色家园环保社", ServiceField.ENVIRONMENT, "垃圾分类宣传、环境整治"),
    ("护河行动队", ServiceField.ENVIRONMENT, "河道巡护"),
    ("法律服务社", ServiceField.OTHER, "法律咨询"),
    ("平安巡逻协会", ServiceField.OTHER, "治安巡逻"),
    ("家政技能互助社", ServiceField.OTHER, "家政技能培训"),
    ("读书会", ServiceField.CULTURE_SPORT, "亲子阅读、读书分享"),
    ("健康教育服务社", ServiceField.ELDERLY_CARE, "健康讲座、慢病管理"),
)
TEAMS = (("党员志愿服务队", ServiceField.OTHER), ("巾帼志愿服务队", ServiceField.CHARITY))
GROUPS = (("老年合唱团", ServiceField.CULTURE_SPORT), ("广场舞队", ServiceField.CULTURE_SPORT))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("秀兰", "建国", "桂英", "志强", "丽华", "海燕", "明", "芳", "伟", "静", "军", "红梅")
MENTORS = ("贵阳市社会组织服务中心 王老师", "街道社工站 李督导", "高校社工系 张老师")


@dataclass
class Summary:
    communities: list[str] = field(default_factory=list)
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def demo_socialorgs_exists() -> bool:
    return Organisation.objects.exists() or IncubationBase.objects.exists()


class _Demo:
    def __init__(self, *, seed: int, limit: int, log: Callable[[str], Any]) -> None:
        self.seed, self.limit, self.log = seed, limit, log
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.numbers = 0

    def rng(self, *key: object) -> random.Random:
        return random.Random(":".join(str(part) for part in (self.seed, "socialorgs", *key)))

    def communities(self) -> list[tuple[Place, Place, User, User]]:
        city = Place.objects.filter(code=CITY_CODE).first()
        if city is None:
            return []
        inhabited = set(
            Place.objects.filter(level=PlaceLevel.GRID, path__startswith=city.path, households__gt=0).values_list(
                "parent_id", flat=True
            )
        )
        chosen: list[tuple[Place, Place, User, User]] = []
        for place in Place.objects.filter(level=PlaceLevel.COMMUNITY, pk__in=inhabited).order_by("code"):
            if len(chosen) >= self.limit:
                break
            street = Place.objects.get(pk=place.parent_id or 0)
            staff = demo_staff(Role.COMMUNITY_STAFF, place)
            street_staff = demo_staff(Role.STREET_STAFF, street)
            if staff is not None and street_staff is not None:
                chosen.append((place, street, staff, street_staff))
        return chosen

    def person(self, rng: random.Random) -> str:
        return rng.choice(SURNAMES) + rng.choice(GIVEN)

    def organisation(
        self, actor: User, place: Place, name: str, *, kind: str, service_field: str, filing: str, services_text: str
    ) -> Organisation:
        rng = self.rng("org", place.code, name)
        number = ""
        if filing == FilingStatus.REGISTERED:
            self.numbers += 1
            number = f"5{place.code[:5]}MJ{self.seed % 1000:03d}{self.numbers:06d}"[:18]
        founded = self.today - timedelta(days=rng.randint(400, 3000))
        organisation = services.organisation_create(
            actor=actor,
            values=OrganisationInput(
                name=name,
                kind=kind,
                service_field=service_field,
                place=place,
                filing=filing,
                registration_number=number,
                founded_on=founded,
                contact_name=self.person(rng),
                contact_phone=mobile_number(rng),
                services=services_text,
            ),
            today=self.today,
        )
        for index in range(rng.randint(3, 7)):
            joined = founded + timedelta(days=rng.randint(0, 300))
            member = services.member_add(
                actor=actor,
                organisation=organisation,
                values=MemberInput(
                    name=self.person(rng),
                    role=MemberRole.LEADER if index == 0 else rng.choice([MemberRole.MEMBER, MemberRole.VOLUNTEER]),
                    joined_on=joined,
                    is_party_member=index == 0 or rng.random() < 0.3,
                    phone=mobile_number(rng),
                ),
                today=self.today,
            )
            if index > 2 and rng.random() < 0.25:
                services.member_leave(
                    actor=actor,
                    member=member,
                    left_on=min(self.today, joined + timedelta(days=rng.randint(30, 300))),
                    today=self.today,
                )
        return organisation

    def incubate(self, actor: User, organisation: Organisation, base: IncubationBase, stage: int) -> None:
        """Stage 0: entered; 1: mentoring; 2: graduated; 3: withdrawn."""
        rng = self.rng("incubation", organisation.pk)
        entered = self.today - timedelta(days=rng.randint(60, 300))
        entered = max(entered, organisation.founded_on or entered)
        incubation = services.incubation_enter(
            actor=actor, organisation=organisation, base=base, entered_on=entered, notes=_("Demo incubation.")
        )
        if stage in (1, 2):
            services.incubation_move(
                actor=actor,
                incubation=incubation,
                action=IncubationAction.MENTOR,
                on=entered + timedelta(days=14),
                mentor=rng.choice(MENTORS),
            )
        if stage == 2:
            services.incubation_move(
                actor=actor, incubation=incubation, action=IncubationAction.GRADUATE, on=entered + timedelta(days=50)
            )
        if stage == 3:
            services.incubation_move(
                actor=actor, incubation=incubation, action=IncubationAction.WITHDRAW, on=entered + timedelta(days=20)
            )

    def build(self) -> Summary:
        started = perf_counter()
        summary = Summary()
        chosen = self.communities()
        if not chosen:
            self.log("No community of the demo city has staff: nothing to do.")
            return summary
        bases: dict[int, IncubationBase] = {}
        for index, (place, street, staff, street_staff) in enumerate(chosen):
            if street.pk not in bases:
                bases[street.pk] = services.base_create(
                    actor=street_staff,
                    values=BaseInput(
                        name=f"{street.name}社会组织孵化基地", place=street, address=street.address or street.name
                    ),
                )
            counting = COUNTING[index % len(COUNTING)]
            made: list[Organisation] = []
            plan: list[tuple[str, str, str, str, str]] = [
                (
                    label,
                    OrgKind.SOCIAL_ORG,
                    service_field,
                    FilingStatus.REGISTERED if number % 3 == 0 else FilingStatus.FILED,
                    text,
                )
                for number, (label, service_field, text) in enumerate(SOCIAL_ORGS[:counting])
            ]
            plan.append(("手工坊", OrgKind.SOCIAL_ORG, ServiceField.OTHER, FilingStatus.UNFILED, "手工编织"))
            plan += [(label, OrgKind.VOLUNTEER_TEAM, area, FilingStatus.FILED, "") for label, area in TEAMS]
            plan += [(label, OrgKind.CULTURAL_GROUP, area, FilingStatus.UNFILED, "") for label, area in GROUPS]
            plan.append(("象棋协会", OrgKind.CULTURAL_GROUP, ServiceField.CULTURE_SPORT, FilingStatus.FILED, ""))
            for label, kind, service_field, filing, text in plan:
                made.append(
                    self.organisation(
                        staff,
                        place,
                        f"{place.name}{label}",
                        kind=kind,
                        service_field=service_field,
                        filing=filing,
                        services_text=text,
                    )
                )
            for stage, organisation in enumerate(made[counting - 4 : counting]):
                self.incubate(staff, organisation, bases[street.pk], stage)
            gone = made[-1]
            services.organisation_dissolve(
                actor=staff,
                organisation=gone,
                dissolved_on=self.today - timedelta(days=30),
                reason=_("The members moved away."),
            )
            summary.communities.append(place.name)
        summary.seconds = perf_counter() - started
        summary.counts = {
            "incubation bases": IncubationBase.objects.count(),
            "organisations": Organisation.objects.count(),
            "  of which dissolved": Organisation.objects.filter(dissolved_on__isnull=False).count(),
            "members": Member.objects.count(),
            "incubations": Incubation.objects.count(),
        }
        return summary


class Command(DemoFillCommand):
    help = (
        "Fill the demo city with community social organisations, volunteer teams and cultural groups, their members, "
        "a street incubation base and incubation records, all made through the services."
    )
    default_seed = DEFAULT_SEED
    max_communities = MAX_COMMUNITIES
    seed_help = "the same seed gives the same organisations"
    if_empty_help = "do nothing when social organisations exist already"
    debug_help = "build even though DEBUG is off: the demo organisations carry made-up names and phone numbers"
    debug_refusal = gettext_lazy(
        "DEBUG is off, so this may be a production database. The demo organisations carry made-up names and phone "
        "numbers; add --allow-without-debug if you really want them here."
    )
    there_already = gettext_lazy("Social organisations are there already: nothing is added.")
    cannot_again = gettext_lazy(
        "Social organisations exist already; incubation histories cannot be deleted. Rebuild the demo database (make "
        "demo) to fill it again."
    )
    filling = gettext_lazy("Filling the demo city with social organisations (seed %(seed)d)…")

    def exists(self) -> bool:
        return demo_socialorgs_exists()

    def build(self, *, seed: int, communities: int, log: Callable[[str], Any]) -> Summary:
        return _Demo(seed=seed, limit=communities, log=log).build()

    def after(self, summary: Any) -> None:
        self.stdout.write(
            self.style.SUCCESS(_("Social organisations: %(url)s") % {"url": reverse("socialorgs:organisation-list")})
        )
        self.stdout.write(_("Figures against the target: %(url)s") % {"url": reverse("socialorgs:figures")})
