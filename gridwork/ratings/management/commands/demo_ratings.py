"""Fill the demo city with star ratings and its community workforce (issue #10), made through the services.

In the first inhabited communities of the demo city (by code, those with community and street staff, at most
``--communities``) the city installs the presets of the source documents — the 五星达标 scheme, the secretaries'
star grades and the 三岗十八级 pay ladder — and staffs each community: a party secretary (head post, also the
residents' committee's director: 一肩挑), deputies and community workers on the ladder, some communities short of the
staffing standard, half the workers certified as social workers; the streets keep reserve pools (后备人才), some short
of 1.2 × their communities. Secretaries and workers attend courses over two years; a few secretaries stay under the
56-hour yearly minimum.

Last year's 五星达标 round went the whole way: each community self-assessed with evidence, one was returned by its
street once and resubmitted, the streets approved, the city accepted and set the stars (once overriding the score with
a reason), and the round was closed; half a year later one community lost its stars on a veto event (动态调整). This
year's round is open at every step: accepted (one with its stars lowered since), reviewed, submitted, returned with the
street's comment, a veto found at the street's review, still drafting and overdue. This year's round of the
secretaries' star grades is mostly accepted, so the pay table shows the grade each secretary's stars map to
(以星定酬).

Every state and event is written by a service, each on the simulated clock (``gridwork.demo.clock``) at its moment, so
the history reads as it would have happened; everything is dated relative to today. The same seed gives the same
people, scores and steps.
"""

from __future__ import annotations

import io
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from time import perf_counter
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageDraw

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.audit.services import audit_record
from gridwork.demo import names
from gridwork.demo.build import demo_staff
from gridwork.demo.clock import clock
from gridwork.demo.fill import DemoFillCommand, FillSummary
from gridwork.demo.identifiers import id_number, mobile_number
from gridwork.demo.plan import CITY_CODE, DEFAULT_SEED
from gridwork.party.models import PartyOrganisation, PartyOrgKind
from gridwork.places.models import Place, PlaceLevel
from gridwork.ratings import services
from gridwork.ratings.models import Assessment, AssessmentState, Round, StarAdjustment, Target
from gridwork.schemes import services as scheme_services
from gridwork.schemes.models import IndicatorMethod, Scheme, SchemeVersion, VersionState
from gridwork.schemes.scoring import VersionContent, version_content
from gridwork.workforce import services as workforce
from gridwork.workforce.models import Course, PayLadder, ReserveCandidate, SocialWorkCert, TrainingRecord, Worker
from gridwork.workforce.models import Post as WorkerPost
from gridwork.workforce.selectors import staffing_for

MAX_COMMUNITIES = 40
T = TypeVar("T")

DEPUTY_TITLES = ("党委副书记", "居委会副主任", "党委委员、居委会委员")
WORKER_TITLES = ("网格员", "社区专职工作者", "民政专干", "综治专干", "党建专干", "社保专干")
COURSES_OF_A_YEAR = (
    # title, organiser level, hours, month, day, for secretaries only
    ("社区党组织书记示范培训班", PlaceLevel.CITY, Decimal(24), 4, 14, True),
    ("基层治理能力提升专题培训", PlaceLevel.CITY, Decimal(16), 6, 20, False),
    ("社会工作实务与政策法规", PlaceLevel.DISTRICT, Decimal(12), 8, 25, False),
    ("“五星达标”创建业务培训", PlaceLevel.CITY, Decimal(8), 9, 12, True),
    ("网格化服务管理与矛盾调处", PlaceLevel.DISTRICT, Decimal(8), 10, 16, False),
)
RETURN_COMMENTS = (
    "C3“关键小事”只有照片，缺少居民议事和办结记录，请补充后重新申报。",
    "B1协商议事的会议记录不全，自评分偏高，请核实后重新申报。",
    "E3环境整治的佐证材料与申报年度不符，请更换为本年度材料。",
)
OVERRIDE_REASON = "市级暗访发现党群服务中心开放时间不落实，经验收组研究，按低一星认定。"
VETO_REASON = "辖区内发生一起较大安全生产责任事故（燃气泄漏致人受伤），经调查认定负有管理责任。"
LOWER_REASON = "群众满意度季度测评连续两次低于80%，按“动态调整”降低一星。"


@dataclass(eq=False)
class _Community:
    place: Place
    street: Place
    district: Place
    staff: User
    street_staff: User
    quality: float  # how well it works: 0.8 (fairly) to 1 (very well)
    secretary: Worker | None = None


@dataclass
class _Summary:
    seconds: float = 0.0
    communities: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


class _Demo:
    def __init__(self, *, seed: int, limit: int, log: Callable[[str], None]) -> None:
        self.seed = seed
        self.limit = limit
        self.log = log
        self.zone = timezone.get_default_timezone()
        self.today = timezone.localdate()
        self.opened = self.today - timedelta(days=44)  # this year's rounds open
        self.year = self.opened.year
        self.last_year = self.year - 1
        self.communities: list[_Community] = []
        self.city_staff: User | None = None

    # --- time and chance ---

    def rng(self, *key: object) -> random.Random:
        return random.Random(":".join(str(part) for part in (self.seed, "ratings", *key)))

    def at(self, day: date, hour: float) -> datetime:
        moment = datetime.combine(day, time.min, tzinfo=self.zone) + timedelta(minutes=round(hour * 60))
        latest = datetime.combine(self.today, time.min, tzinfo=self.zone) - timedelta(hours=4)
        return min(moment, latest)

    def step(self, day: date, hour: float, action: Callable[[], T]) -> T:
        with clock(self.at(day, hour)):
            return action()

    @property
    def city(self) -> User:
        assert self.city_staff is not None
        return self.city_staff

    # --- who ---

    def choose(self) -> bool:
        city = Place.objects.get(code=CITY_CODE)
        self.city_staff = demo_staff(Role.CITY_STAFF, city)
        if self.city_staff is None:
            self.log("The demo city has no city staff: nothing to do.")
            return False
        depth = 3  # /city/district/street/community/…
        inhabited = {
            path.strip("/").split("/")[depth]
            for path in Place.objects.filter(level=PlaceLevel.HOUSEHOLD, path__startswith=city.path).values_list(
                "path", flat=True
            )
        }
        for place in Place.objects.filter(level=PlaceLevel.COMMUNITY, code__in=inhabited).order_by("code"):
            if len(self.communities) >= self.limit:
                break
            street = Place.objects.get(pk=place.parent_id or 0)
            district = Place.objects.get(pk=street.parent_id or 0)
            staff, street_staff = demo_staff(Role.COMMUNITY_STAFF, place), demo_staff(Role.STREET_STAFF, street)
            if staff is None or street_staff is None:
                continue
            quality = self.rng("quality", place.code).uniform(0.8, 1.0)
            self.communities.append(_Community(place, street, district, staff, street_staff, quality))
        if not self.communities:
            self.log("No community of the demo city has households and staff: nothing to do.")
            return False
        return True

    # --- the presets ---

    def published(self, key: str) -> SchemeVersion:
        """The preset scheme's latest published version, installed now if it is not there."""
        scheme = Scheme.objects.filter(preset_key=key).first()
        if scheme is not None:
            found = scheme.versions.filter(state=VersionState.PUBLISHED).order_by("-number").first()
            if found is not None:
                return found
        return scheme_services.preset_install(actor=self.city, key=key)

    # --- the workforce ---

    def staff_communities(self, day: date) -> PayLadder:
        city = Place.objects.get(code=CITY_CODE)
        ladder = PayLadder.objects.filter(place=city, preset="three_posts_18").first() or self.step(
            day, 9, lambda: workforce.ladder_preset_install(actor=self.city, key="three_posts_18", place=city)
        )
        for community in self.communities:
            self._staff_one(community, ladder, day)
        return ladder

    def _person(
        self, rng: random.Random, community: _Community, number: int, *, age: tuple[int, int]
    ) -> dict[str, Any]:
        male = rng.random() < 0.45
        born = date(self.today.year - rng.randint(*age), rng.randint(1, 12), rng.randint(1, 28))
        return {
            "male": male,
            "born": born,
            "name": names.person_name(rng, male=male),
            "id_number": id_number(area_code=community.place.code[:6], birth_date=born, sequence=number, male=male),
            "phone": mobile_number(rng),
        }

    def _staff_one(self, community: _Community, ladder: PayLadder, day: date) -> None:
        rng = self.rng("staff", community.place.code)
        minimum = staffing_for(community.place).minimum
        # Every third community is short of the standard; the others have it or a little more.
        short = self.communities.index(community) % 3 == 1
        headcount = max(5, minimum - rng.choice((1, 2, 3)) if short else minimum + rng.choice((0, 0, 1, 2)))
        committee = PartyOrganisation.objects.filter(
            place=community.place, kind=PartyOrgKind.COMMUNITY_COMMITTEE
        ).first()
        for number in range(headcount):
            person = self._person(rng, community, number + 1, age=(30, 55) if number < 3 else (23, 50))
            if number == 0:
                post, title, secretary = WorkerPost.HEAD, "党委书记、居委会主任", True
                if committee is not None and committee.secretary_name:
                    person["name"] = committee.secretary_name
                grade = rng.randint(6, 12)
            elif number < 3:
                post, title, secretary, grade = WorkerPost.DEPUTY, DEPUTY_TITLES[number - 1], False, rng.randint(4, 12)
            else:
                post, title, secretary, grade = WorkerPost.WORKER, rng.choice(WORKER_TITLES), False, rng.randint(1, 10)
            certificate = rng.choices(
                (SocialWorkCert.NONE, SocialWorkCert.ASSISTANT, SocialWorkCert.SOCIAL_WORKER, SocialWorkCert.SENIOR),
                weights=(45, 30, 22, 3),
            )[0]
            joined = day - timedelta(days=rng.randint(200, 3600))
            details = workforce.WorkerDetails(
                name=person["name"],
                id_number=person["id_number"],
                phone=person["phone"],
                gender="male" if person["male"] else "female",
                birth_date=person["born"],
                title=title,
                party_member=secretary or rng.random() < 0.6,
                social_work_cert=certificate,
            )
            worker = self.step(
                day,
                9 + number * 0.1,
                partial(
                    workforce.worker_create,
                    actor=self.city,
                    community=community.place,
                    details=details,
                    post=post,
                    is_secretary=secretary,
                    ladder=ladder,
                    grade=grade,
                    joined_on=joined,
                ),
            )
            if secretary:
                community.secretary = worker

    def reserve_pools(self, day: date) -> None:
        streets = {community.street.pk: community.street for community in self.communities}
        for street in streets.values():
            rng = self.rng("reserve", street.code)
            communities = Place.objects.filter(parent=street, level=PlaceLevel.COMMUNITY).count()
            wanted = max(1, round(communities * rng.choice((0.8, 1.2, 1.3, 1.5))))
            for number in range(wanted):
                male = rng.random() < 0.4
                added = day + timedelta(days=rng.randint(0, 300))
                fields = workforce.CandidateFields(
                    name=names.person_name(rng, male=male),
                    phone=mobile_number(rng),
                    gender="male" if male else "female",
                    birth_date=date(self.today.year - rng.randint(24, 38), rng.randint(1, 12), rng.randint(1, 28)),
                    party_member=rng.random() < 0.7,
                    education=rng.choice(("本科", "本科", "大专", "硕士研究生")),
                    social_work_cert=rng.choice((SocialWorkCert.NONE, SocialWorkCert.ASSISTANT)),
                    current_role=rng.choice(("社区网格员", "社区志愿者骨干", "大学生村官", "社区专职工作者")),
                )
                self.step(
                    added,
                    10 + number * 0.1,
                    partial(workforce.reserve_add, actor=self.city, street=street, fields=fields, added_at=added),
                )

    def training(self, year: int, latest: date) -> None:
        """The courses of ``year`` held by ``latest``; each community's workers attend some, its secretary most (a
        few secretaries fall short of 56 hours)."""
        city = Place.objects.get(code=CITY_CODE)
        districts = {community.district.pk: community.district for community in self.communities}
        for title, level, hours, month, day_of_month, for_secretaries in COURSES_OF_A_YEAR:
            start = date(year, month, day_of_month)
            end = start + timedelta(days=max(0, int(hours // 8) - 1))
            if end >= latest:
                continue
            organisers = [city] if level == PlaceLevel.CITY else list(districts.values())
            for organiser in organisers:
                fields = workforce.CourseFields(
                    title=f"{year}年{title}",
                    organiser=f"{organiser.name}委组织部"
                    if level == PlaceLevel.CITY
                    else f"{organiser.name}委社会工作部",
                    start_date=start,
                    end_date=end,
                    hours=hours,
                )
                course = self.step(
                    start - timedelta(days=10),
                    10,
                    partial(workforce.course_create, actor=self.city, place=organiser, fields=fields),
                )
                for community in self.communities:
                    if not community.place.path.startswith(organiser.path):
                        continue
                    self._attend(course, community, for_secretaries=for_secretaries, year=year)

    def _attend(self, course: Course, community: _Community, *, for_secretaries: bool, year: int) -> None:
        rng = self.rng("attend", course.title, community.place.code)
        short = self.rng("short", year, community.place.code).random() < 0.15  # this secretary falls short
        workers = list(Worker.objects.filter(community=community.place, active=True).order_by("pk"))
        for worker in workers:
            if worker.is_secretary:
                if short and rng.random() < 0.5:
                    continue
                hours = course.hours
            elif for_secretaries or rng.random() < 0.4:
                continue
            else:
                hours = course.hours if rng.random() < 0.8 else (course.hours / 2).quantize(Decimal("0.1"))
            self.step(
                course.end_date,
                17,
                partial(
                    workforce.training_record_add,
                    actor=self.city,
                    course=course,
                    worker=worker,
                    hours=hours,
                    passed=True,
                ),
            )

    # --- self-assessment and review ---

    @staticmethod
    def _links(community: _Community) -> list[str]:
        """Pages of the platform a community points to as evidence: its own page, its party organisations, the
        members registered with it (双报到)."""
        found = []
        for name, args in (
            ("places:detail", [community.place.code]),
            ("party:organisation-list", []),
            ("party:registered-members", []),
            ("party:evaluations", []),
        ):
            try:
                found.append(reverse(name, args=args))
            except NoReverseMatch:
                continue
        return found or [reverse("ratings:round-list")]

    def answers(
        self, content: VersionContent, community: _Community, key: object, *, strictness: float = 0.0
    ) -> services.LevelInput:
        """One level's answers for the community: by its quality, a level above a little stricter."""
        rng = self.rng("answers", key, community.place.code)
        found: dict[int, Decimal | bool | None] = {}
        for indicator in content.indicators:
            if indicator.method == IndicatorMethod.COMPUTED:
                continue
            if indicator.method == IndicatorMethod.CONDITION:
                found[indicator.pk] = rng.random() < community.quality + 0.2 - strictness
                continue
            share = min(1.0, max(0.2, community.quality + rng.uniform(-0.08, 0.12) - strictness))
            found[indicator.pk] = (indicator.max_score * Decimal(repr(round(share * 2, 1))) / 2).quantize(
                Decimal("0.5")
            )
        return services.LevelInput(answers=found)

    def _evidence(self, community: _Community, assessment: Assessment, content: VersionContent, day: date) -> None:
        links = self._links(community)
        rng = self.rng("evidence", assessment.pk)
        required = [indicator for indicator in content.indicators if indicator.evidence_required]
        for number, indicator in enumerate(required):
            fresh = Assessment.objects.get(pk=assessment.pk)
            photo = number == 0
            self.step(
                day,
                9 + number * 0.2,
                partial(
                    services.evidence_add,
                    actor=community.staff,
                    assessment=fresh,
                    file=_photo(rng, indicator.code) if photo else None,
                    link="" if photo else rng.choice(links),
                    indicator=indicator.pk,
                    note=f"{indicator.code} {indicator.name[:40]}",
                    expected_version=fresh.version,
                ),
            )

    def submit(self, community: _Community, assessment: Assessment, content: VersionContent, day: date) -> None:
        self._evidence(community, assessment, content, day)
        fresh = Assessment.objects.get(pk=assessment.pk)
        values = self.answers(content, community, ("self", fresh.target.round_id))
        self.step(
            day,
            15,
            lambda: services.assessment_submit(
                actor=community.staff, assessment=fresh, values=values, expected_version=fresh.version
            ),
        )

    def save_draft(self, community: _Community, assessment: Assessment, content: VersionContent, day: date) -> None:
        values = self.answers(content, community, ("self", assessment.target.round_id))
        half = dict(list(values.answers.items())[: len(values.answers) // 2])
        fresh = Assessment.objects.get(pk=assessment.pk)
        self.step(
            day,
            16,
            lambda: services.assessment_save(
                actor=community.staff,
                assessment=fresh,
                values=services.LevelInput(answers=half),
                expected_version=fresh.version,
            ),
        )

    def send_back(self, community: _Community, assessment: Assessment, day: date, comment: str) -> None:
        fresh = Assessment.objects.get(pk=assessment.pk)
        self.step(
            day,
            10,
            lambda: services.assessment_return(
                actor=community.street_staff, assessment=fresh, comment=comment, expected_version=fresh.version
            ),
        )

    def resubmit(self, community: _Community, assessment: Assessment, content: VersionContent, day: date) -> None:
        fresh = Assessment.objects.get(pk=assessment.pk)
        values = self.answers(content, community, ("self-again", fresh.target.round_id), strictness=0.05)
        self.step(
            day,
            14,
            lambda: services.assessment_submit(
                actor=community.staff,
                assessment=fresh,
                values=services.LevelInput(answers=values.answers, comment="已按街道意见补充佐证材料并核实自评分。"),
                expected_version=fresh.version,
            ),
        )

    def approve(
        self, community: _Community, assessment: Assessment, content: VersionContent, day: date, *, veto: bool = False
    ) -> None:
        fresh = Assessment.objects.get(pk=assessment.pk)
        values = self.answers(content, community, ("street", fresh.target.round_id), strictness=0.04)
        vetoes = {content.vetoes[0].pk: VETO_REASON} if veto and content.vetoes else {}
        self.step(
            day,
            11,
            lambda: services.assessment_approve(
                actor=community.street_staff,
                assessment=fresh,
                values=services.LevelInput(answers=values.answers, vetoes=vetoes, comment="经街道初审，同意申报。"),
                expected_version=fresh.version,
            ),
        )

    def accept(
        self, community: _Community, assessment: Assessment, content: VersionContent, day: date, *, lower: bool = False
    ) -> None:
        fresh = Assessment.objects.get(pk=assessment.pk)
        street = services.level_input_of(fresh, "street", content)
        values = services.LevelInput(answers=street.answers, vetoes=street.vetoes, comment="经市级验收，同意定星。")

        stars: int | None = None
        reason = ""
        if lower and (fresh.score_stars or 0) > 0:  # the city's scores are the street's: the same stars by score
            stars, reason = (fresh.score_stars or 0) - 1, OVERRIDE_REASON
        self.step(
            day,
            15,
            lambda: services.assessment_accept(
                actor=self.city,
                assessment=fresh,
                values=values,
                stars=stars,
                reason=reason,
                expected_version=fresh.version,
            ),
        )

    def lower(self, assessment: Assessment, day: date, *, veto: bool) -> None:
        fresh = Assessment.objects.get(pk=assessment.pk)
        content = version_content(fresh.target.round.scheme_version)
        current = fresh.stars or 0
        if current == 0:
            return
        self.step(
            day,
            10,
            lambda: services.assessment_lower_stars(
                actor=self.city,
                assessment=fresh,
                stars=None if veto else current - 1,
                reason=VETO_REASON if veto else LOWER_REASON,
                veto_item=content.vetoes[0].pk if veto and content.vetoes else None,
                expected_version=fresh.version,
            ),
        )

    # --- the rounds ---

    def open_round(self, version: SchemeVersion, *, name: str, year: int, day: date, star_goal: int) -> Round:
        values = services.RoundValues(
            name=name,
            year=year,
            scheme_version=version,
            period_start=date(year, 1, 1),
            period_end=date(year, 12, 31),
            self_due=day + timedelta(days=33),
            review_due=day + timedelta(days=53),
            accept_due=day + timedelta(days=73),
            goal_stars=5,
            star_goal=Decimal(star_goal),
        )
        return self.step(day, 9, lambda: services.round_create(actor=self.city, values=values))

    def add_communities(self, round_: Round, day: date) -> None:
        for number, community in enumerate(self.communities):
            self.step(
                day,
                10 + number * 0.01,
                partial(services.round_add_one, actor=self.city, round_=round_, object_pk=community.place.pk),
            )

    def last_years_round(self, version: SchemeVersion, opened: date) -> Round:
        round_ = self.open_round(
            version, name=f"{self.last_year}年度“五星达标、和美家园”评定", year=self.last_year, day=opened, star_goal=70
        )
        self.add_communities(round_, opened)
        content = version_content(version)
        rows = self._rows(round_)
        for number, (community, assessment) in enumerate(rows):
            self.submit(community, assessment, content, opened + timedelta(days=20 + number % 12))
        for number, (community, assessment) in enumerate(rows):
            day = opened + timedelta(days=36 + number % 10)
            if number == 1:
                self.send_back(community, assessment, day, RETURN_COMMENTS[0])
                self.resubmit(community, assessment, content, day + timedelta(days=2))
                day += timedelta(days=4)
            self.approve(community, assessment, content, day)
        for number, (community, assessment) in enumerate(rows):
            self.accept(community, assessment, content, opened + timedelta(days=58 + number % 12), lower=number == 3)
        self.step(
            opened + timedelta(days=80),
            16,
            lambda: services.round_close(
                actor=self.city, round_=Round.objects.get(pk=round_.pk), reason="年度评定完成。"
            ),
        )
        # Half a year on, a veto event takes all stars from the community that had the most (not the one overridden).
        starred = [assessment for number, (_c, assessment) in enumerate(rows) if number != 3] or [rows[0][1]]
        vetoed = max(starred, key=lambda a: (Assessment.objects.get(pk=a.pk).stars or 0, -a.pk))
        self.lower(vetoed, opened + timedelta(days=220), veto=True)
        return round_

    def this_years_round(self, version: SchemeVersion) -> Round:
        opened = self.opened
        round_ = self.open_round(
            version, name=f"{self.year}年度“五星达标、和美家园”评定", year=self.year, day=opened, star_goal=85
        )
        self.add_communities(round_, opened)
        content = version_content(version)
        rows = self._rows(round_)
        count = len(rows)
        # The steps each community reached, in order: most accepted, then reviewed, submitted, returned, drafting.
        others = ["vetoed"] if count >= 6 else []
        others += ["reviewed"] * max(1, round(count * 0.12))
        others += ["returned"] if count >= 4 else []
        others += ["submitted"] * max(1, round(count * 0.1))
        others += ["saved"] * round(count * 0.05)
        drafting = max(1 if count >= 5 else 0, count - len(others) - round(count * 0.45))
        fates = ["accepted"] * max(1, count - len(others) - drafting) + others + ["draft"] * drafting
        for number, (community, assessment) in enumerate(rows):
            fate = fates[number] if number < len(fates) else "draft"
            submitted = opened + timedelta(days=14 + number % 18)
            if fate == "draft":
                continue
            if fate == "saved":
                self.save_draft(community, assessment, content, submitted)
                continue
            self.submit(community, assessment, content, submitted)
            if fate == "submitted":
                continue
            if fate == "returned":
                self.send_back(community, assessment, submitted + timedelta(days=5), RETURN_COMMENTS[1])
                continue
            reviewed = submitted + timedelta(days=4 + number % 5)
            self.approve(community, assessment, content, reviewed, veto=fate == "vetoed")
            if fate == "reviewed":
                continue
            self.accept(community, assessment, content, reviewed + timedelta(days=3 + number % 4))
        accepted = [assessment for (_c, assessment), fate in zip(rows, fates, strict=False) if fate == "accepted"]
        if accepted:  # the accepted one with the most stars loses one yesterday
            most = max(accepted, key=lambda a: (Assessment.objects.get(pk=a.pk).stars or 0, -a.pk))
            self.lower(most, self.today - timedelta(days=1), veto=False)
        return round_

    def secretaries_round(self, version: SchemeVersion) -> Round:
        opened = self.opened + timedelta(days=1)
        round_ = self.open_round(
            version, name=f"{self.year}年度社区党组织书记星级评定", year=self.year, day=opened, star_goal=30
        )
        city = Place.objects.get(code=CITY_CODE)
        self.step(opened, 10, lambda: services.round_add_all(actor=self.city, round_=round_, under=city))
        content = version_content(version)
        by_place = {community.place.pk: community for community in self.communities}
        assessments = (
            Assessment.objects.filter(target__round=round_).select_related("target").order_by("target__place__code")
        )
        for number, assessment in enumerate(assessments):
            community = by_place.get(assessment.target.place_id)
            if community is None:
                continue
            day = opened + timedelta(days=10 + number % 15)
            self.submit(community, assessment, content, day)
            if number % 7 == 6:
                continue  # waiting for the street
            self.approve(community, assessment, content, day + timedelta(days=5))
            if number % 5 == 4:
                continue  # waiting for the city
            self.accept(community, assessment, content, day + timedelta(days=9))
        return round_

    def _rows(self, round_: Round) -> list[tuple[_Community, Assessment]]:
        by_place = {community.place.pk: community for community in self.communities}
        found = Assessment.objects.filter(target__round=round_).select_related("target").order_by("target__place__code")
        return [(by_place[a.target.place_id], a) for a in found if a.target.place_id in by_place]

    # --- the whole ---

    def build(self) -> _Summary:
        started = perf_counter()
        summary = _Summary()
        with transaction.atomic():
            if not self.choose():
                return summary
            last_opened = self.opened - timedelta(days=345)
            start = last_opened - timedelta(days=330)
            self.log(f"Presets and the workforce of {len(self.communities)} communities…")
            five_star = self.step(start, 9, lambda: self.published("five_star_community"))
            secretary = self.step(start, 9.5, lambda: self.published("secretary_stars"))
            self.staff_communities(start)
            self.reserve_pools(start + timedelta(days=5))
            self.log("Training…")
            self.training(self.last_year, self.today)
            self.log("Last year's round…")
            self.last_years_round(five_star, last_opened)
            self.training(self.year, self.opened)
            self.log("This year's rounds…")
            self.this_years_round(five_star)
            self.secretaries_round(secretary)
            summary.communities = [community.place.name for community in self.communities]
            summary.counts = demo_ratings_counts()
            audit_record(
                actor=None,
                actor_name="demo_ratings",
                action="demo.ratings_built",
                detail={"seed": self.seed, "communities": summary.communities, "counts": summary.counts},
            )
        summary.seconds = perf_counter() - started
        return summary


def _photo(rng: random.Random, code: str) -> io.BytesIO:
    """A photo of the evidence board: a wall, a red banner with the indicator's code, and people (480 × 320 PNG)."""
    width, height = 480, 320
    image = Image.new("RGB", (width, height), (rng.randint(215, 240), rng.randint(210, 235), rng.randint(195, 225)))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 30, width - 40, 90), fill=(190, 20, 30))
    draw.text((60, 50), code, fill=(255, 230, 120))
    for number in range(rng.randint(4, 8)):
        x = 50 + number * 50 + rng.randint(-8, 8)
        colour = (rng.randint(20, 200), rng.randint(20, 200), rng.randint(20, 200))
        draw.ellipse((x, 170, x + 26, 196), fill=(230, 190, 160))
        draw.rectangle((x - 4, 198, x + 30, 280), fill=colour)
    output = io.BytesIO()
    image.save(output, format="PNG")
    output.seek(0)
    output.name = f"{code}-evidence.png"
    return output


def demo_ratings_exists() -> bool:
    """Whether rounds or workers are in the database already (the demo's, or anyone's)."""
    return Round.objects.exists() or Worker.objects.exists() or PayLadder.objects.exists()


def demo_ratings_counts() -> dict[str, int]:
    counts: dict[str, int] = {
        "rounds": Round.objects.count(),
        "targets": Target.objects.count(),
    }
    states = Counter(dict(Assessment.objects.values_list("state").annotate(n=Count("pk")).values_list("state", "n")))
    for state, _label in AssessmentState.choices:
        counts[f"assessments · {state}"] = states.get(state, 0)
    counts.update(
        {
            "star adjustments": StarAdjustment.objects.count(),
            "workers": Worker.objects.count(),
            "secretaries": Worker.objects.filter(is_secretary=True).count(),
            "courses": Course.objects.count(),
            "training records": TrainingRecord.objects.count(),
            "reserve candidates": ReserveCandidate.objects.count(),
        }
    )
    return counts


class Command(DemoFillCommand):
    help = (
        "Fill the first communities of the demo city with star ratings and their workforce: the presets, workers on "
        "the pay ladder, training, reserve pools, last year's 五星达标 round done and this year's at every step, and "
        "a round of the secretaries' star grades, all made through the services."
    )
    default_seed = DEFAULT_SEED
    max_communities = MAX_COMMUNITIES
    seed_help = "the same seed gives the same ratings"
    if_empty_help = "do nothing when rounds, workers or pay ladders exist already"
    debug_help = "build even though DEBUG is off: the demo workers have made-up phone and ID numbers"
    debug_refusal = gettext_lazy(
        "DEBUG is off, so this may be a production database. The demo workers have made-up phone and "
        "ID numbers; add --allow-without-debug if you really want them here."
    )
    there_already = gettext_lazy("Star ratings or workers are there already: nothing is added.")
    cannot_again = gettext_lazy(
        "Rounds, workers or pay ladders exist already; their events cannot be deleted. Rebuild the demo "
        "database (make demo) to fill it again."
    )
    filling = gettext_lazy("Filling the demo city with star ratings (seed %(seed)d)…")

    def exists(self) -> bool:
        return demo_ratings_exists()

    def build(self, *, seed: int, communities: int, log: Callable[[str], Any]) -> FillSummary:
        return _Demo(seed=seed, limit=communities, log=log).build()

    def after(self, summary: FillSummary) -> None:
        self.stdout.write(self.style.SUCCESS(_("Results: %(url)s") % {"url": reverse("ratings:results")}))
