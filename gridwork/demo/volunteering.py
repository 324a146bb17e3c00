"""A season of party members' and volunteers' work in the demo city (issue #8), made through the services.

In the first communities of the demo city that have residents (``MAX_COMMUNITIES``), residents get their phone
accounts and act as the pages would let them: in-service members register (双报到) and the community confirms,
rejects, or sees them withdraw or move; resident units register (单位报到) through a contact; residents post
micro-wishes that the community reviews and members or units claim, fulfil with a photo and see confirmed; residents
order services from the menu, the branch issues them to the members the suggestions rank first, a member takes,
completes and is rated; points are earned by the city's rules and spent on rewards; households in difficulty are
flagged, paired and visited, and a need found on a visit becomes a micro-wish; at the end the community grades its
members for the half-year (双评价) and sends most of the grades to the employers.

Every state, event and ledger line is written by a service (``party.registrations``, ``wishes.services``,
``volunteers.services``, ``points.rules``/``rewards``/``exchanges``, ``care.services``, ``party.evaluations``), so each
object has exactly the events, ledger lines and audit rows a user's clicks make. Written directly are only the
residents' phone accounts (as ``accounts.services.phone_code_verify`` opens them at a first sign-in, which needs a
code from a phone), their link to their resident rows, and the two published demo phone numbers.

The services stamp what they write with ``timezone.now()``; so that the demo has a believable past (registrations
confirmed weeks ago, wishes waiting long enough to be flagged, points earned day by day), each story is a generator
yielding the moment of its next step, and ``_Season.run`` takes the steps of all stories in time order, each on a
simulated clock (``gridwork.demo.clock.clock``, which sets the process's clock: for a management command, never a
serving process). The season is ``SEASON_DAYS`` long and ends yesterday. Each story draws from its own seeded stream:
the same seed gives the same people, texts, states and times of day.
"""

from __future__ import annotations

import heapq
import io
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from time import perf_counter

from django.db import reset_queries, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from PIL import Image, ImageDraw

from gridwork.accounts.models import Post, User, UserKind
from gridwork.accounts.roles import Role
from gridwork.accounts.services import resident_username
from gridwork.audit.services import audit_record
from gridwork.care.models import Difficulty, HouseholdInDifficulty, Need, Pairing, Visit
from gridwork.care.services import household_flag, need_post_wish, pairing_create, visit_record
from gridwork.common.masking import mask_phone
from gridwork.demo.clock import clock
from gridwork.demo.plan import CITY_CODE, DEFAULT_SEED
from gridwork.party.evaluations import evaluations_send, member_evaluate
from gridwork.party.models import (
    EvaluationGrade,
    MemberEvaluation,
    MemberRegistration,
    UnitContact,
    UnitRegistration,
)
from gridwork.party.periods import Period, PeriodKind
from gridwork.party.registrations import (
    registration_confirm,
    registration_reject,
    registration_submit,
    registration_withdraw,
    unit_contact_add,
    unit_registration_confirm,
    unit_registration_reject,
    unit_registration_submit,
)
from gridwork.party.skills import Skill
from gridwork.people.models import Resident, ResidentUnit, ResidentUnitKind
from gridwork.places.models import Department, DepartmentKind, Place, PlaceLevel
from gridwork.points.exchanges import exchange_approve, exchange_reject, exchange_request
from gridwork.points.models import Exchange, PointAccount, PointBasis, PointEntry, PointRule, Reward
from gridwork.points.rewards import reward_create
from gridwork.points.rules import point_rule_create
from gridwork.points.services import point_rule_on
from gridwork.volunteers.models import OrderState, ServiceItem, ServiceOrder
from gridwork.volunteers.services import (
    order_cancel,
    order_complete,
    order_decline,
    order_give_back,
    order_issue,
    order_place,
    order_rate,
    order_take,
    service_item_create,
)
from gridwork.volunteers.suggestions import order_suggestions
from gridwork.wishes.models import Wish
from gridwork.wishes.services import (
    wish_cancel,
    wish_claim,
    wish_confirm,
    wish_fulfil,
    wish_post,
    wish_release,
    wish_review,
)

SEASON_DAYS = 75
DAY_STARTS, DAY_ENDS = 8, 22  # people act between these hours
MAX_COMMUNITIES = 8
MEMBERS_PER_COMMUNITY = 7
# The two demo people who sign in by phone (demo_logins prints them): a party member of the first community and the
# contact of their employer, a resident unit of the same street.
DEMO_MEMBER_PHONE = "13800000001"
DEMO_UNIT_CONTACT_PHONE = "13800000002"
RULES = (
    (PointBasis.SERVICE_HOUR, 10, "每小时志愿服务"),
    (PointBasis.WISH, 20, "每圆梦一个微心愿"),
    (PointBasis.ACTIVITY, 5, "每参加一次活动"),
)

Story = Iterator[datetime]

# --- what people write -------------------------------------------------------------------------------------------

WISHES = (
    ("一台电暖器", "家里的取暖器坏了，冬天屋里太冷，想要一台小电暖器。", 199),
    ("一副老花镜", "眼睛花了，看不清药盒上的小字，想配一副老花镜。", 80),
    ("几本课外读物", "孙子上四年级，爱看书，想给他买几本课外书。", 120),
    ("一床冬季棉被", "家里的被子用了十几年，已经不保暖了。", 260),
    ("一个助行器", "腿脚不便，出门买菜需要一个助行器。", 300),
    ("一台电子血压计", "患高血压多年，想在家自己量血压。", 180),
    ("新书包和文具", "孩子开学了，想要一个新书包和一套文具。", 150),
    ("一双保暖棉鞋", "想要一双防滑保暖的棉鞋过冬。", 90),
    ("一盏学习台灯", "孩子晚上写作业，家里的灯光太暗。", 100),
    ("一台收音机", "一个人在家，想听听戏曲和新闻。", 120),
    ("一个轮椅坐垫", "长期坐轮椅，想要一个防褥疮坐垫。", 150),
    ("一套秋冬衣服", "孩子长高了，想要两套合身的秋冬衣服。", 200),
    ("一本英汉词典", "上初二了，学英语想要一本英汉词典。", 60),
    ("一副羽毛球拍", "孩子喜欢运动，想要一副羽毛球拍。", 130),
    ("一个电饭煲", "家里的电饭煲坏了，想换一个小的。", 160),
    ("窗户防风条", "窗户漏风，想要防风密封条，最好能帮忙装上。", 60),
)
WISH_REJECTED = "该心愿属于临时救助范围，社区已协助申请临时救助，不再作为微心愿发布。"
WISH_PUBLISHED = "经入户核实，情况属实，同意发布。"
WISH_CANCELLED = ("家里人已经帮忙买好了，谢谢大家。", "子女回来时已经买了，撤回心愿。")
WISH_RELEASED = "单位临时安排出差两周，无法按时完成，请其他同志认领。"
WISH_FULFILLED = (
    "已将物品送到家中，并当面演示了使用方法。",
    "已送到，孩子很喜欢。",
    "已上门送达并帮忙安装好。",
    "已送到老人手中，老人很高兴。",
)

CITY_MENU = (
    ("上门探访独居老人", "陪老人聊聊天，了解生活需要，每次约一小时。", Skill.VISITING_ELDERLY),
    ("课业辅导", "小学、初中课业辅导，放学后或周末。", Skill.TUTORING),
    ("家电小修", "更换灯泡、疏通下水、修理水龙头等小修小补。", Skill.HOUSEHOLD_REPAIRS),
    ("法律咨询", "婚姻家庭、劳动纠纷、赡养继承等法律问题咨询。", Skill.LEGAL_ADVICE),
    ("健康义诊", "测血压、测血糖、用药指导。", Skill.HEALTH_CARE),
    ("智能手机教学", "教老人用智能手机：视频通话、网上缴费、预约挂号。", Skill.IT_HELP),
    ("楼道清扫", "楼道和单元门口的卫生清扫、杂物清理。", Skill.ENVIRONMENT),
    ("心理疏导", "倾听与疏导，必要时转介专业机构。", Skill.COUNSELLING),
)
COMMUNITY_MENU = (
    ("代购代取药品", "为行动不便的居民代购生活用品、代取药品。", Skill.OTHER),
    ("上门理发", "为卧床和行动不便的老人上门理发。", Skill.OTHER),
    ("陪同就医", "陪同老人到医院就诊、取药。", Skill.HEALTH_CARE),
    ("广场舞和合唱辅导", "社区文艺队的排练辅导。", Skill.CULTURE_SPORTS),
)
ORDER_TEXTS = ("帮忙把旧衣柜搬下楼", "家里的网络连不上，想请人看看路由器", "想找人帮忙填写养老保险资格认证材料")
ORDER_DONE = ("已按约定时间上门，服务完成。", "已完成，居民表示满意。", "已上门处理好，留了联系方式，有需要再联系。")
ORDER_DECLINED = "该需求属于物业维修责任范围，已转交物业服务中心处理。"
ORDER_CANCELLED = ("孩子周末回来了，可以帮我弄，先取消。", "时间安排不开，改天再约。")
ORDER_GIVEN_BACK = "单位临时安排加班，无法按时上门，请其他同志接单。"
RATINGS = {
    5: ("党员同志很耐心，非常满意！", "服务及时周到，谢谢！", "准时上门，态度很好。"),
    4: ("服务不错，就是来得稍晚一点。", "挺好的，谢谢。"),
    3: ("问题基本解决了。",),
}

CITY_REWARDS = (("志愿服务纪念徽章", "明川市志愿服务积分纪念徽章一枚。", 20, None),)
STREET_REWARDS = (("大米5公斤", "优质东北大米一袋。", 120, 20), ("食用油5升", "非转基因大豆油一桶。", 100, 20))
COMMUNITY_REWARDS = (
    ("洗衣液一瓶", "2公斤装洗衣液一瓶。", 40, 30),
    ("社区理发券", "社区便民理发点理发一次。", 30, None),
    ("保温杯", "不锈钢保温杯一个。", 60, 10),
    ("电影票两张", "社区影院电影票两张。", 80, 10),
)
EXCHANGE_REJECTED = "本月兑换名额已满，请下月再来兑换。"

UNIT_OFFERS: dict[str, str] = {
    ResidentUnitKind.SCHOOL: "可提供课业辅导志愿者8名，周末向社区开放操场。",
    ResidentUnitKind.HOSPITAL: "每月组织一次健康义诊，可提供医护志愿者5名。",
    ResidentUnitKind.STATE_ENTERPRISE: "可提供电工、维修志愿者6名，协助老旧小区线路检查。",
    ResidentUnitKind.GOVERNMENT: "每季度开展一次政策宣讲，可提供志愿者4名。",
    ResidentUnitKind.PRIVATE_ENTERPRISE: "可捐助慰问物资，提供志愿者5名。",
    ResidentUnitKind.SOCIAL_ORGANISATION: "可提供心理疏导和社工服务，每周两个半天。",
}
UNIT_REJECTED = "请补充单位党组织书记的姓名和联系电话后重新报到。"
MEMBER_REJECTED = "所选楼栋与您的实际住址不符，请选择实际居住的楼栋后重新报到。"
SKILL_WEIGHTS = {
    Skill.VISITING_ELDERLY: 5,
    Skill.TUTORING: 4,
    Skill.HOUSEHOLD_REPAIRS: 4,
    Skill.LEGAL_ADVICE: 1,
    Skill.HEALTH_CARE: 2,
    Skill.IT_HELP: 3,
    Skill.ENVIRONMENT: 3,
    Skill.CULTURE_SPORTS: 2,
    Skill.COUNSELLING: 1,
}


@dataclass(frozen=True)
class HouseholdPlan:
    kinds: tuple[str, ...]
    note: str
    visit: str
    needs: tuple[str, ...]


HOUSEHOLDS = (
    HouseholdPlan(
        (Difficulty.ELDERLY_ALONE,),
        "老人独居，子女在外地工作。",
        "老人身体状况稳定，血压偏高，已提醒按时服药。家中电暖器损坏，冬季取暖困难。",
        ("电暖器损坏，需要更换", "希望每周有人陪同去菜市场买菜"),
    ),
    HouseholdPlan(
        (Difficulty.MINIMUM_LIVING, Difficulty.DISABILITY),
        "户主肢体残疾，享受城市低保。",
        "低保金按时发放，家中卫生状况一般，已协助打扫。户主想了解残疾人辅助器具的申领政策。",
        ("了解残疾人辅助器具申领政策",),
    ),
    HouseholdPlan(
        (Difficulty.LEFT_BEHIND_CHILD,),
        "父母在外务工，孩子由祖母照看。",
        "孩子学习情况良好，数学稍弱，祖母身体尚可。",
        ("孩子需要数学课业辅导",),
    ),
    HouseholdPlan(
        (Difficulty.SERIOUS_ILLNESS,),
        "家庭成员患重病，长期治疗，医疗支出大。",
        "病人正在治疗，家属情绪低落，已做心理疏导，并告知大病医疗救助的申请流程。",
        (),
    ),
)
NEED_WISH = ("一台新电暖器", "走访发现独居老人家中电暖器损坏，冬季取暖困难，社区代为发布心愿。", 220)
GRID_VISIT = "网格员例行走访，家中情况稳定，无新增需求。"
EVALUATION_COMMENTS = {
    EvaluationGrade.EXCELLENT: "报到以来积极参加社区志愿服务，认领并完成微心愿，居民评价好。",
    EvaluationGrade.COMPETENT: "能够参加社区志愿服务，服务态度好。",
    EvaluationGrade.BASICALLY_COMPETENT: "报到以来参加社区服务较少，希望多参与网格志愿服务。",
}


# --- the people and places of the season ---------------------------------------------------------------------------


@dataclass(eq=False)
class _Person:
    """A resident of the demo city who takes part; their phone account is opened at their first step."""

    resident: Resident
    household: Place
    building: Place
    age: int
    phone: str
    user: User | None = None

    @property
    def name(self) -> str:
        return self.resident.name


@dataclass(eq=False)
class _Member:
    person: _Person
    registration: MemberRegistration

    @property
    def user(self) -> User:
        assert self.person.user is not None
        return self.person.user


@dataclass(eq=False)
class _Community:
    index: int
    place: Place
    street: Place
    district: Place
    staff: User
    street_staff: User
    grid_workers: dict[int, User]
    buildings: list[Place]
    people: list[_Person]  # adults with a phone, in a seeded order
    households: dict[int, list[Resident]]
    members: list[_Member] = field(default_factory=list)  # confirmed and staying, filled as the season goes
    units: list[tuple[ResidentUnit, User]] = field(default_factory=list)  # confirmed unit registrations
    menu: list[ServiceItem] = field(default_factory=list)  # its own and the city's


@dataclass
class VolunteeringSummary:
    seconds: float
    communities: list[str]
    counts: dict[str, int]


def _age(id_number: str, on: date) -> int:
    try:
        born = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return 0
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _photo(rng: random.Random) -> io.BytesIO:
    """A photo of a gift handed over: a soft background and a wrapped box (640 × 480 JPEG)."""
    width, height = 640, 480
    top = (rng.randint(200, 240), rng.randint(210, 240), rng.randint(220, 250))
    bottom = (rng.randint(150, 190), rng.randint(160, 200), rng.randint(170, 210))
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        share = y / height
        draw.line(
            [(0, y), (width, y)], fill=tuple(round(a + (b - a) * share) for a, b in zip(top, bottom, strict=True))
        )
    box = (rng.choice([(200, 40, 40), (40, 120, 200), (230, 150, 30), (60, 150, 90)]), (250, 215, 80))
    left, right, upper, lower = 220, 420, 200, 380
    draw.rectangle([left, upper, right, lower], fill=box[0])
    draw.rectangle([left - 10, upper - 40, right + 10, upper], fill=box[0])
    middle = (left + right) // 2
    draw.rectangle([middle - 12, upper - 40, middle + 12, lower], fill=box[1])
    draw.ellipse([middle - 50, upper - 80, middle, upper - 40], outline=box[1], width=10)
    draw.ellipse([middle, upper - 80, middle + 50, upper - 40], outline=box[1], width=10)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82)
    buffer.seek(0)
    buffer.name = "fulfilled.jpg"
    return buffer


# --- the season ------------------------------------------------------------------------------------------------------


class _Season:
    """The stories of the season and what they share: the communities, the staff, the demo people, the units."""

    def __init__(self, *, seed: int, until: datetime) -> None:
        self.seed = seed
        self.zone = timezone.get_default_timezone()
        self.first_day = timezone.localtime(until, self.zone).date() - timedelta(days=SEASON_DAYS)
        self.stories: list[tuple[str, Story]] = []
        self.queue: list[tuple[datetime, int]] = []
        self.running: datetime | None = None  # the moment of the step being taken
        self.communities: list[_Community] = []
        self.active: dict[int, _Member] = {}  # by registration: the members who stay, once confirmed
        self.contacts: dict[int, User] = {}  # by unit
        self.demo_member: _Member | None = None
        self.demo_person: _Person | None = None
        self.demo_unit: ResidentUnit | None = None
        self.city_staff: User | None = None

    # --- time ---

    def moment(self, day: int, hour: float) -> datetime:
        """``hour`` o'clock (China time) of the season's ``day`` (0 the first, ``SEASON_DAYS - 1`` yesterday)."""
        if not 0 <= day < SEASON_DAYS:
            raise ValueError(f"day {day} is outside the season")
        start = datetime.combine(self.first_day + timedelta(days=day), time.min, tzinfo=self.zone)
        return start + timedelta(minutes=round(hour * 60))

    def day_of(self, moment: datetime) -> int:
        return (timezone.localtime(moment, self.zone).date() - self.first_day).days

    def later(self, moment: datetime, rng: random.Random, *, hours: tuple[float, float]) -> datetime:
        """Some ``hours`` after ``moment``, to the minute, moved out of the night (22:00–8:00) to the next morning,
        and never past the season's last evening."""
        local = timezone.localtime(moment + timedelta(hours=rng.uniform(*hours)), self.zone).replace(
            second=0, microsecond=0
        )
        if local.hour >= DAY_ENDS:
            local = local.replace(hour=DAY_STARTS, minute=0) + timedelta(days=1, minutes=rng.randint(0, 120))
        elif local.hour < DAY_STARTS:
            local = local.replace(hour=DAY_STARTS, minute=0) + timedelta(minutes=rng.randint(0, 120))
        return max(moment, min(local, self.moment(SEASON_DAYS - 1, DAY_ENDS - 0.5)))

    def rng(self, *key: object) -> random.Random:
        return random.Random(":".join(str(part) for part in (self.seed, "volunteering", *key)))

    def add(self, name: str, story: Story) -> None:
        """Add a story; one added while the season runs (by another story) starts no earlier than now."""
        self.stories.append((name, story))
        if self.running is not None:
            self._start(len(self.stories) - 1, not_before=self.running)

    def _start(self, order: int, *, not_before: datetime | None = None) -> None:
        name, story = self.stories[order]
        first = next(story, None)  # a story yields its first moment before it writes anything
        if first is not None:
            if not_before is not None and first < not_before:
                raise RuntimeError(f"Demo story “{name}” would start at {first}, before {not_before}.")
            heapq.heappush(self.queue, (first, order))

    def run(self) -> int:
        """Take the stories' steps in time order, each on the simulated clock; return how many steps were taken."""
        for order in range(len(self.stories)):
            self._start(order)
        steps = 0
        while self.queue:
            moment, order = heapq.heappop(self.queue)
            name, story = self.stories[order]
            self.running = moment
            try:
                with clock(moment):
                    following = next(story, None)
            except Exception as error:
                raise RuntimeError(f"Demo story “{name}” failed at {moment:%Y-%m-%d %H:%M}: {error!r}") from error
            finally:
                self.running = None
            steps += 1
            if steps % 200 == 0:
                reset_queries()  # with DEBUG on, the logged SQL would pile up
            if following is not None:
                if following < moment:
                    raise RuntimeError(f"Demo story “{name}” went back in time from {moment} to {following}.")
                heapq.heappush(self.queue, (following, order))
        return steps

    # --- people ---

    def account(self, person: _Person) -> User:
        """The person's resident account, opened now as a first phone sign-in opens it."""
        if person.user is None:
            person.user = User.objects.create_user(
                username=resident_username(person.phone),
                password=None,
                kind=UserKind.RESIDENT,
                phone=person.phone,
                full_name=person.name,
                date_joined=timezone.now(),
            )
            Resident.objects.filter(pk=person.resident.pk).update(user=person.user, phone=person.phone)
            audit_record(
                actor=person.user,
                action="resident_account.create",
                target=person.user,
                detail={"phone": mask_phone(person.phone)},
            )
        return person.user

    def contact(self, unit: ResidentUnit, street_staff: User) -> User:
        """The account that speaks for ``unit``, added by the street's staff the first time the unit acts."""
        if unit.pk not in self.contacts:
            phone = DEMO_UNIT_CONTACT_PHONE if unit == self.demo_unit else unit.contact_phone
            if unit == self.demo_unit:
                ResidentUnit.objects.filter(pk=unit.pk).update(contact_phone=phone)
            user = User.objects.create_user(
                username=resident_username(phone),
                password=None,
                kind=UserKind.RESIDENT,
                phone=phone,
                full_name=unit.contact_name,
                date_joined=timezone.now(),
            )
            unit_contact_add(actor=street_staff, unit=unit, user=user)
            self.contacts[unit.pk] = user
        return self.contacts[unit.pk]

    def pick_member(self, community: _Community, rng: random.Random) -> _Member:
        """A member of the community to claim or pair, never the demo member (whose stories are set)."""
        others = [member for member in community.members if member is not self.demo_member]
        return rng.choice(others or community.members)


# --- choosing the communities and people -----------------------------------------------------------------------------


def _first_post(role: str, place_ids: list[int]) -> dict[int, User]:
    found: dict[int, User] = {}
    for post in (
        Post.objects.filter(role=role, place_id__in=place_ids, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    ):
        found.setdefault(post.place_id, post.user)
    return found


def _communities(season: _Season, limit: int) -> list[_Community]:
    """The first ``limit`` communities (by code) with at least twenty adults who have a phone, and their staff."""
    city = Place.objects.get(code=CITY_CODE)
    city_staff = _first_post(Role.CITY_STAFF, [city.pk]).get(city.pk)
    if city_staff is None:
        raise RuntimeError("The demo city has no city staff account.")
    season.city_staff = city_staff
    end = season.first_day + timedelta(days=SEASON_DAYS)
    chosen: list[_Community] = []
    # Only some communities have households (the demo city's showcase ones): read which from the households' paths.
    community_depth = 3  # /city/district/street/community/…
    inhabited = {
        path.strip("/").split("/")[community_depth]
        for path in Place.objects.filter(level=PlaceLevel.HOUSEHOLD, path__startswith=city.path).values_list(
            "path", flat=True
        )
    }
    for place in Place.objects.filter(level=PlaceLevel.COMMUNITY, code__in=inhabited).order_by("code"):
        if len(chosen) >= limit:
            break
        residents = list(
            Resident.objects.filter(household__path__startswith=place.path, user__isnull=True)
            .select_related("household")
            .order_by("pk")
        )
        buildings = {b.pk: b for b in Place.objects.filter(level=PlaceLevel.MICROGRID, path__startswith=place.path)}
        people = [
            _Person(r, r.household, buildings[r.household.parent_id or 0], _age(r.id_number, end), r.phone)
            for r in residents
            if r.phone and (r.household.parent_id or 0) in buildings and _age(r.id_number, end) >= 18
        ]
        street = Place.objects.get(pk=place.parent_id or 0)
        district = Place.objects.get(pk=street.parent_id or 0)
        staff = _first_post(Role.COMMUNITY_STAFF, [place.pk]).get(place.pk)
        street_staff = _first_post(Role.STREET_STAFF, [street.pk]).get(street.pk)
        if len(people) < 20 or staff is None or street_staff is None:
            continue
        grids = list(Place.objects.filter(parent=place, level=PlaceLevel.GRID).values_list("pk", flat=True))
        households: dict[int, list[Resident]] = defaultdict(list)
        for resident in residents:
            households[resident.household_id].append(resident)
        season.rng("people", place.code).shuffle(people)
        chosen.append(
            _Community(
                index=len(chosen),
                place=place,
                street=street,
                district=district,
                staff=staff,
                street_staff=street_staff,
                grid_workers=_first_post(Role.GRID_WORKER, grids),
                buildings=sorted(buildings.values(), key=lambda b: b.code),
                people=people,
                households=dict(households),
            )
        )
    return chosen


def _employers(street: Place, district: Place) -> tuple[list[ResidentUnit], list[Department]]:
    units = list(ResidentUnit.objects.filter(place__path__startswith=street.path).order_by("pk"))
    departments = list(
        Department.objects.filter(place=district, kind=DepartmentKind.FUNCTIONAL, is_active=True).order_by("code")
    )
    return units, departments


# --- the stories -----------------------------------------------------------------------------------------------------


def _setup_story(season: _Season) -> Story:
    """Day 0: the city's rules, menu and badge; each street's and community's rewards and own service."""
    yield season.moment(0, 9)
    city_staff = season.city_staff
    assert city_staff is not None
    start = timezone.localdate()
    for basis, points, note in RULES:
        if point_rule_on(basis, start) is None:  # a rule someone made already stands
            point_rule_create(actor=city_staff, basis=basis, points=points, valid_from=start, valid_to=None, note=note)
    city = Place.objects.get(code=CITY_CODE)
    city_menu = [
        service_item_create(actor=city_staff, place=city, name=name, description=text, skill=skill)
        for name, text, skill in CITY_MENU
    ]
    for name, text, cost, stock in CITY_REWARDS:
        reward_create(actor=city_staff, place=city, name=name, description=text, cost=cost, stock=stock)
    yield season.moment(0, 10.5)
    streets: dict[int, User] = {}
    for community in season.communities:
        streets.setdefault(community.street.pk, community.street_staff)
        community.menu = list(city_menu)
    for street_id, staff in streets.items():
        street = Place.objects.get(pk=street_id)
        for name, text, cost, stock in STREET_REWARDS:
            reward_create(actor=staff, place=street, name=name, description=text, cost=cost, stock=stock)
    for community in season.communities:
        yield season.moment(1, 9 + community.index * 0.5)
        name, text, skill = COMMUNITY_MENU[community.index % len(COMMUNITY_MENU)]
        item = service_item_create(
            actor=community.staff, place=community.place, name=name, description=text, skill=skill
        )
        community.menu.append(item)
        for offset in (0, 1):
            name, text, cost, stock = COMMUNITY_REWARDS[(community.index + offset) % len(COMMUNITY_REWARDS)]
            reward_create(
                actor=community.staff, place=community.place, name=name, description=text, cost=cost, stock=stock
            )


@dataclass
class _Employer:
    name: str
    party_organisation: str
    unit: ResidentUnit | None


def _employer_of(rng: random.Random, units: list[ResidentUnit], departments: list[Department]) -> _Employer:
    if units and (not departments or rng.random() < 0.55):
        unit = rng.choice(units)
        return _Employer(unit.name, unit.party_organisation_name or f"中共{unit.name}支部委员会", unit)
    department = rng.choice(departments)
    return _Employer(department.name, f"中共{department.name}机关支部委员会", None)


def _skills(rng: random.Random) -> list[str]:
    codes = list(SKILL_WEIGHTS)
    chosen: set[str] = set()
    for _turn in range(rng.choice([1, 2, 2, 3])):
        chosen.add(rng.choices(codes, weights=list(SKILL_WEIGHTS.values()))[0])
    return sorted(chosen)


def _submit(
    member: _Person, community: _Community, building: Place, employer: _Employer, skills: list[str]
) -> MemberRegistration:
    assert member.user is not None
    return registration_submit(
        actor=member.user,
        name=member.name,
        phone=member.phone,
        employer=employer.name,
        employer_party_organisation=employer.party_organisation,
        employer_unit=employer.unit,
        community=community.place,
        building=building,
        skills=skills,
    )


def _member_story(
    season: _Season, community: _Community, person: _Person, *, fate: str, day: int, employer: _Employer
) -> Story:
    """双报到 of one member. ``fate``: stays (``active``), ``pending``, ``rejected_first`` (rejected, registers
    again and is confirmed), ``withdraw`` (confirmed, withdraws later) or ``transfer`` (confirmed, moves house)."""
    rng = season.rng("member", person.resident.id_number, person.name)
    skills = _skills(rng)
    yield season.moment(day, rng.uniform(19, 21.5))
    season.account(person)
    if fate == "rejected_first":
        wrong = next((b for b in community.buildings if b != person.building), person.building)
        registration = _submit(person, community, wrong, employer, skills)
        yield season.moment(day + 1, rng.uniform(9, 11.5))
        registration_reject(
            actor=community.staff,
            registration=registration,
            reason=MEMBER_REJECTED,
            expected_version=registration.version,
        )
        day += 1
        yield season.moment(day, rng.uniform(19, 21.5))
    registration = _submit(person, community, person.building, employer, skills)
    if fate == "pending":
        return
    yield season.moment(day + rng.choice([1, 1, 2]), rng.uniform(9, 17))
    registration_confirm(actor=community.staff, registration=registration, expected_version=registration.version)
    if fate in {"active", "rejected_first"}:
        member = _Member(person, registration)
        community.members.append(member)
        season.active[registration.pk] = member
        if person is season.demo_person:
            season.demo_member = member
        return
    leave = rng.randint(40, 60)
    yield season.moment(leave, rng.uniform(19, 21.5))
    assert person.user is not None
    if fate == "withdraw":
        registration_withdraw(actor=person.user, registration=registration, expected_version=registration.version)
        return
    others = [c for c in season.communities if c is not community]
    new_home = others[community.index % len(others)]
    moved = _submit(person, new_home, rng.choice(new_home.buildings), employer, skills)
    yield season.moment(leave + 2, rng.uniform(9, 17))
    registration_confirm(actor=new_home.staff, registration=moved, expected_version=moved.version)


def _unit_story(season: _Season, community: _Community, unit: ResidentUnit, *, fate: str, day: int) -> Story:
    """单位报到 of one unit with one community, through its contact: ``confirmed``, ``pending`` or ``rejected``."""
    rng = season.rng("unit", unit.credit_code, community.place.code)
    yield season.moment(day, rng.uniform(9, 16))
    contact = season.contact(unit, community.street_staff)
    offers = UNIT_OFFERS.get(unit.kind, "可提供志愿者参与社区服务。")
    registration = unit_registration_submit(actor=contact, unit=unit, community=community.place, offers=offers)
    if fate == "pending":
        return
    yield season.moment(day + rng.randint(1, 3), rng.uniform(9, 17))
    if fate == "rejected":
        unit_registration_reject(
            actor=community.staff,
            registration=registration,
            reason=UNIT_REJECTED,
            expected_version=registration.version,
        )
        return
    unit_registration_confirm(actor=community.staff, registration=registration, expected_version=registration.version)
    community.units.append((unit, contact))


def _wish_life(
    season: _Season,
    community: _Community,
    wish: Wish,
    *,
    fate: str,
    at: datetime,
    rng: random.Random,
    confirmer: User,
    claimant: _Member | None = None,
) -> Story:
    """A wish from review on: published (and left, ``published``), ``rejected``, ``cancelled`` by the poster,
    ``released`` by its claimant, ``claimed``, ``fulfilled`` or ``confirmed`` (``by_unit``: a unit claims it)."""
    at = season.later(at, rng, hours=(14, 26))
    yield at
    if fate == "rejected":
        wish_review(
            actor=community.staff, wish=wish, publish=False, reason=WISH_REJECTED, expected_version=wish.version
        )
        return
    wish = wish_review(
        actor=community.staff, wish=wish, publish=True, reason=WISH_PUBLISHED, expected_version=wish.version
    )
    if fate == "published":
        return
    at = season.later(at, rng, hours=(48, 96))
    yield at
    if fate == "cancelled":
        wish_cancel(actor=wish.posted_by, wish=wish, reason=rng.choice(WISH_CANCELLED), expected_version=wish.version)
        return
    if fate == "by_unit" and community.units:
        unit, claimer = rng.choice(community.units)
        wish = wish_claim(actor=claimer, wish=wish, expected_version=wish.version, unit=unit)
    else:
        claimer = (claimant or season.pick_member(community, rng)).user
        wish = wish_claim(actor=claimer, wish=wish, expected_version=wish.version)
    if fate == "claimed":
        return
    if fate == "released":
        at = season.later(at, rng, hours=(144, 216))
        yield at
        wish_release(actor=claimer, wish=wish, reason=WISH_RELEASED, expected_version=wish.version)
        return
    at = season.later(at, rng, hours=(48, 144))
    yield at
    wish = wish_fulfil(
        actor=claimer, wish=wish, photo=_photo(rng), note=rng.choice(WISH_FULFILLED), expected_version=wish.version
    )
    if fate == "fulfilled":
        return
    at = season.later(at, rng, hours=(10, 40))
    yield at
    wish_confirm(actor=confirmer, wish=wish, expected_version=wish.version)


# When each fate of a wish is posted (a day of the season, give or take two).
WISH_FATES = (
    ("submitted", 73),
    ("published", 42),  # waits long enough to be flagged as stale
    ("published", 69),
    ("released", 28),
    ("claimed", 64),
    ("fulfilled", 55),
    ("confirmed", 24),
    ("by_unit", 34),
    ("rejected", 30),
    ("cancelled", 38),
)


def _wish_story(
    season: _Season, community: _Community, poster: _Person, *, number: int, fate: str, day: int, demo: bool
) -> Story:
    """A resident posts a wish for themself; ``_wish_life`` takes it on. In the demo member's community the demo
    member claims the wishes meant to be claimed, fulfilled and confirmed."""
    rng = season.rng("wish", community.place.code, number)
    title, text, value = WISHES[(community.index * 3 + number) % len(WISHES)]
    day = min(SEASON_DAYS - 1, max(2, day + rng.randint(-2, 1)))
    at = season.moment(day, rng.uniform(8, 21))
    yield at
    user = season.account(poster)
    wish = wish_post(
        actor=user,
        title=title,
        description=text,
        value=Decimal(value),
        beneficiary_name=poster.name,
        beneficiary_phone=poster.phone,
        community=community.place,
        building=poster.building,
        on_behalf=False,
    )
    if fate == "submitted":
        return
    claimant = season.demo_member if demo and fate in {"claimed", "fulfilled", "confirmed"} else None
    yield from _wish_life(season, community, wish, fate=fate, at=at, rng=rng, confirmer=user, claimant=claimant)


# When each fate of an order is placed; how many days ahead the service is wanted.
ORDER_FATES = (
    ("ordered", 74, 3),
    ("issued", 73, 3),
    ("taken", 71, 4),
    ("completed", 58, 2),
    ("rated", 27, 2),
    ("rated", 44, 1),
    ("given_back", 36, 3),
    ("cancelled", 50, 4),
    ("declined", 31, 3),
)


def _order_story(
    season: _Season, community: _Community, person: _Person, *, number: int, fate: str, day: int, ahead: int, demo: bool
) -> Story:
    """点单—下单—接单 of one order, up to ``fate``. In the demo member's community the demo member is among those
    issued each order, and takes the ones meant to be taken, completed and rated."""
    rng = season.rng("order", community.place.code, number)
    if fate not in {"ordered", "issued", "taken"}:
        day += rng.randint(-2, 2)
    at = season.moment(day, rng.uniform(8, 12))
    yield at
    user = season.account(person)
    free_text = number % 4 == 3
    item = None if free_text else rng.choice(community.menu)
    start = rng.choice([9, 10, 14, 15])
    order = order_place(
        actor=user,
        building=person.building,
        for_name=person.name,
        for_phone=person.phone,
        wanted_on=timezone.localdate() + timedelta(days=ahead),
        item=item,
        text=ORDER_TEXTS[number % len(ORDER_TEXTS)] if free_text else "",
        wanted_from=time(start),
        wanted_to=time(start + 2),
    )
    if fate == "ordered":
        return
    at = season.later(at, rng, hours=(2, 6))
    yield at
    if fate == "cancelled":
        order_cancel(actor=user, order=order, reason=rng.choice(ORDER_CANCELLED), expected_version=order.version)
        return
    if fate == "declined":
        order_decline(actor=community.staff, order=order, reason=ORDER_DECLINED, expected_version=order.version)
        return
    ranked = [s.member for s in order_suggestions(order) if s.member.pk in season.active]
    chosen = ranked[:3]
    takers = [season.active[m.pk] for m in chosen]
    if demo and season.demo_member is not None and fate in {"issued", "taken", "completed", "rated"}:
        if season.demo_member.registration not in chosen:
            chosen.append(season.demo_member.registration)
        takers = [season.demo_member]
    order_issue(actor=community.staff, order=order, members=chosen, expected_version=order.version)
    if fate == "issued":
        return
    at = season.later(at, rng, hours=(10, 20))
    yield at
    order_take(actor=takers[0].user, order=order, expected_version=order.version)
    if fate == "given_back":
        at = season.later(at, rng, hours=(2, 5))
        yield at
        order_give_back(actor=takers[0].user, order=order, reason=ORDER_GIVEN_BACK, expected_version=order.version)
        at = season.later(at, rng, hours=(12, 20))
        yield at
        takers = takers[1:] or takers
        order_take(actor=takers[0].user, order=order, expected_version=order.version)
    if fate == "taken":
        return
    at = max(at, season.moment(season.day_of(order.created_at) + ahead, start + rng.uniform(2.1, 3)))
    yield at
    hours = Decimal(rng.choice(["1", "1.5", "2", "2", "2.5", "3"]))
    order_complete(
        actor=takers[0].user, order=order, hours=hours, note=rng.choice(ORDER_DONE), expected_version=order.version
    )
    if fate == "completed":
        return
    at = season.later(at, rng, hours=(3, 30))
    yield at
    stars = rng.choice([5, 5, 5, 5, 4, 4, 3])
    order_rate(actor=user, order=order, stars=stars, comment=rng.choice(RATINGS[stars]), expected_version=order.version)


def _household_story(
    season: _Season, community: _Community, household: Place, plan: HouseholdPlan, *, number: int
) -> Story:
    """包联 of one household in difficulty: flagged, paired with a member (the first also with a street leader) and
    visited by the member, later by the grid worker. In the demo member's community the elderly person living alone
    is the demo member's, and the heater found broken on the visit becomes a micro-wish the demo member claims."""
    rng = season.rng("household", household.code)
    yield season.moment(2 + number, rng.uniform(9, 16))
    record = household_flag(
        actor=community.staff,
        household=household,
        kinds=list(plan.kinds),
        since=date(rng.randint(2019, 2025), rng.randint(1, 12), 1),
        note=plan.note,
    )
    yield season.moment(20 + number, rng.uniform(9, 16))
    demo = community.index == 0 and plan is HOUSEHOLDS[0] and season.demo_member is not None
    partner = season.demo_member if demo and season.demo_member else season.pick_member(community, rng)
    pairing_create(actor=community.staff, record=record, member=partner.registration)
    if number == 0:
        pairing_create(actor=community.staff, record=record, leader=community.street_staff)
    grid_worker = community.grid_workers.get(Place.objects.get(pk=household.parent_id or 0).parent_id or 0)
    if grid_worker is not None:
        season.add(f"grid visit to {household.code}", _grid_visit_story(season, record, grid_worker, number=number))
    visited = season.moment(27 + number * 3, rng.uniform(15, 19))
    yield visited
    visit = visit_record(
        actor=partner.user, record=record, visited_on=timezone.localdate(), notes=plan.visit, needs=list(plan.needs)
    )
    need = Need.objects.filter(visit=visit).order_by("pk").first()
    if not demo or need is None:
        return
    at = season.later(visited, rng, hours=(15, 18))
    yield at
    title, text, value = NEED_WISH
    householder = min(community.households[household.pk], key=lambda r: (not r.is_householder, r.pk))
    wish = need_post_wish(
        actor=community.staff,
        need=need,
        title=title,
        description=text,
        value=Decimal(value),
        beneficiary_name=householder.name,
        beneficiary_phone=householder.phone,
    )
    yield from _wish_life(
        season, community, wish, fate="confirmed", at=at, rng=rng, confirmer=community.staff, claimant=partner
    )


def _grid_visit_story(season: _Season, record: HouseholdInDifficulty, grid_worker: User, *, number: int) -> Story:
    """The grid worker's own visit (走访) to a household in difficulty, a few weeks after the member's."""
    rng = season.rng("grid visit", record.household.code)
    yield season.moment(50 + number * 4, rng.uniform(9, 16))
    visit_record(actor=grid_worker, record=record, visited_on=timezone.localdate(), notes=GRID_VISIT)


def _balance(member: _Member) -> int:
    return PointAccount.objects.filter(member=member.registration).values_list("balance", flat=True).first() or 0


def _exchange_story(season: _Season, community: _Community, *, number: int, day: int) -> Story:
    """A member spends some points: the first request is for the dearest reward that costs at most half their
    balance, and is approved; the second for the dearest they can afford, and is rejected or not answered yet. The
    demo member asks twice: one approved, one waiting."""
    rng = season.rng("exchange", community.place.code, number)
    yield season.moment(day, rng.uniform(19, 21.5))
    demo = community.index == 0 and season.demo_member is not None
    if demo and season.demo_member is not None:
        member = season.demo_member
    else:
        ranked = sorted(community.members, key=lambda m: (-_balance(m), m.registration.pk))
        if len(ranked) <= number:
            return
        member = ranked[number]
    balance = _balance(member)
    path = community.place.path
    budget = balance // 2 if number == 0 else balance
    rewards = [
        reward
        for reward in Reward.objects.filter(active=True, cost__lte=budget)
        .select_related("place")
        .order_by("-cost", "pk")
        if path.startswith(reward.place.path) and reward.stock != 0
    ]
    asked = set(Exchange.objects.filter(account__member=member.registration).values_list("reward", flat=True))
    rewards = [reward for reward in rewards if reward.pk not in asked]
    if not rewards:
        return
    exchange = exchange_request(actor=member.user, member=member.registration, reward=rewards[0])
    if number == 1 and (demo or community.index % 2):
        return  # left for the community to answer
    yield season.moment(day + 1, rng.uniform(9, 16))
    if number == 0:
        exchange_approve(actor=community.staff, exchange=exchange, expected_version=exchange.version)
    else:
        exchange_reject(
            actor=community.staff, exchange=exchange, reason=EXCHANGE_REJECTED, expected_version=exchange.version
        )


def _evaluation_story(season: _Season, community: _Community) -> Story:
    """双评价 at the end of the season: the community grades its members for the half-year by what they did, and
    sends the grades to the employers (all but the last community, whose grades still wait)."""
    yield season.moment(SEASON_DAYS - 1, 15 + community.index * 0.1)
    period = Period.of(PeriodKind.HALF, timezone.localdate())
    for member in community.members:
        done = (
            ServiceOrder.objects.filter(
                taker=member.registration, state__in=[OrderState.COMPLETED, OrderState.RATED]
            ).count()
            + Wish.objects.filter(claimant_member=member.registration, state="confirmed").count()
        )
        grade = (
            EvaluationGrade.EXCELLENT
            if done >= 2
            else EvaluationGrade.COMPETENT
            if done == 1
            else EvaluationGrade.BASICALLY_COMPETENT
        )
        member_evaluate(
            actor=community.staff,
            registration=member.registration,
            period=period,
            grade=grade,
            comment=EVALUATION_COMMENTS[grade],
        )
    if community.members and community.index < len(season.communities) - 1:
        yield season.moment(SEASON_DAYS - 1, 17 + community.index * 0.1)
        evaluations_send(actor=community.staff, community=community.place, period=period)


# --- planning the season ---------------------------------------------------------------------------------------------


def _plan(season: _Season) -> None:
    """Every story of the season, with who takes part."""
    season.add("setup", _setup_story(season))
    first = season.communities[0]
    units_by_street: dict[int, list[ResidentUnit]] = {}
    departments_by_street: dict[int, list[Department]] = {}
    for community in season.communities:
        units_by_street[community.street.pk], departments_by_street[community.street.pk] = _employers(
            community.street, community.district
        )
    demo_units = units_by_street[first.street.pk]
    season.demo_unit = demo_units[0] if demo_units else None
    for community in season.communities:
        _plan_community(
            season, community, units_by_street[community.street.pk], departments_by_street[community.street.pk]
        )


def _plan_community(
    season: _Season, community: _Community, units: list[ResidentUnit], departments: list[Department]
) -> None:
    rng = season.rng("community", community.place.code)
    index = community.index
    demo = index == 0
    adults = list(community.people)
    working = [p for p in adults if 23 <= p.age <= 58]
    members = working[: MEMBERS_PER_COMMUNITY + (1 if demo else 0)]
    taken = {p.household.pk for p in members}
    others = [p for p in adults if p not in members]
    posters, orderers = others[:6], others[6:12] or others[:6]
    specials = ["rejected_first", "withdraw", "transfer"][: 3 if len(season.communities) > 1 else 2]
    fates = (["active"] * len(members) + ["pending", specials[index % len(specials)]])[2:]
    for number, (person, fate) in enumerate(zip(members, fates, strict=True)):
        employer = _employer_of(rng, units, departments)
        day = 3 + number * 2 + rng.randint(0, 1)
        if demo and number == 0:
            person.phone = DEMO_MEMBER_PHONE
            season.demo_person = person
            day = 3
        if season.demo_unit is not None and season.demo_unit in units and number < 3:
            employer = _Employer(
                season.demo_unit.name,
                season.demo_unit.party_organisation_name or f"中共{season.demo_unit.name}支部委员会",
                season.demo_unit,
            )
        if fate == "pending":
            day = SEASON_DAYS - 1 - rng.randint(0, 2)
        season.add(
            f"member {person.name} of {community.place.name}",
            _member_story(season, community, person, fate=fate, day=day, employer=employer),
        )
    if units:
        unit = season.demo_unit if season.demo_unit in units else units[index % len(units)]
        fate = ("confirmed", "confirmed", "confirmed", "pending", "rejected")[index % 5]
        if unit == season.demo_unit:
            fate = "confirmed"
        season.add(
            f"unit {unit.name} with {community.place.name}",
            _unit_story(season, community, unit, fate=fate, day=4 + index),
        )
    for number, (planned, day) in enumerate(WISH_FATES):
        fate = "cancelled" if planned == "rejected" and index % 2 else planned
        poster = posters[number % len(posters)]
        season.add(
            f"wish {number} of {community.place.name}",
            _wish_story(season, community, poster, number=number, fate=fate, day=day, demo=demo),
        )
    for number, (planned, day, ahead) in enumerate(ORDER_FATES):
        fate = "rated" if planned == "declined" and index % 2 else planned
        season.add(
            f"order {number} of {community.place.name}",
            _order_story(
                season,
                community,
                orderers[number % len(orderers)],
                number=number,
                fate=fate,
                day=day,
                ahead=ahead,
                demo=demo,
            ),
        )
    for number, (household, plan) in enumerate(_households_in_difficulty(season, community, taken, rng)):
        season.add(f"household {household.code}", _household_story(season, community, household, plan, number=number))
    for number, day in enumerate((66 + index % 3, 71 + index % 2)):
        season.add(
            f"exchange {number} of {community.place.name}", _exchange_story(season, community, number=number, day=day)
        )
    season.add(f"evaluations of {community.place.name}", _evaluation_story(season, community))


def _households_in_difficulty(
    season: _Season, community: _Community, taken: set[int], rng: random.Random
) -> list[tuple[Place, HouseholdPlan]]:
    """Three households of the community, each fitting its difficulty as far as its residents allow (the elderly
    person living alone first, then two of the others in turn); never a member's household."""
    end = season.first_day + timedelta(days=SEASON_DAYS)
    places = {p.household.pk: p.household for p in community.people}
    free = sorted(pk for pk in community.households if pk not in taken and pk in places)
    rng.shuffle(free)

    def fits(pk: int, plan: HouseholdPlan) -> bool:
        ages = [_age(r.id_number, end) for r in community.households[pk]]
        if Difficulty.ELDERLY_ALONE in plan.kinds:
            return len(ages) == 1 and ages[0] >= 65
        if Difficulty.LEFT_BEHIND_CHILD in plan.kinds:
            return any(age < 14 for age in ages)
        return True

    others = HOUSEHOLDS[1:]
    plans = [HOUSEHOLDS[0], others[community.index % len(others)], others[(community.index + 1) % len(others)]]
    chosen: list[tuple[Place, HouseholdPlan]] = []
    for plan in plans:
        pk = next((pk for pk in free if fits(pk, plan)), None)
        if pk is not None:
            free.remove(pk)
            chosen.append((places[pk], plan))
    return chosen


# --- running it ------------------------------------------------------------------------------------------------------


def demo_volunteering_exists() -> bool:
    """Whether party members' or volunteers' work is in the database already (the demo's, or anyone's)."""
    return (
        MemberRegistration.objects.exists()
        or UnitRegistration.objects.exists()
        or Wish.objects.exists()
        or ServiceOrder.objects.exists()
    )


def demo_volunteering_counts() -> dict[str, int]:
    """How many objects of each kind (and state) there are, for the command's summary."""
    counts: dict[str, int] = {}
    for label, model in (
        ("member registrations", MemberRegistration),
        ("unit registrations", UnitRegistration),
        ("micro-wishes", Wish),
        ("volunteer orders", ServiceOrder),
        ("reward exchanges", Exchange),
    ):
        states = Counter(dict(model.objects.values_list("state").annotate(n=Count("pk")).values_list("state", "n")))
        counts[label] = sum(states.values())
        for state, n in sorted(states.items()):
            counts[f"{label} · {state}"] = n
    counts.update(
        {
            "unit contacts": UnitContact.objects.count(),
            "point rules": PointRule.objects.count(),
            "rewards": Reward.objects.count(),
            "services on the menu": ServiceItem.objects.count(),
            "point entries": PointEntry.objects.count(),
            "points earned": PointEntry.objects.filter(kind="earn").aggregate(n=Sum("points"))["n"] or 0,
            "households in difficulty": HouseholdInDifficulty.objects.count(),
            "pairings": Pairing.objects.count(),
            "visits": Visit.objects.count(),
            "needs turned into wishes": Need.objects.filter(wish__isnull=False).count(),
            "member evaluations": MemberEvaluation.objects.count(),
            "member evaluations sent": MemberEvaluation.objects.filter(sent_at__isnull=False).count(),
        }
    )
    return counts


def demo_volunteering_build(
    *,
    seed: int = DEFAULT_SEED,
    communities: int = MAX_COMMUNITIES,
    until: datetime | None = None,
    log: Callable[[str], None] = print,
) -> VolunteeringSummary:
    """Run the season in the first ``communities`` communities of the demo city, ending the day before ``until``
    (now), in one transaction. The demo city must be there; the caller checks that no such work is there yet."""
    started = perf_counter()
    season = _Season(seed=seed, until=until or timezone.now())
    with transaction.atomic():
        if not Place.objects.filter(code=CITY_CODE).exists():
            log("No demo city: run “manage.py demo_city” first.")
            return VolunteeringSummary(seconds=0.0, communities=[], counts={})
        for phone in (DEMO_MEMBER_PHONE, DEMO_UNIT_CONTACT_PHONE):
            if User.objects.filter(phone=phone).exists():
                raise RuntimeError(f"An account with the demo phone {phone} exists already.")
        season.communities = _communities(season, communities)
        if not season.communities:
            log("No community of the demo city has residents: nothing to do.")
            return VolunteeringSummary(seconds=0.0, communities=[], counts={})
        _plan(season)
        steps = season.run()
        counts = demo_volunteering_counts()
        names = [c.place.name for c in season.communities]
        audit_record(
            actor=None,
            actor_name="demo_volunteering",
            action="demo.volunteering_built",
            detail={"seed": seed, "communities": names, "steps": steps, "counts": counts},
        )
    return VolunteeringSummary(seconds=perf_counter() - started, communities=names, counts=counts)
