"""Fill the demo city with its estates (小区) and their owners' committees, made through the services: three to five
estates in each of the first inhabited communities (one an open block that needs no committee), each with its grids;
most with an active committee — members (party members among them, a community leader on most: 交叉任职), a party
organisation inside or a party liaison, a meeting with its decision, a duty notice (履职公示) — one still forming, and
one whose election falls within 90 days so the daily warning has something to say. Some gaps are left on purpose so
the coverage rates are not all 100 %.

Everything is dated relative to today; the same seed gives the same estates.
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
from gridwork.estates import services
from gridwork.estates.models import (
    Committee,
    CommitteeKind,
    CommitteeMember,
    DutyNotice,
    Estate,
    EstateKind,
    MemberRole,
)
from gridwork.estates.services import CommitteeInput, DecisionInput, EstateInput, MeetingInput, MemberInput
from gridwork.party.models import PartyMember, PartyOrganisation
from gridwork.places.models import Place, PlaceLevel

MAX_COMMUNITIES = 4
ESTATE_NAMES = ("锦绣花园", "阳光小区", "和平里", "翠湖苑", "幸福家园", "金桂园", "东方明珠苑", "枫林雅居")
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高"
GIVEN = "明华建国秀英丽娟志强海燕玉兰伟军桂芳德胜"
NOTICES = (
    ("第一季度履职情况公示", "本季度召开业委会会议3次，督促物业完成电梯维保、楼道清理，收支情况见公告栏。"),
    ("维修资金使用情况公示", "经业主大会表决，使用专项维修资金更换2号楼屋面防水，费用明细附后。"),
)
TOPICS = (
    ("停车位划分方案", "同意按楼栋划分停车区域，试行三个月。"),
    ("物业服务合同续签", "同意与现物业公司续签一年，服务标准按合同附件执行。"),
    ("加装电梯意见征集", "同意启动3号楼加装电梯意见征集。"),
)


@dataclass
class Summary:
    communities: list[str] = field(default_factory=list)
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def demo_estates_exists() -> bool:
    return Estate.objects.exists()


def demo_estates_counts() -> dict[str, int]:
    counts = {
        "estates": Estate.objects.count(),
        "committees": Committee.objects.count(),
        "committee members": CommitteeMember.objects.count(),
        "duty notices": DutyNotice.objects.count(),
    }
    for state in ("forming", "active"):
        counts[f"  committees {state}"] = Committee.objects.filter(state=state).count()
    return counts


class _Demo:
    def __init__(self, *, seed: int, limit: int, log: Callable[[str], Any]) -> None:
        self.seed, self.limit, self.log = seed, limit, log
        self.today = timezone.localdate()

    def rng(self, *key: object) -> random.Random:
        return random.Random(":".join(str(part) for part in (self.seed, "estates", *key)))

    def name(self, rng: random.Random) -> str:
        return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))

    def communities(self) -> list[tuple[Place, User]]:
        city = Place.objects.filter(code=CITY_CODE).first()
        if city is None:
            return []
        inhabited = set(
            Place.objects.filter(level=PlaceLevel.GRID, path__startswith=city.path, households__gt=0).values_list(
                "parent_id", flat=True
            )
        )
        chosen: list[tuple[Place, User]] = []
        for place in Place.objects.filter(level=PlaceLevel.COMMUNITY, pk__in=inhabited).order_by("code"):
            if len(chosen) >= self.limit:
                break
            staff = demo_staff(Role.COMMUNITY_STAFF, place)
            if staff is not None:
                chosen.append((place, staff))
        return chosen

    def estates(self, community: Place, staff: User) -> list[Estate]:
        rng = self.rng(community.code)
        grids = list(Place.objects.filter(level=PlaceLevel.GRID, parent=community).order_by("code"))
        count = rng.randint(3, 5)
        names = rng.sample(ESTATE_NAMES, count)
        made = []
        for index, name in enumerate(names):
            kind = (
                EstateKind.OPEN_BLOCK
                if index == count - 1
                else rng.choice((EstateKind.COMMERCIAL, EstateKind.OLD, EstateKind.RESETTLEMENT))
            )
            share = grids[index % len(grids) : index % len(grids) + 1] if grids else []
            made.append(
                services.estate_create(
                    actor=staff,
                    values=EstateInput(
                        name=name,
                        community=community,
                        kind=kind,
                        grids=share,
                        address=f"{community.name}{name}",
                        households=rng.randint(120, 900),
                        buildings=rng.randint(4, 24),
                    ),
                )
            )
        return made

    def committee(self, estate: Estate, staff: User, index: int) -> None:
        rng = self.rng(estate.pk)
        community = estate.community
        if index == 2:  # one still forming
            services.committee_create(actor=staff, estate=estate, values=CommitteeInput(kind=CommitteeKind.OWNERS))
            return
        start = self.today - timedelta(days=rng.randint(200, 900))
        end = start + timedelta(days=365 * 3)
        if index == 1:  # the election falls within 90 days: the daily job warns
            end = self.today + timedelta(days=rng.randint(20, 80))
            start = end - timedelta(days=365 * 3)
        organisation = (
            PartyOrganisation.objects.filter(place__path__startswith=community.path).order_by("code").first()
            if index % 2 == 0
            else None
        )
        liaison = None if organisation is not None or index == 3 else self.liaison(community)
        committee = services.committee_create(
            actor=staff,
            estate=estate,
            elected=True,
            values=CommitteeInput(
                kind=CommitteeKind.PROPERTY_MANAGEMENT if estate.kind == EstateKind.OLD else CommitteeKind.OWNERS,
                formed_on=start,
                term_start=start,
                term_end=end,
                party_organisation=organisation,
                party_liaison_member=liaison,
                party_liaison_name="" if organisation or liaison or index == 3 else self.name(rng),
            ),
        )
        roles = [MemberRole.CHAIR, MemberRole.VICE_CHAIR, MemberRole.MEMBER, MemberRole.MEMBER, MemberRole.MEMBER]
        for seat, role in enumerate(roles):
            leader = seat == 1 and index != 3
            services.member_add(
                actor=staff,
                committee=committee,
                values=MemberInput(
                    name=self.name(rng),
                    role=role,
                    phone=mobile_number(rng),
                    is_party_member=seat < 2 or rng.random() < 0.3,
                    is_community_leader=leader,
                    staff_user=staff if leader else None,
                ),
            )
        topic, decision = rng.choice(TOPICS)
        services.meeting_record(
            actor=staff,
            committee=committee,
            values=MeetingInput(
                held_on=self.today - timedelta(days=rng.randint(5, 60)),
                topic=topic,
                attendance=5,
                minutes=f"会议讨论了{topic}，与会委员充分发表意见。",
                decisions=[DecisionInput(text=decision, votes_for=4, votes_against=0, votes_abstain=1)],
            ),
        )
        if index != 3:
            title, body = rng.choice(NOTICES)
            services.notice_publish(
                actor=staff,
                committee=committee,
                title=title,
                body=body,
                published_on=self.today - timedelta(days=rng.randint(3, 70)),
            )

    def liaison(self, community: Place) -> PartyMember | None:
        return PartyMember.objects.filter(organisation__place__path__startswith=community.path).order_by("pk").first()

    def build(self) -> Summary:
        started = perf_counter()
        summary = Summary()
        chosen = self.communities()
        if not chosen:
            self.log("No community of the demo city has staff: nothing to do.")
            return summary
        for community, staff in chosen:
            for index, estate in enumerate(self.estates(community, staff)):
                if estate.kind != EstateKind.OPEN_BLOCK:
                    self.committee(estate, staff, index)
            summary.communities.append(community.name)
        summary.seconds = perf_counter() - started
        summary.counts = demo_estates_counts()
        return summary


class Command(DemoFillCommand):
    help = (
        "Fill the demo city with estates (小区) and their owners' committees: members, party leadership, meetings, "
        "duty notices, one committee forming and one whose election is near, all made through the services."
    )
    default_seed = DEFAULT_SEED
    max_communities = MAX_COMMUNITIES
    seed_help = "the same seed gives the same estates"
    if_empty_help = "do nothing when estates exist already"
    debug_help = "build even though DEBUG is off: the committee members carry made-up names and phone numbers"
    debug_refusal = gettext_lazy(
        "DEBUG is off, so this may be a production database. The demo committee members carry made-up names and "
        "phone numbers; add --allow-without-debug if you really want them here."
    )
    there_already = gettext_lazy("Estates are there already: nothing is added.")
    cannot_again = gettext_lazy(
        "Estates exist already; committees' histories cannot be deleted. Rebuild the demo database (make demo) to "
        "fill it again."
    )
    filling = gettext_lazy("Filling the demo city with estates and owners' committees (seed %(seed)d)…")

    def exists(self) -> bool:
        return demo_estates_exists()

    def build(self, *, seed: int, communities: int, log: Callable[[str], Any]) -> Summary:
        return _Demo(seed=seed, limit=communities, log=log).build()

    def after(self, summary: Any) -> None:
        self.stdout.write(self.style.SUCCESS(_("Estates: %(url)s") % {"url": reverse("estates:estate-list")}))
        self.stdout.write(_("Public page: %(url)s") % {"url": reverse("estates_public:list")})
