"""Fill the demo city with the grassroots resolution of disputes (issue #13), made through the services.

Every street of the demo city gets its roster of mediators (a people's mediator of the street's mediation committee and
a lawyer of the service group serving all its communities); the first inhabited communities (by code, those with
community, street and district staff; at most ``--communities``) get their community police officer and legal
adviser (一社区一警一法律顾问) and a micro-grid mediator (矛调员). Their grids are screened last month and this month,
a few left unscreened (the gaps page flags them); some screenings find disputes. Each community has dispute cases at
every step: registered from a screening entry, assigned, a recusal and a new mediator, mediating, an agreement with
its PDF and a follow-up due, an agreement performed and closed, failed, referred to the court with the judgment
recorded, referred and awaiting the answer. Last year's three-zero (三零) applications are reviewed: granted, refused
on a petition, granted as an exception with the reason; one waits for the review.

Each step runs on the simulated clock (``gridwork.demo.clock``) at its moment, so the histories read as they would
have happened; everything is dated relative to today. The same seed gives the same people and steps.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from time import perf_counter
from typing import Any, TypeVar

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.demo import names
from gridwork.demo.build import demo_staff
from gridwork.demo.clock import clock
from gridwork.demo.fill import DemoFillCommand
from gridwork.demo.identifiers import id_number, mobile_number
from gridwork.demo.plan import CITY_CODE, DEFAULT_SEED
from gridwork.mediation.models import (
    Agreement,
    DisputeCase,
    DisputeType,
    FollowUp,
    Mediator,
    MediatorKind,
    Outcome,
    PartyRole,
    Performance,
    ReceivingKind,
    Referral,
    ReferralResult,
    RiskLevel,
)
from gridwork.mediation.services import agreements, mediators, referrals
from gridwork.mediation.services import cases as case_services
from gridwork.mediation.services.cases import PartyInput
from gridwork.people.models import ResidentUnit
from gridwork.places.models import Place, PlaceLevel
from gridwork.screening import services as screening_services
from gridwork.screening.models import RiskEntry, Screening
from gridwork.screening.services import EntryInput
from gridwork.threezero import services as threezero
from gridwork.threezero.models import Application, Incident, IncidentKind

MAX_COMMUNITIES = 4
T = TypeVar("T")

# (type, risk, title, facts, what was found on screening, terms agreed)
DISPUTES = (
    (
        DisputeType.NEIGHBOUR,
        RiskLevel.MEDIUM,
        "楼上漏水致楼下天花板受损",
        "楼上住户卫生间防水层老化漏水，楼下住户天花板及墙面受损，双方就维修和赔偿协商未果，多次争吵。",
        "楼上漏水纠纷，双方争吵，有激化苗头",
        "一、楼上住户于十五日内请有资质的施工队重做卫生间防水；二、楼上住户一次性赔偿楼下住户天花板及墙面修复费用"
        "人民币贰仟伍佰元；三、双方今后互谅互让，不再因此事争执。",
    ),
    (
        DisputeType.PROPERTY,
        RiskLevel.LOW,
        "物业费与车位管理纠纷",
        "业主认为小区车位被外来车辆占用、物业管理不到位，拒交物业费；物业公司要求补缴。",
        "业主拒交物业费，与物业公司矛盾",
        "一、物业公司一个月内完成小区车辆出入登记改造；二、业主于整改完成后十日内补缴物业费；三、社区每季度组织一次"
        "业主、物业联席会。",
    ),
    (
        DisputeType.LABOUR,
        RiskLevel.HIGH,
        "装修工人追讨工资",
        "三名装修工人为个体包工头工作两个月，工程完工后包工头以业主未结清款项为由拖欠工资。",
        "农民工讨薪，扬言集体上访",
        "一、包工头于七日内支付三名工人工资合计人民币贰万壹仟元；二、业主于同日将剩余工程款直接支付给包工头。",
    ),
    (
        DisputeType.FAMILY,
        RiskLevel.MEDIUM,
        "子女赡养老人费用分担",
        "三兄妹就母亲的赡养费用和轮流照顾安排产生分歧，母亲独居无人照料。",
        "赡养纠纷，老人独居",
        "一、三兄妹每人每月支付母亲赡养费人民币捌佰元；二、按月轮流照顾母亲起居；三、医疗费用凭票据三人均摊。",
    ),
    (
        DisputeType.CONSTRUCTION,
        RiskLevel.LOW,
        "装修噪音扰民",
        "业主装修期间周末及午休时段施工，邻居多次投诉无果。",
        "装修噪音投诉",
        "一、装修方周一至周五八时至十二时、十四时至十八时施工，周末不施工；二、装修方向邻居致歉。",
    ),
    (
        DisputeType.DAMAGE,
        RiskLevel.MEDIUM,
        "宠物犬咬伤儿童赔偿",
        "小区内未拴绳的宠物犬咬伤一名儿童，双方就医疗费和误工费赔偿金额争执。",
        "犬只伤人纠纷",
        "一、犬主赔偿医疗费、疫苗费及误工费合计人民币肆仟元；二、犬主今后遛狗拴绳。",
    ),
)


@dataclass
class _Community:
    place: Place
    street: Place
    district: Place
    staff: User
    street_staff: User
    district_staff: User
    grids: list[Place]


@dataclass
class Summary:
    communities: list[str] = field(default_factory=list)
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def demo_mediation_exists() -> bool:
    """Whether mediators, screenings, dispute cases or three-zero records are in the database already."""
    return (
        Mediator.objects.exists()
        or Screening.objects.exists()
        or DisputeCase.objects.exists()
        or Application.objects.exists()
        or Incident.objects.exists()
    )


def demo_mediation_counts() -> dict[str, int]:
    counts = {
        "mediators": Mediator.objects.count(),
        "screenings": Screening.objects.count(),
        "risk entries": RiskEntry.objects.count(),
        "dispute cases": DisputeCase.objects.count(),
        "agreements": Agreement.objects.count(),
        "follow-ups": FollowUp.objects.count(),
        "referrals": Referral.objects.count(),
        "incidents": Incident.objects.count(),
        "three-zero applications": Application.objects.count(),
    }
    for state, count in DisputeCase.objects.values_list("state").annotate(n=Count("id")).order_by("state"):
        counts[f"  cases {state}"] = count
    return counts


class _Demo:
    def __init__(self, *, seed: int, limit: int, log: Callable[[str], Any]) -> None:
        self.seed, self.limit, self.log = seed, limit, log
        self.zone = timezone.get_current_timezone()
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.communities: list[_Community] = []
        self.city_staff: User | None = None
        self.people = 0

    # --- time and chance ---

    def rng(self, *key: object) -> random.Random:
        return random.Random(":".join(str(part) for part in (self.seed, "mediation", *key)))

    def at(self, day: date, hour: float = 10) -> datetime:
        moment = datetime.combine(day, time.min, tzinfo=self.zone) + timedelta(minutes=round(hour * 60))
        return min(moment, self.now - timedelta(minutes=30))

    def ago(self, days: int, hour: float = 10) -> datetime:
        return self.at(self.today - timedelta(days=days), hour)

    def step(self, moment: datetime, action: Callable[[], T]) -> T:
        with clock(moment):
            return action()

    # --- who ---

    def choose(self) -> bool:
        city = Place.objects.get(code=CITY_CODE)
        self.city_staff = demo_staff(Role.CITY_STAFF, city)
        if self.city_staff is None:
            self.log("The demo city has no city staff: nothing to do.")
            return False
        inhabited = set(
            Place.objects.filter(level=PlaceLevel.GRID, path__startswith=city.path, households__gt=0).values_list(
                "parent_id", flat=True
            )
        )
        for place in Place.objects.filter(level=PlaceLevel.COMMUNITY, pk__in=inhabited).order_by("code"):
            if len(self.communities) >= self.limit:
                break
            street = Place.objects.get(pk=place.parent_id or 0)
            district = Place.objects.get(pk=street.parent_id or 0)
            staff = demo_staff(Role.COMMUNITY_STAFF, place)
            street_staff = demo_staff(Role.STREET_STAFF, street)
            district_staff = demo_staff(Role.DISTRICT_STAFF, district) or self.city_staff
            grids = list(place.children.filter(level=PlaceLevel.GRID).order_by("code"))
            if staff is None or street_staff is None or not grids:
                continue
            self.communities.append(_Community(place, street, district, staff, street_staff, district_staff, grids))
        if not self.communities:
            self.log("No community of the demo city has grids and staff: nothing to do.")
            return False
        return True

    def person(self, rng: random.Random, area: Place) -> tuple[str, str, str]:
        male = rng.random() < 0.5
        self.people += 1
        birth = date(rng.randint(1950, 2000), rng.randint(1, 12), rng.randint(1, 28))
        return (
            names.person_name(rng, male=male),
            mobile_number(rng),
            id_number(area_code=area.code[:6], birth_date=birth, sequence=self.people % 500, male=male),
        )

    # --- the roster ---

    def roster(self) -> dict[int, list[Mediator]]:
        assert self.city_staff is not None
        city = Place.objects.get(code=CITY_CODE)
        moment = self.ago(120)
        by_community: dict[int, list[Mediator]] = {}
        streets = Place.objects.filter(level=PlaceLevel.STREET, path__startswith=city.path).order_by("code")
        for street in streets:
            rng = self.rng("roster", street.code)
            for kind, organisation, types in (
                (MediatorKind.PEOPLES_MEDIATOR, f"{street.name}人民调解委员会", []),
                (MediatorKind.LAWYER, "明川市律师服务团", [DisputeType.LABOUR, DisputeType.CONTRACT, DisputeType.LAND]),
            ):
                self.step(
                    moment,
                    partial(
                        mediators.mediator_create,
                        actor=self.city_staff,
                        name=names.person_name(rng, male=rng.random() < 0.5),
                        kind=kind,
                        phone=mobile_number(rng),
                        organisation=organisation,
                        place=street,
                        dispute_types=types,
                        max_open_cases=8,
                    ),
                )
        for community in self.communities:
            rng = self.rng("roster", community.place.code)
            made = []
            for kind, organisation, types in (
                (MediatorKind.POLICE, f"{community.street.name}派出所", [DisputeType.NEIGHBOUR, DisputeType.DAMAGE]),
                (MediatorKind.LEGAL_ADVISER, "明川市法律援助中心", []),
                (MediatorKind.GRID_MEDIATOR, f"{community.place.name}调解室", [DisputeType.NEIGHBOUR]),
            ):
                made.append(
                    self.step(
                        moment,
                        partial(
                            mediators.mediator_create,
                            actor=community.staff,
                            name=names.person_name(rng, male=rng.random() < 0.6),
                            kind=kind,
                            phone=mobile_number(rng),
                            organisation=organisation,
                            place=community.place,
                            dispute_types=types,
                            max_open_cases=5,
                        ),
                    )
                )
            by_community[community.place.pk] = made
        return by_community

    # --- screenings ---

    def screenings(self, community: _Community) -> list[RiskEntry]:
        rng = self.rng("screening", community.place.code)
        this_month = self.today.replace(day=1)
        last_month = (this_month - timedelta(days=1)).replace(day=1)
        entries: list[RiskEntry] = []
        skip_last = community.grids[-1] if len(community.grids) > 2 else None
        for index, grid in enumerate(community.grids):
            worker = demo_staff(Role.GRID_WORKER, grid) or community.staff
            if grid != skip_last:
                day = last_month + timedelta(days=rng.randint(3, 20))
                self.step(
                    self.at(day, 15),
                    partial(
                        screening_services.screening_record,
                        actor=worker,
                        grid=grid,
                        month=day,
                        screened_on=day,
                        households_visited=max(1, grid.households // 3),
                        found_nothing=True,
                        note="入户走访，未发现矛盾纠纷。",
                        entries=[],
                    ),
                )
            if index % 4 == 3 or (index == len(community.grids) - 1 and index > 0):  # a gap this month
                continue
            day = min(self.today, this_month + timedelta(days=rng.randint(0, 6)))
            found = DISPUTES[(index + rng.randint(0, 5)) % len(DISPUTES)] if index < 2 else None
            name, _phone, _id = self.person(rng, community.place)
            items = (
                [
                    EntryInput(
                        dispute_type=found[0],
                        risk=found[1],
                        summary=found[4],
                        parties=f"{name}等",
                        location=f"{grid.name}",
                    )
                ]
                if found
                else []
            )
            screening = self.step(
                self.at(day, 16),
                partial(
                    screening_services.screening_record,
                    actor=worker,
                    grid=grid,
                    month=day,
                    screened_on=day,
                    households_visited=max(1, grid.households // 2),
                    found_nothing=not items,
                    note="月度矛盾纠纷排查。",
                    entries=items,
                ),
            )
            entries.extend(screening.entries.order_by("id"))
        return entries

    # --- cases ---

    def parties(self, rng: random.Random, community: _Community, dispute: tuple[str, ...]) -> list[PartyInput]:
        made = []
        for role in (PartyRole.APPLICANT, PartyRole.RESPONDENT):
            name, phone, number = self.person(rng, community.place)
            made.append(
                PartyInput(
                    role=role,
                    name=name,
                    phone=phone,
                    id_number=number,
                    address=f"{community.place.name}{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元"
                    f"{rng.randint(1, 28)}0{rng.randint(1, 4)}",
                )
            )
        return made

    def register(self, community: _Community, key: int, days_ago: int, entry: RiskEntry | None = None) -> DisputeCase:
        rng = self.rng("case", community.place.code, key)
        dispute = DISPUTES[key % len(DISPUTES)]
        grid = community.grids[key % len(community.grids)]
        return self.step(
            self.ago(days_ago, 9),
            lambda: case_services.case_register(
                actor=community.staff,
                place=entry.screening.grid if entry is not None else grid,
                title=dispute[2],
                dispute_type=entry.dispute_type if entry is not None else dispute[0],
                risk=entry.risk if entry is not None else dispute[1],
                facts=dispute[3],
                location=f"{grid.name}",
                source="screening" if entry is not None else ("application" if key % 2 else "staff"),
                parties=self.parties(rng, community, dispute),
                risk_entry=entry,
                at=self.ago(days_ago, 9),
            ),
        )

    def assign(self, community: _Community, case: DisputeCase, days_ago: int) -> DisputeCase:
        suggestion = case_services.mediator_suggestions(case, limit=1)[0]
        return self.step(
            self.ago(days_ago, 10),
            lambda: case_services.mediator_assign(
                actor=community.staff,
                case=case,
                mediator=suggestion.mediator,
                expected_version=case.version,
                suggested=True,
            ),
        )

    def session(self, community: _Community, case: DisputeCase, days_ago: int) -> DisputeCase:
        held = self.ago(days_ago, 14.5)
        self.step(
            held + timedelta(hours=2),
            lambda: case_services.session_record(
                actor=community.staff,
                case=case,
                held_at=held,
                location=f"{community.place.name}人民调解室",
                participants="双方当事人、调解员、网格员",
                notes="调解员听取双方陈述，释明相关法律规定，双方各自提出诉求。",
                expected_version=case.version,
            ),
        )
        case.refresh_from_db()
        return case

    def agreement(
        self, community: _Community, case: DisputeCase, key: int, days_ago: int, follow_ups: list[int]
    ) -> Agreement:
        dispute = DISPUTES[key % len(DISPUTES)]
        signed = self.today - timedelta(days=days_ago)
        return self.step(
            self.ago(days_ago, 16),
            lambda: agreements.agreement_create(
                actor=community.staff,
                case=case,
                facts=dispute[3],
                terms=dispute[5],
                performance="各方按协议约定的期限履行；社区人民调解委员会按期回访。",
                signed_on=signed,
                follow_up_on=[signed + timedelta(days=days) for days in follow_ups],
                expected_version=case.version,
            ),
        )

    def cases(self, community: _Community, entries: list[RiskEntry], full: bool) -> None:
        staff = community.staff
        # Registered from this month's screening, waiting for a mediator.
        if entries:
            self.register(community, 0, 0, entries[0])
        # Assigned.
        case = self.register(community, 1, 6)
        self.assign(community, case, 5)
        # Closed: an agreement, performed on the follow-up.
        case = self.register(community, 2, 80)
        case = self.assign(community, case, 79)
        case = self.session(community, case, 75)
        made = self.agreement(community, case, 2, 70, [10])
        follow_up = made.follow_ups.get()
        self.step(
            self.ago(60, 11),
            lambda: agreements.followup_record(
                actor=staff,
                follow_up=follow_up,
                result=Performance.PERFORMED,
                note="已按协议履行完毕，双方满意。",
                done_on=follow_up.due_on,
            ),
        )
        case.refresh_from_db()
        self.step(
            self.ago(59, 9), lambda: case_services.case_close(actor=staff, case=case, expected_version=case.version)
        )
        if not full:
            return
        # Mediating, after a party asked for another mediator.
        case = self.register(community, 3, 14)
        case = self.assign(community, case, 13)
        party = case.parties.order_by("order").last()
        assert party is not None
        case = self.step(
            self.ago(12, 15),
            lambda: case_services.mediator_recuse(
                actor=staff,
                case=case,
                party=party,
                reason="被申请人称调解员与申请人系亲属关系，申请回避。",
                expected_version=case.version,
            ),
        )
        case = self.assign(community, case, 11)
        self.session(community, case, 8)
        # Concluded with an agreement: one follow-up due, one still ahead.
        case = self.register(community, 4, 40)
        case = self.assign(community, case, 39)
        case = self.session(community, case, 34)
        self.agreement(community, case, 4, 30, [25, 60])
        # Failed, waiting for the next step.
        case = self.register(community, 5, 25)
        case = self.assign(community, case, 24)
        case = self.session(community, case, 20)
        self.step(
            self.ago(19, 17),
            lambda: case_services.case_conclude(
                actor=staff,
                case=case,
                outcome=Outcome.FAILED,
                note="双方对赔偿金额差距过大，调解不成。",
                expected_version=case.version,
            ),
        )
        # Failed, referred to the court, judged: closed.
        case = self.register(community, 6, 55)
        case = self.assign(community, case, 54)
        case = self.session(community, case, 50)
        case = self.step(
            self.ago(48, 17),
            lambda: case_services.case_conclude(
                actor=staff,
                case=case,
                outcome=Outcome.FAILED,
                note="一方拒绝调解方案。",
                expected_version=case.version,
            ),
        )
        referral = self.step(
            self.ago(47, 10),
            lambda: referrals.case_refer(
                actor=staff,
                case=case,
                receiving_kind=ReceivingKind.COURT,
                receiving_body=f"{community.district.name}人民法院诉讼服务中心",
                reason="人民调解不成，当事人同意诉调对接，移送法院。",
                expected_version=case.version,
            ),
        )
        self.step(
            self.ago(20, 15),
            lambda: referrals.referral_result_record(
                actor=staff,
                referral=referral,
                result=ReferralResult.SETTLED,
                note="法院诉前调解达成协议并出具民事调解书。",
            ),
        )
        # Referred at once (out of the community's reach), awaiting the answer.
        case = self.register(community, 7, 12)
        self.step(
            self.ago(10, 11),
            lambda: referrals.case_refer(
                actor=staff,
                case=case,
                receiving_kind=ReceivingKind.ARBITRATION,
                receiving_body=f"{community.district.name}劳动人事争议仲裁委员会",
                reason="劳动报酬争议，依法应先行仲裁。",
                expected_version=case.version,
            ),
        )

    # --- three-zero ---

    def three_zero(self) -> None:
        last_year = self.today.year - 1
        new_year = datetime.combine(date(self.today.year, 1, 1), time.min, tzinfo=self.zone)
        review_at = max(min(self.at(date(self.today.year, 1, 15)), self.now - timedelta(minutes=20)), new_year)
        applied_at = self.at(date(last_year, 12, 20), 10)
        for index, community in enumerate(self.communities):
            staff = community.staff
            if index == 1:
                self.step(
                    self.at(date(last_year, 6, 3), 11),
                    partial(
                        threezero.incident_record,
                        actor=staff,
                        kind=IncidentKind.PETITION,
                        occurred_on=date(last_year, 6, 2),
                        summary="居民因拆迁补偿问题到市信访局上访。",
                        place=community.grids[0],
                        reference=f"信访-{last_year}-0117",
                        today=date(last_year, 6, 3),
                    ),
                )
            if index == 2:
                self.step(
                    self.at(date(last_year, 9, 12), 9),
                    partial(
                        threezero.incident_record,
                        actor=staff,
                        kind=IncidentKind.ACCIDENT,
                        occurred_on=date(last_year, 9, 11),
                        summary="电动自行车在楼道充电起火，无人员伤亡。",
                        place=community.grids[-1],
                        today=date(last_year, 9, 12),
                    ),
                )
            application = self.step(
                applied_at,
                partial(
                    threezero.application_apply,
                    actor=staff,
                    year=last_year,
                    place=community.place,
                    statement="本社区全年开展矛盾纠纷月度排查，未发生安全事故、上访和刑事治安案件。",
                    at=applied_at,
                ),
            )
            decision = (
                ("grant", "", False),
                ("refuse", "年内发生群众到市上访一起，不符合“零上访”条件。", False),
                ("grant", "火情系居民个人过失，社区及时处置未造成损失，且已开展消防整改，经研究予以认定。", True),
                None,
            )[min(index, 3)]
            if decision is None:
                continue
            action, reason, override = decision
            self.step(
                review_at,
                partial(
                    threezero.application_review,
                    actor=community.district_staff,
                    application=application,
                    decision=action,
                    reason=reason,
                    override=override,
                    expected_version=application.version,
                    at=review_at,
                ),
            )
        first = self.communities[0]
        self.step(
            applied_at,
            lambda: threezero.application_apply(
                actor=first.street_staff,
                year=last_year,
                place=first.street,
                statement="街道全年“三零”创建。",
                at=applied_at,
            ),
        )
        unit = ResidentUnit.objects.filter(place__path__startswith=first.place.path).order_by("pk").first()
        if unit is not None:
            self.step(
                applied_at,
                lambda: threezero.application_apply(
                    actor=first.staff, year=last_year, unit=unit, statement="本单位全年安全生产无事故。", at=applied_at
                ),
            )

    # --- the whole ---

    def build(self) -> Summary:
        started = perf_counter()
        summary = Summary()
        if not self.choose():
            return summary
        self.roster()
        for index, community in enumerate(self.communities):
            entries = self.screenings(community)
            self.cases(community, entries, full=index < 2)
        self.three_zero()
        summary.communities = [community.place.name for community in self.communities]
        summary.seconds = perf_counter() - started
        summary.counts = demo_mediation_counts()
        return summary


class Command(DemoFillCommand):
    help = (
        "Fill the demo city with the resolution of disputes: mediators' rosters, this month's screenings (some grids "
        "left unscreened), dispute cases at every step with agreements, follow-ups and referrals, and last year's "
        "three-zero applications, all made through the services."
    )
    default_seed = DEFAULT_SEED
    max_communities = MAX_COMMUNITIES
    seed_help = "the same seed gives the same disputes"
    if_empty_help = "do nothing when mediators, screenings, cases or three-zero records exist already"
    debug_help = "build even though DEBUG is off: the demo parties have made-up names, phone and ID numbers"
    debug_refusal = gettext_lazy(
        "DEBUG is off, so this may be a production database. The demo parties have made-up names, phone and ID "
        "numbers; add --allow-without-debug if you really want them here."
    )
    there_already = gettext_lazy("Mediation records are there already: nothing is added.")
    cannot_again = gettext_lazy(
        "Mediators, screenings, dispute cases or three-zero records exist already; their events cannot be deleted. "
        "Rebuild the demo database (make demo) to fill it again."
    )
    filling = gettext_lazy("Filling the demo city with dispute resolution (seed %(seed)d)…")

    def exists(self) -> bool:
        return demo_mediation_exists()

    def build(self, *, seed: int, communities: int, log: Callable[[str], Any]) -> Summary:
        return _Demo(seed=seed, limit=communities, log=log).build()

    def after(self, summary: Any) -> None:
        self.stdout.write(self.style.SUCCESS(_("Dispute cases: %(url)s") % {"url": reverse("mediation:case-list")}))
        self.stdout.write(_("Three-zero units: %(url)s") % {"url": reverse("threezero:application-list")})
