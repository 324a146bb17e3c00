"""Fill the demo city with residents' deliberation (议事) and the yearly public-interest projects (民生实事), made
through the services.

In the first inhabited communities (by code, those with community staff and buildings; at most ``--communities``) a
dozen registered residents get their accounts (as a first phone sign-in opens them). Each community has deliberations
at every step: one decided at a meeting whose decision became a matter of the closed loop, one decided and proposed as
a 民生实事 project, one whose vote has ended and whose meeting is due (the staff reminded), one open with votes and
comments coming in — and the first community one cancelled. Each community has last year's programme done (proposals
screened, one rejected with its reason, the vote, two items chosen and carried out with progress updates and a photo)
and this year's: voting in the first community, collecting proposals in the others.

Each step runs on the simulated clock (``gridwork.demo.clock``) at its moment, so the histories read as they would
have happened; everything is dated relative to today. The same seed gives the same people and votes.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from time import perf_counter
from typing import Any, TypeVar

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageDraw

from gridwork.accounts.models import User, UserKind
from gridwork.accounts.roles import Role
from gridwork.accounts.services import phone_is_valid, resident_username
from gridwork.audit.services import audit_record
from gridwork.common.masking import mask_phone
from gridwork.deliberation import services
from gridwork.deliberation.flows import ProgrammeAction
from gridwork.deliberation.models import (
    Deliberation,
    DeliberationComment,
    DeliberationOption,
    DeliberationVote,
    MeetingRecord,
    Programme,
    ProgressUpdate,
    Proposal,
    ProposalVote,
)
from gridwork.demo.build import demo_staff
from gridwork.demo.clock import clock
from gridwork.demo.fill import DemoFillCommand
from gridwork.demo.plan import CITY_CODE, DEFAULT_SEED
from gridwork.matters.photos import clean_photo
from gridwork.matters.workflow import MatterKind
from gridwork.people.models import Resident
from gridwork.places.models import Place, PlaceLevel

MAX_COMMUNITIES = 3
RESIDENTS_PER_COMMUNITY = 12
T = TypeVar("T")

# (topic, background, options, decision, the option the meeting chose)
ELEVATOR = (
    "老旧楼栋是否加装电梯",
    "小区多栋楼建于上世纪九十年代，六七层无电梯，老年住户上下楼困难。部分居民提出加装电梯，也有低层住户担心采光和"
    "费用分摊。社区请居民就是否推进加装电梯发表意见。",
    ["同意加装，按楼层分摊费用", "同意加装，但需政府补贴后再推进", "暂不加装"],
    "议事会决定：对三分之二以上住户同意的楼栋先行推进加装电梯，费用按楼层系数分摊，社区协助向街道申请补贴；"
    "由社区建档跟进，协调住建部门办理手续。",
    0,
)
SQUARE = (
    "小区健身广场改造方案",
    "小区中心广场地面破损，健身器材老化，晚间跳广场舞的居民与周边住户因噪音多次发生矛盾。",
    ["改造为健身广场并划定活动时段", "改为儿童游乐场", "维持现状只做修补"],
    "议事会决定：改造为健身广场，增设塑胶地面和适老化器材，划定晚间活动结束时间为21点；申请列入年度民生实事。",
    0,
)
PARKING = (
    "新增停车位如何分配",
    "小区整治后新增停车位二十余个，远少于登记需求，需要确定公平的分配办法。",
    ["按登记先后顺序", "公开摇号", "优先照顾老弱病残家庭，其余摇号"],
    "",
    2,
)
GARBAGE = (
    "垃圾分类投放点位调整",
    "现有两处垃圾投放点距离部分楼栋较远，且靠近住户窗口有异味，拟调整点位并实行定时定点投放。",
    ["调整到小区东西两侧并定时投放", "保持现有点位，增加清运频次", "每栋楼下设置投放点"],
    "",
    0,
)
CANCELLED = (
    "是否更换物业公司",
    "部分业主对物业服务不满意，提出更换物业公司。",
    ["更换", "不更换，限期整改"],
    "",
    1,
)
COMMENTS = (
    "支持，家里老人上下楼太难了。",
    "费用怎么分摊要提前公示清楚。",
    "建议先在一栋楼试点，成功了再推广。",
    "希望施工期间注意安全，别影响孩子上学。",
    "一楼住户的意见也要听一听。",
)
# (title, description, cost, location)
PROPOSALS = (
    ("修缮小区主干道路面", "主干道多处坑洼积水，老人和孩子容易摔倒，建议整体铺设沥青路面。", "180000", "小区主干道"),
    ("楼道加装感应照明", "多栋楼道照明损坏，夜间上下楼不安全，建议更换为声光感应灯。", "36000", "各楼栋楼道"),
    ("建设电动自行车集中充电棚", "居民在楼道飞线充电，火灾隐患大，建议集中建设充电棚。", "85000", "小区北侧空地"),
    ("增设休闲座椅和遮阳亭", "小区缺少休息座椅，老人散步无处歇脚。", "42000", "中心花园"),
    ("建地下停车库", "停车难问题突出，建议建设地下停车库。", "3500000", "中心广场地下"),
)
REJECTED_REASON = "投资规模超出社区民生实事范围，且需规划审批；已转报街道纳入片区更新规划研究。"
PROGRESS = (
    (30, "完成方案设计和公示，施工单位已进场。"),
    (70, "主体施工完成，正在进行附属设施安装。"),
    (100, "工程完工，社区组织居民代表验收合格。"),
)


@dataclass
class _Community:
    place: Place
    staff: User
    building: Place
    residents: list[User] = field(default_factory=list)


@dataclass
class Summary:
    communities: list[str] = field(default_factory=list)
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    demo_phone: str = ""


def demo_deliberation_exists() -> bool:
    return Deliberation.objects.exists() or Programme.objects.exists()


def demo_deliberation_counts() -> dict[str, int]:
    counts = {
        "deliberations": Deliberation.objects.count(),
        "options": DeliberationOption.objects.count(),
        "votes": DeliberationVote.objects.count(),
        "comments": DeliberationComment.objects.count(),
        "meeting records": MeetingRecord.objects.count(),
        "decisions filed as matters": Deliberation.objects.filter(matter__isnull=False).count(),
        "programmes (民生实事)": Programme.objects.count(),
        "project proposals": Proposal.objects.count(),
        "project votes": ProposalVote.objects.count(),
        "progress updates": ProgressUpdate.objects.count(),
    }
    for state, count in Deliberation.objects.values_list("state").annotate(n=Count("id")).order_by("state"):
        counts[f"  deliberations {state}"] = count
    return counts


def _photo(rng: random.Random, label: int) -> Any:
    """A drawn photo of the works (a paved path and a bench), re-encoded like any upload."""
    image = Image.new("RGB", (640, 480), (170 + rng.randint(0, 40), 200, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 300, 640, 480), fill=(90, 90, 95))
    draw.rectangle((60 + label * 20, 250, 260 + label * 20, 270), fill=(140, 90, 40))
    draw.rectangle((80 + label * 20, 270, 90 + label * 20, 300), fill=(60, 60, 60))
    draw.rectangle((230 + label * 20, 270, 240 + label * 20, 300), fill=(60, 60, 60))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    buffer.seek(0)
    return clean_photo(buffer, original_name="progress.png")


class _Demo:
    def __init__(self, *, seed: int, limit: int, log: Callable[[str], Any]) -> None:
        self.seed, self.limit, self.log = seed, limit, log
        self.zone = timezone.get_current_timezone()
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.communities: list[_Community] = []

    # --- time and chance ---

    def rng(self, *key: object) -> random.Random:
        return random.Random(":".join(str(part) for part in (self.seed, "deliberation", *key)))

    def at(self, day: date, hour: float = 10) -> datetime:
        moment = datetime.combine(day, time.min, tzinfo=self.zone) + timedelta(minutes=round(hour * 60))
        return min(moment, self.now - timedelta(minutes=30))

    def ago(self, days: float, hour: float = 10) -> datetime:
        return self.at(self.today - timedelta(days=days), hour)

    def step(self, moment: datetime, service: Callable[..., T], **kwargs: Any) -> T:
        """Run ``service`` at ``moment`` of the simulated clock, with ``at=moment``."""
        with clock(moment):
            return service(**kwargs, at=moment)

    # --- who ---

    def account(self, resident: Resident) -> User | None:
        """The resident's account, opened as a first phone sign-in opens it (None if the phone is someone else's)."""
        if resident.user_id is not None:
            return resident.user
        phone = resident.phone
        if (
            not phone_is_valid(phone)
            or User.objects.filter(Q(phone=phone) | Q(username=resident_username(phone))).exists()
        ):
            return None
        user = User.objects.create_user(
            username=resident_username(phone),
            password=None,
            kind=UserKind.RESIDENT,
            phone=phone,
            full_name=resident.name,
            date_joined=timezone.now(),
        )
        Resident.objects.filter(pk=resident.pk).update(user=user)
        resident.user = user
        audit_record(actor=user, action="resident_account.create", target=user, detail={"phone": mask_phone(phone)})
        return user

    def choose(self) -> bool:
        city = Place.objects.get(code=CITY_CODE)
        inhabited = set(
            Place.objects.filter(level=PlaceLevel.GRID, path__startswith=city.path, households__gt=0).values_list(
                "parent_id", flat=True
            )
        )
        for place in Place.objects.filter(level=PlaceLevel.COMMUNITY, pk__in=inhabited).order_by("code"):
            if len(self.communities) >= self.limit:
                break
            staff = demo_staff(Role.COMMUNITY_STAFF, place)
            building = (
                Place.objects.filter(level=PlaceLevel.MICROGRID, path__startswith=place.path).order_by("path").first()
            )
            if staff is None or building is None:
                continue
            community = _Community(place=place, staff=staff, building=building)
            with clock(self.ago(60, 9)):
                residents = Resident.objects.filter(household__path__startswith=place.path).exclude(phone="")
                for resident in residents.select_related("user").order_by("id")[: RESIDENTS_PER_COMMUNITY * 2]:
                    user = self.account(resident)
                    if user is not None:
                        community.residents.append(user)
                    if len(community.residents) >= RESIDENTS_PER_COMMUNITY:
                        break
            if len(community.residents) < 6:
                continue
            self.communities.append(community)
        if not self.communities:
            self.log("No community of the demo city has staff, buildings and residents: nothing to do.")
            return False
        return True

    # --- deliberations ---

    def open(self, community: _Community, story: tuple[Any, ...], *, opened: float, days: int) -> Deliberation:
        topic, background, options, _decision, _chosen = story
        moment = self.ago(opened, 9)
        return self.step(
            moment,
            services.deliberation_open,
            actor=community.staff,
            community=community.place,
            topic=topic,
            background=background,
            options=options,
            opens_at=moment,
            closes_at=moment + timedelta(days=days),
        )

    def votes(self, community: _Community, deliberation: Deliberation, story: tuple[Any, ...], *, share: float) -> None:
        rng = self.rng("votes", deliberation.number)
        options = list(deliberation.options.order_by("position"))
        chosen = story[4]
        end = min(deliberation.closes_at, self.now - timedelta(hours=1))
        span = (end - deliberation.opens_at).total_seconds()
        voters = [user for user in community.residents if rng.random() < share]
        moments = sorted(
            deliberation.opens_at + timedelta(seconds=rng.uniform(60, max(span - 60, 120))) for _ in voters
        )
        for user, moment in zip(voters, moments, strict=True):
            option = options[chosen] if rng.random() < 0.6 else rng.choice(options)
            self.step(
                moment,
                services.deliberation_vote,
                actor=user,
                deliberation=deliberation,
                option=option,
            )
        for index, user in enumerate(voters[: 2 + len(voters) // 4]):
            moment = deliberation.opens_at + timedelta(hours=3 + index * 7)
            if moment >= end:
                break
            self.step(
                moment,
                services.deliberation_comment,
                actor=user,
                deliberation=deliberation,
                text=COMMENTS[(index + rng.randint(0, 4)) % len(COMMENTS)],
            )

    def close(self, community: _Community, deliberation: Deliberation, story: tuple[Any, ...], *, held: float) -> None:
        moment = self.ago(held, 19.5)
        deliberation.refresh_from_db()
        option = deliberation.options.get(position=story[4] + 1)
        rng = self.rng("meeting", deliberation.number)
        count = rng.randint(15, 40)
        self.step(
            moment,
            services.deliberation_close,
            actor=community.staff,
            deliberation=deliberation,
            held_on=timezone.localtime(moment).date(),
            participants_count=count,
            participants=f"居民代表{count - 5}人、社区党委书记、社区居委会主任、网格员、物业公司项目经理",
            decision=story[3],
            chosen_option=option,
            expected_version=deliberation.version,
        )
        deliberation.refresh_from_db()

    def deliberations(self, community: _Community, programme: Programme, first: bool) -> None:
        decided = self.open(community, ELEVATOR, opened=40, days=14)
        self.votes(community, decided, ELEVATOR, share=0.8)
        self.close(community, decided, ELEVATOR, held=24)
        self.step(
            self.ago(23, 10),
            services.deliberation_to_matter,
            actor=community.staff,
            deliberation=decided,
            building=community.building,
            text=services.matter_text(decided),
            kind=MatterKind.COMMUNITY,
            expected_version=decided.version,
        )
        square = self.open(community, SQUARE, opened=32, days=12)
        self.votes(community, square, SQUARE, share=0.7)
        self.close(community, square, SQUARE, held=18)
        self.step(
            self.ago(17, 10),
            services.deliberation_to_proposal,
            actor=community.staff,
            deliberation=square,
            programme=programme,
            title="中心广场改造为健身广场",
            description=SQUARE[3],
            estimated_cost="150000",
            location="小区中心广场",
            expected_version=square.version,
        )
        due = self.open(community, PARKING, opened=12, days=10)
        self.votes(community, due, PARKING, share=0.9)
        reminded = self.ago(1, 8)
        with clock(reminded):
            services.deliberations_remind_meetings(now=reminded)
        live = self.open(community, GARBAGE, opened=3, days=10)
        self.votes(community, live, GARBAGE, share=0.5)
        if first:
            cancelled = self.open(community, CANCELLED, opened=20, days=10)
            self.step(
                self.ago(19, 15),
                services.deliberation_cancel,
                actor=community.staff,
                deliberation=cancelled,
                reason="该事项属业主大会职权，已引导业主委员会依法召开业主大会表决。",
                expected_version=cancelled.version,
            )

    # --- 民生实事 ---

    def programme(self, community: _Community, year: int, opened: datetime) -> Programme:
        return self.step(
            opened,
            services.programme_open,
            actor=community.staff,
            place=community.place,
            year=year,
            title=f"{community.place.name}{year}年民生实事",
            description="由居民提出、社区初审、居民投票，选出本年度一至两项民生实事，全程公开进展。",
            budget=Decimal("400000"),
            votes_per_resident=3,
            max_chosen=2,
        )

    def propose(self, community: _Community, programme: Programme, moments: list[datetime]) -> list[Proposal]:
        made = []
        for index, (title, description, cost, location) in enumerate(PROPOSALS):
            user = community.residents[index % len(community.residents)]
            made.append(
                self.step(
                    moments[index],
                    services.proposal_submit,
                    actor=user,
                    programme=programme,
                    title=title,
                    description=description,
                    estimated_cost=cost,
                    location=location,
                )
            )
        return made

    def move(self, community: _Community, programme: Programme, action: str, moment: datetime) -> None:
        programme.refresh_from_db()
        self.step(
            moment,
            services.programme_move,
            actor=community.staff,
            programme=programme,
            action=action,
            expected_version=programme.version,
        )

    def screen(self, community: _Community, programme: Programme, moment: datetime) -> None:
        for proposal in programme.proposals.filter(state="submitted").order_by("id"):
            reject = proposal.estimated_cost > Decimal("1000000")
            self.step(
                moment,
                services.proposal_screen,
                actor=community.staff,
                proposal=proposal,
                accept=not reject,
                reason=REJECTED_REASON if reject else "符合民生实事范围，纳入居民投票。",
                expected_version=proposal.version,
            )
            moment += timedelta(minutes=20)

    def vote_proposals(self, community: _Community, programme: Programme, start: datetime, end: datetime) -> None:
        rng = self.rng("ballot", programme.pk)
        ballot = list(programme.proposals.filter(state="accepted").order_by("id"))
        weights = [5, 4, 3, 2, 1, 1][: len(ballot)]
        span = (end - start).total_seconds()
        for user in community.residents:
            picks: list[Proposal] = []
            for _n in range(rng.randint(1, programme.votes_per_resident)):
                pick = rng.choices(ballot, weights=weights)[0]
                if pick not in picks:
                    picks.append(pick)
            for pick in picks:
                moment = start + timedelta(seconds=rng.uniform(0, span))
                self.step(
                    moment,
                    services.proposal_vote,
                    actor=user,
                    proposal=pick,
                )

    def last_year(self, community: _Community, year: int) -> None:
        rng = self.rng("last-year", community.place.code)
        base = datetime.combine(date(year, 3, 1), time(9), tzinfo=self.zone)
        programme = self.programme(community, year, base)
        self.propose(community, programme, [base + timedelta(days=3 + 4 * n, hours=n) for n in range(len(PROPOSALS))])
        self.move(community, programme, ProgrammeAction.START_SCREENING, base + timedelta(days=31))
        self.screen(community, programme, base + timedelta(days=33))
        self.move(community, programme, ProgrammeAction.START_VOTING, base + timedelta(days=40))
        self.vote_proposals(community, programme, base + timedelta(days=40, hours=2), base + timedelta(days=60))
        programme.refresh_from_db()
        counts = services.vote_counts(programme)
        ballot = sorted(
            programme.proposals.filter(state="accepted"),
            key=lambda proposal: (-counts.get(proposal.pk, 0), proposal.pk),
        )
        chosen = ballot[:2]
        decision = (
            "居民投票结束后，社区党委召开居民议事会，按得票多少确定"
            + "、".join(f"“{p.title}”" for p in chosen)
            + "为本年度民生实事。"
        )
        self.step(
            base + timedelta(days=62),
            services.programme_choose,
            actor=community.staff,
            programme=programme,
            chosen=chosen,
            decision=decision,
            expected_version=programme.version,
        )
        for index, proposal in enumerate(chosen):
            for step, (percent, note) in enumerate(PROGRESS):
                moment = base + timedelta(days=90 + 60 * step + 10 * index)
                proposal.refresh_from_db()
                photos = [_photo(rng, step)] if step < 2 or index == 0 else []
                self.step(
                    moment,
                    services.proposal_progress,
                    actor=community.staff,
                    proposal=proposal,
                    percent=percent,
                    note=note,
                    photos=photos,
                    expected_version=proposal.version,
                )

    def this_year(self, community: _Community, first: bool) -> Programme:
        opened = self.ago(36, 9)
        programme = self.programme(community, timezone.localtime(opened).year, opened)
        self.propose(community, programme, [self.ago(34 - 3 * n, 11 + n) for n in range(len(PROPOSALS))])
        return programme

    def after_deliberations(self, community: _Community, programme: Programme, first: bool) -> None:
        if not first:
            return
        self.move(community, programme, ProgrammeAction.START_SCREENING, self.ago(10, 9))
        self.screen(community, programme, self.ago(9, 10))
        self.move(community, programme, ProgrammeAction.START_VOTING, self.ago(7, 9))
        self.vote_proposals(community, programme, self.ago(7, 10), self.now - timedelta(hours=2))

    # --- all ---

    def build(self) -> Summary:
        started = perf_counter()
        summary = Summary()
        if not self.choose():
            return summary
        for index, community in enumerate(self.communities):
            first = index == 0
            this_year = self.this_year(community, first)
            self.last_year(community, this_year.year - 1)
            self.deliberations(community, this_year, first)
            self.after_deliberations(community, this_year, first)
        summary.communities = [community.place.name for community in self.communities]
        summary.seconds = perf_counter() - started
        summary.counts = demo_deliberation_counts()
        summary.demo_phone = self.communities[0].residents[0].phone or ""
        return summary


class Command(DemoFillCommand):
    help = (
        "Fill the demo city with residents' deliberation: deliberations at every step (decided and filed as a matter, "
        "decided and proposed as a project, meeting due, open), and last year's and this year's public-interest "
        "projects (民生实事), all made through the services."
    )
    default_seed = DEFAULT_SEED
    max_communities = MAX_COMMUNITIES
    seed_help = "the same seed gives the same votes"
    if_empty_help = "do nothing when deliberations or programmes exist already"
    debug_help = "build even though DEBUG is off: the demo opens accounts for made-up residents"
    debug_refusal = gettext_lazy(
        "DEBUG is off, so this may be a production database. The demo opens accounts for made-up residents and votes "
        "in their name; add --allow-without-debug if you really want them here."
    )
    there_already = gettext_lazy("Deliberations are there already: nothing is added.")
    cannot_again = gettext_lazy(
        "Deliberations or programmes exist already; their votes and events cannot be deleted. Rebuild the demo "
        "database (make demo) to fill it again."
    )
    filling = gettext_lazy("Filling the demo city with residents' deliberation (seed %(seed)d)…")

    def exists(self) -> bool:
        return demo_deliberation_exists()

    def build(self, *, seed: int, communities: int, log: Callable[[str], Any]) -> Summary:
        return _Demo(seed=seed, limit=communities, log=log).build()

    def after(self, summary: Any) -> None:
        self.stdout.write(self.style.SUCCESS(_("Deliberations: %(url)s") % {"url": reverse("deliberation:list")}))
        self.stdout.write(_("Public-interest projects: %(url)s") % {"url": reverse("deliberation:programme-list")})
        if summary.demo_phone:
            self.stdout.write(
                _("A verified resident who votes (sign in by phone at %(url)s): %(phone)s")
                % {"url": reverse("deliberation_public:index"), "phone": summary.demo_phone}
            )
