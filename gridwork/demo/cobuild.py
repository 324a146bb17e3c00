"""About fifteen months of co-construction (共建) in the demo city (issue #9), made through the services.

In the first communities of the demo city (``MAX_COMMUNITIES``, by code, those with households and staff, much as
``demo_volunteering`` chooses them), the streets register a few more resident units and correct others
(``people.services``), give every unit a contact account (``party.contacts``) and seat units' party leaders on the
street's 大工委 and the communities' 大党委 for a term (``party.parttime``: new terms, renewals, one ended early, some
ending within two months). Units publish what they offer (资源清单: venues, people, skills, money, equipment), the
communities publish what their residents need (需求清单, some taken from residents' matters), and staff accept the
resource the suggestions rank first (``cobuild.suggestions``; for a contract, the best of the unit's) as a match that
becomes a project (项目清单, with milestones, in every state) or the first clause of a contract. The contracts go
through 谈约, 签约, 亮约, 履约 (each clause's performance with a photo as evidence, on time or late, one clause left
overdue) and 评约 (both parties' scores, residents' stars), and stop at every stage; one is renewed, one ends within
30 days and is warned. The streets form party-building alliances (党建联盟) of communities and units with a
rotating chair, joint meetings (one alliance is short of two this year) and joint projects.

The demo unit contact of ``demo_volunteering`` (``DEMO_UNIT_CONTACT_PHONE``) speaks for a school: it has a contract
closed and renewed, one waiting for its signature and one under negotiation, so its ``/unit/contracts/`` page is full.
If ``demo_volunteering`` has not run, the demo contact is made here, through ``party.contacts``.

Every state and event is written by a service, so each object has exactly the events and audit rows a user's clicks
make. Written directly are only residents' phone accounts (as a first sign-in by code opens them), for the residents
who rate a contract, and their link to their resident rows — as in ``demo_volunteering``.

The services stamp what they write with ``timezone.now()`` (the contract services with their ``now``): each story is
a generator yielding the moment of its next step, and ``_Timeline.run`` takes the steps of all stories in time order,
each on the simulated clock (``gridwork.demo.clock``). The history is ``HISTORY_DAYS`` long and ends yesterday. Each
story draws from its own seeded stream: the same seed gives the same units, texts, states, dates and times of day.
"""

from __future__ import annotations

import heapq
import io
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from time import perf_counter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import reset_queries, transaction
from django.db.models import Count, Q
from django.utils import timezone
from PIL import Image, ImageDraw

from gridwork.accounts.models import User, UserKind
from gridwork.accounts.roles import Role
from gridwork.accounts.services import phone_is_valid, resident_username
from gridwork.alliances.models import Alliance, AllianceMember, JointMeeting
from gridwork.alliances.selectors import alliance_members, alliance_rotation
from gridwork.alliances.services import (
    alliance_chair_hand_over,
    alliance_create,
    alliance_meeting_record,
    alliance_members_add,
)
from gridwork.audit.services import audit_record
from gridwork.cobuild.categories import ServiceField
from gridwork.cobuild.models import (
    Match,
    Milestone,
    Need,
    NeedSource,
    Project,
    Resource,
    ResourceKind,
    ResourceState,
)
from gridwork.cobuild.services import (
    match_make,
    milestone_add,
    milestone_done,
    need_meet,
    need_publish,
    need_withdraw,
    project_cancel,
    project_create,
    project_finish,
    project_start,
    resource_publish,
    resource_restore,
    resource_update,
    resource_use_up,
    resource_withdraw,
)
from gridwork.cobuild.suggestions import need_suggestions
from gridwork.common.masking import mask_phone
from gridwork.contracts.models import (
    Clause,
    ClauseMenu,
    Contract,
    ContractParty,
    Evaluation,
    Evidence,
    Performance,
    ResidentRating,
)
from gridwork.contracts.services import (
    ClauseValues,
    clause_add,
    clause_edit,
    clause_perform,
    contract_cancel,
    contract_clause_from_match,
    contract_close,
    contract_comment,
    contract_edit,
    contract_evaluate,
    contract_publish,
    contract_rate,
    contract_renew,
    contract_reopen,
    contract_sign,
    contract_start,
    contract_start_evaluation,
    contracts_warn_expiring,
)
from gridwork.demo import names
from gridwork.demo.build import CREDIT_PREFIX, demo_staff
from gridwork.demo.clock import clock
from gridwork.demo.identifiers import credit_code, mobile_number
from gridwork.demo.plan import CITY_CODE, DEFAULT_SEED
from gridwork.demo.volunteering import DEMO_UNIT_CONTACT_PHONE
from gridwork.matters.models import Category, Matter
from gridwork.party.contacts import unit_contact_account_create
from gridwork.party.models import PartTimeMember, PartyOrganisation, UnitContact
from gridwork.party.parttime import part_time_appoint, part_time_end, part_time_renew
from gridwork.people.models import Resident, ResidentUnit, ResidentUnitKind
from gridwork.people.services import UnitValues, resident_unit_create, resident_unit_update
from gridwork.places.models import Place, PlaceLevel

HISTORY_DAYS = 470  # the first step is this many days before today; the last, yesterday evening
MAX_COMMUNITIES = 8
MAX_ALLIANCES = 3
RATINGS_PER_CONTRACT = 4

Story = Iterator[datetime]


# --- what people write -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    """A resource a kind of unit offers (资源清单)."""

    kind: str
    field: str
    title: str
    description: str
    quantity: int
    measure: str
    availability: str


OFFERS: dict[str, tuple[Offer, ...]] = {
    ResidentUnitKind.SCHOOL: (
        Offer(
            ResourceKind.PEOPLE,
            ServiceField.CHILDREN,
            "教师志愿者课业辅导",
            "在职党员教师到社区“四点半课堂”为中小学生辅导作业，开展阅读和科学小实验。",
            8,
            "人",
            "工作日 16:30–18:00",
        ),
        Offer(
            ResourceKind.VENUE,
            ServiceField.CULTURE,
            "周末开放学校操场和篮球场",
            "周六、周日上午向社区居民开放操场和篮球场，供广场舞队、篮球队和亲子活动使用。",
            2,
            "片",
            "周末上午 8:00–12:00",
        ),
        Offer(
            ResourceKind.SKILLS,
            ServiceField.SAFETY,
            "青少年安全教育讲座",
            "学校安全办老师进社区开展防溺水、防诈骗和交通安全讲座。",
            6,
            "场",
            "每学期",
        ),
    ),
    ResidentUnitKind.HOSPITAL: (
        Offer(
            ResourceKind.SKILLS,
            ServiceField.HEALTH,
            "医护志愿者健康义诊",
            "每月组织内科、中医科医护人员到社区为老人测血压、血糖，开展慢性病用药指导。",
            12,
            "场",
            "每月第二个周六上午",
        ),
        Offer(
            ResourceKind.PEOPLE,
            ServiceField.ELDERLY,
            "家庭医生上门随访",
            "为行动不便的高龄、失能老人提供上门随访、健康评估和康复指导。",
            40,
            "人次",
            "工作日下午",
        ),
        Offer(
            ResourceKind.EQUIPMENT,
            ServiceField.HEALTH,
            "急救培训器材",
            "心肺复苏模拟人和AED训练机，可借给社区开展居民急救培训。",
            4,
            "套",
            "提前一周预约",
        ),
    ),
    ResidentUnitKind.STATE_ENTERPRISE: (
        Offer(
            ResourceKind.SKILLS,
            ServiceField.SAFETY,
            "党员电工入户线路检查",
            "党员电工为老旧小区免费检查入户线路，排查私拉乱接和电动车违规充电隐患。",
            6,
            "人",
            "每月一次",
        ),
        Offer(
            ResourceKind.VENUE,
            ServiceField.CULTURE,
            "职工活动中心多功能厅",
            "可容纳120人的多功能厅，可借给社区开展文艺演出、培训和居民议事会。",
            1,
            "间",
            "工作日晚上和周末",
        ),
        Offer(
            ResourceKind.EQUIPMENT,
            ServiceField.SAFETY,
            "应急照明和抢修设备",
            "应急照明灯、小型发电机等抢修设备，停电或汛期可支援社区。",
            10,
            "台",
            "随时",
        ),
    ),
    ResidentUnitKind.GOVERNMENT: (
        Offer(
            ResourceKind.SKILLS,
            ServiceField.LEGAL,
            "税收政策和法律咨询",
            "税务干部进社区为个体工商户和居民讲解个税、社保费政策，解答涉税和劳动纠纷问题。",
            4,
            "场",
            "每季度一次",
        ),
        Offer(
            ResourceKind.PEOPLE,
            ServiceField.ENVIRONMENT,
            "机关党员志愿者环境整治",
            "机关党员每月到社区开展一次楼道清理、卫生死角整治和垃圾分类宣传。",
            15,
            "人",
            "每月最后一个周五下午",
        ),
    ),
    ResidentUnitKind.PRIVATE_ENTERPRISE: (
        Offer(
            ResourceKind.MONEY,
            ServiceField.ASSISTANCE,
            "困难家庭帮扶资金",
            "企业捐出帮扶资金，用于社区低保、重病家庭的节日慰问和临时帮扶。",
            30000,
            "元",
            "全年",
        ),
        Offer(
            ResourceKind.EQUIPMENT,
            ServiceField.ELDERLY,
            "老年食堂米面粮油",
            "为社区老年食堂提供米面粮油等物资，按月配送，保障独居老人助餐。",
            200,
            "份",
            "每月",
        ),
        Offer(
            ResourceKind.PEOPLE,
            ServiceField.EMPLOYMENT,
            "就业岗位和岗前技能培训",
            "提供保洁、配送等就业岗位，并为社区失业人员开展岗前技能培训。",
            20,
            "个",
            "全年",
        ),
    ),
    ResidentUnitKind.SOCIAL_ORGANISATION: (
        Offer(
            ResourceKind.PEOPLE,
            ServiceField.ELDERLY,
            "为老志愿服务队",
            "志愿者陪伴独居老人聊天、代购代取药品，协助老年食堂助餐。",
            25,
            "人",
            "每周二、四",
        ),
        Offer(
            ResourceKind.SKILLS,
            ServiceField.ASSISTANCE,
            "心理疏导和个案社工服务",
            "专业社工为困难家庭、独居老人提供心理疏导、个案帮扶和政策链接。",
            6,
            "名社工",
            "每周两个半天",
        ),
        Offer(
            ResourceKind.VENUE,
            ServiceField.CHILDREN,
            "儿童之家活动室",
            "机构活动室周末向社区儿童开放，开展绘本阅读、手工课和课业辅导。",
            1,
            "间",
            "周末",
        ),
    ),
}


@dataclass(frozen=True)
class Want:
    """A need of a community's residents (需求清单) in one field of work."""

    title: str
    description: str
    quantity: int
    measure: str
    matter_classes: tuple[str, ...]  # the first-level classes of residents' matters it may come from


WANTS: dict[str, Want] = {
    ServiceField.ELDERLY: Want(
        "独居老人助餐和陪伴",
        "社区80岁以上独居老人较多，需要为他们提供助餐、陪伴聊天和代购代取药品服务。",
        30,
        "人",
        ("民政",),
    ),
    ServiceField.CHILDREN: Want(
        "“四点半课堂”课业辅导",
        "双职工家庭的孩子放学后无人照看，社区“四点半课堂”需要辅导老师和活动场地。",
        6,
        "人",
        ("教育文体",),
    ),
    ServiceField.HEALTH: Want(
        "慢性病老人健康义诊",
        "社区高血压、糖尿病老人多，希望医生定期到社区义诊，开展用药指导。",
        6,
        "场",
        ("卫生计生",),
    ),
    ServiceField.LEGAL: Want(
        "法律和政策咨询进社区",
        "居民对赡养继承、劳动纠纷和个税、社保政策的咨询较多，需要专业人员定期解答。",
        4,
        "场",
        ("劳动和社会保障", "民政"),
    ),
    ServiceField.CULTURE: Want(
        "居民文体活动场地",
        "社区广场舞队、老年合唱团和篮球队缺少活动场地，需要周末和晚上可用的场地。",
        1,
        "片",
        ("教育文体",),
    ),
    ServiceField.ENVIRONMENT: Want(
        "老旧小区楼道和环境整治",
        "老旧小区楼道堆物、卫生死角多，需要志愿者协助清理，并宣传垃圾分类。",
        10,
        "人",
        ("环境保护", "城乡建设"),
    ),
    ServiceField.SAFETY: Want(
        "老旧小区用电安全隐患排查",
        "老旧小区入户线路老化，私拉电线给电动车充电，存在火灾隐患，需要专业人员排查。",
        4,
        "人",
        ("城乡建设",),
    ),
    ServiceField.EMPLOYMENT: Want(
        "失业人员就业帮扶",
        "社区登记失业人员和零就业家庭需要就业岗位和技能培训。",
        10,
        "个",
        ("劳动和社会保障",),
    ),
    ServiceField.ASSISTANCE: Want(
        "困难家庭节日慰问和帮扶",
        "社区低保、低边和重病家庭需要节日慰问和临时帮扶。",
        20000,
        "元",
        ("民政",),
    ),
}
NEED_WITHDRAWN = "经居民议事会再次商议，该需求已纳入街道民生实事项目统一解决，撤回。"
NEED_MET_BY_PROJECT = "共建项目已完成，需求已解决。"
NEED_MET_BY_CONTRACT = "共建契约已履约完毕，需求已解决。"
MATCH_NOTE = "单位资源与需求对口，距离近，已电话征得单位同意。"

MILESTONES = ("制定实施方案，确定参与人员", "开展第一阶段服务", "中期评估和调整", "总结验收，形成共建案例")
PROJECT_CANCELLED = "合作单位活动场地改造，项目无法按期实施，经双方协商取消，需求另行对接。"
PROJECT_STARTED = "实施方案已经社区党委会议通过，项目启动。"
PROJECT_DONE = "各项里程碑均已完成，居民满意度调查良好，项目结项。"

# The clauses a contract is drafted with besides the one from a match: (menu, party, content, measure, field).
COMMUNITY_CLAUSES = (
    (
        ClauseMenu.RESPONSIBILITY,
        "社区党委为单位在职党员到社区报到、参加志愿服务做好对接，提供活动场地和组织保障",
        "每季度召开一次共建联席会，全年不少于4次",
        ServiceField.OTHER,
    ),
    (
        ClauseMenu.SPECIAL,
        "双方联合开展“邻里守望”主题党日活动，组织党员入户走访独居老人和困难家庭",
        "全年不少于2次，每次参加党员不少于15人",
        ServiceField.ELDERLY,
    ),
    (
        ClauseMenu.RESOURCE,
        "社区向单位开放党群服务中心会议室和活动室，供单位开展党员教育和职工活动",
        "每月不少于8小时，提前三天预约",
        ServiceField.CULTURE,
    ),
)
UNIT_SERVICE_CLAUSE = (
    ClauseMenu.SERVICE,
    "单位党员志愿者每月到社区开展一次志愿服务，认领一个网格的环境卫生和安全巡查",
    "每月1次、全年12次，每次不少于5人",
    ServiceField.ENVIRONMENT,
)
UNIT_PROPOSED_CLAUSE = (
    ClauseMenu.RESOURCE,
    "单位为社区困难家庭提供节日慰问物资",
    "春节、中秋各1次，每次不少于20户",
    ServiceField.ASSISTANCE,
)
UNIT_COMMENTS = (
    "我单位同意第1、2条，第4条的慰问物资请社区先提供困难家庭名单。",
    "单位党委已研究，原则同意契约内容，请社区确认活动时间。",
    "第3条的活动室使用时间能否安排在周五下午？",
)
COMMUNITY_COMMENTS = ("困难家庭名单已整理好，下周送到单位党办。", "可以，按周五下午安排。")
REOPEN_REASON = "第2条的完成时间与单位年度工作安排冲突，请调整后再签。"
CANCEL_REASON = "单位今年预算已用完，双方商定明年再签约。"
CANCEL_COMMENT = "本单位今年经费紧张，慰问物资一条可能无法落实。"
EARLY_END_REASON = "单位整体搬迁至新区，无法继续履约，经双方协商提前结束。"
CLOSE_REASON = "单位两周内未提交评价，经联系同意由社区结束评约。"
RENEWAL_COMMENT = "续约内容与上一年一致，节日慰问我单位可以再增加一次。"
RENEWAL_MEASURE = "春节、中秋、重阳各1次，每次不少于30户"

# What the responsible party writes when it records a clause done, by the clause's party and menu.
PERFORMANCE_NOTES: dict[tuple[str, str], str] = {
    (ContractParty.UNIT, ClauseMenu.SERVICE): "单位党员志愿者到社区开展服务，居民反映良好，附现场照片。",
    (ContractParty.UNIT, ClauseMenu.RESOURCE): "已按约定提供，社区签字确认，附现场照片。",
    (
        ContractParty.COMMUNITY,
        ClauseMenu.RESPONSIBILITY,
    ): "社区已组织召开共建联席会，双方党组织负责人参加，附会议照片。",
    (ContractParty.COMMUNITY, ClauseMenu.SPECIAL): "主题党日活动已开展，入户走访困难家庭，附活动照片。",
    (ContractParty.COMMUNITY, ClauseMenu.RESOURCE): "活动室已按约定开放，附使用登记照片。",
}
GIFTS_DONE = "慰问物资已送到社区并发放到户，附发放照片和签收表。"
DONE = "已按约定完成，附活动照片。"
PROGRESS_NOTE = "已完成一半，剩余部分下月继续开展。"
EVALUATION_COMMENTS: dict[str, tuple[str, ...]] = {
    ContractParty.COMMUNITY: ("单位履约积极，居民评价好，个别条款完成稍晚。", "总体完成较好，希望下一年继续合作。"),
    ContractParty.UNIT: ("社区对接及时，保障到位。", "合作顺利，社区组织得力。"),
}
RESIDENT_COMMENTS = {
    5: ("志愿者经常来小区，服务很好！", "义诊很方便，感谢单位。", "孩子放学有地方去了。"),
    4: ("挺好的，希望活动再多一些。", "服务不错，时间能再灵活些更好。"),
    3: ("一般，有些活动没通知到我们楼。",),
}

NEW_UNITS = (
    (ResidentUnitKind.SOCIAL_ORGANISATION, "明川市{root}志愿服务协会", "street"),
    (ResidentUnitKind.PRIVATE_ENTERPRISE, "明川{root}家政服务有限公司", "community"),
    (ResidentUnitKind.SOCIAL_ORGANISATION, "明川市{root}颐养服务中心", "community"),
    (ResidentUnitKind.PRIVATE_ENTERPRISE, "明川{root}连锁超市有限公司", "street"),
)
PART_TIME_DUTIES = (
    "参加大党委（大工委）会议，参与社区重大事项议事协商",
    "协调本单位党员和资源参与社区共建项目",
    "每季度带领本单位党员到社区开展一次志愿服务",
)
PART_TIME_ENDED = "工作调动，不再担任本单位党组织负责人。"

ALLIANCE_THEMES = ("红色邻里", "幸福家园", "同心共建")
ALLIANCE_PURPOSE = (
    "以党建为纽带，整合街道、社区和驻区单位的资源，共同解决老旧小区治理、为老服务和青少年成长中的难题，"
    "实现组织共建、资源共享、活动共办。"
)
HAND_OVER_REASON = "原轮值单位承担全市重点工作任务，经联盟会议商定提前交接。"
MEETING_TOPICS = (
    "通报上半年共建项目进展，商议下半年工作计划",
    "研究老旧小区改造中的居民诉求和单位资源对接",
    "年度共建工作总结和下一年度轮值安排",
    "商议暑期青少年托管和为老服务联合行动",
)
MEETING_MINUTES = (
    "会议由轮值主席单位主持。各成员单位通报了共建项目进展：为老助餐、四点半课堂运行平稳，"
    "用电安全排查发现隐患{n}处，已整改完毕。与会人员就居民反映集中的问题进行了讨论。"
)
MEETING_DECISIONS = (
    "一、各成员单位下月底前报送资源清单更新；二、联合开展一次主题党日活动；三、下次会议由轮值主席单位召集。"
)
JOINT_PROJECTS = (
    (
        "“红色物业”老旧小区联合整治",
        ServiceField.ENVIRONMENT,
        "联盟成员单位联合整治老旧小区楼道和公共空间，建立长效管理机制。",
    ),
    ("联盟“银龄关爱”联合行动", ServiceField.ELDERLY, "联盟成员单位联合为独居老人提供助餐、巡访和健康服务。"),
    ("暑期青少年“共成长”联合托管", ServiceField.CHILDREN, "联盟成员单位联合开放场地、派出志愿者，开展暑期托管。"),
)


# --- the timeline ----------------------------------------------------------------------------------------------------


class _Timeline:
    """The stories of the history and what they share: the communities, their staff, the units and their contacts."""

    def __init__(self, *, seed: int, until: datetime) -> None:
        self.seed = seed
        self.zone = timezone.get_default_timezone()
        self.today = timezone.localtime(until, self.zone).date()
        self.stories: list[tuple[str, Story]] = []
        self.queue: list[tuple[datetime, int]] = []
        self.communities: list[_Community] = []
        self.demo_unit: ResidentUnit | None = None
        self.alliances: dict[int, Alliance] = {}  # by street
        self.running: datetime | None = None  # the moment of the step being taken

    def day(self, ago: int) -> date:
        return self.today - timedelta(days=ago)

    def at(self, ago: int, hour: float) -> datetime:
        """``hour`` o'clock (China time) of the day ``ago`` days before today (1: yesterday)."""
        if not 1 <= ago <= HISTORY_DAYS:
            raise ValueError(f"{ago} days ago is outside the history")
        start = datetime.combine(self.day(ago), time.min, tzinfo=self.zone)
        return start + timedelta(minutes=round(hour * 60))

    def on(self, day: date, hour: float) -> datetime:
        return self.at((self.today - day).days, hour)

    def next_morning(self) -> datetime:
        """Ten o'clock of the day after the step being taken (no later than yesterday evening)."""
        now = timezone.now()
        tomorrow = timezone.localtime(now, self.zone).date() + timedelta(days=1)
        latest = self.at(1, 20)
        return max(now + timedelta(minutes=5), min(self.on(tomorrow, 10), latest) if tomorrow < self.today else latest)

    def rng(self, *key: object) -> random.Random:
        return random.Random(":".join(str(part) for part in (self.seed, "cobuild", *key)))

    def add(self, name: str, story: Story) -> None:
        """Add a story; one added while the history runs (by another story) starts no earlier than now."""
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

    # --- who acts ---

    def contact(self, unit: ResidentUnit) -> User:
        """The account that speaks for ``unit`` now: its latest contact made by now."""
        found = (
            UnitContact.objects.filter(unit=unit, user__is_active=True, created_at__lte=timezone.now())
            .select_related("user")
            .order_by("-created_at", "-id")
            .first()
        )
        if found is None:
            raise RuntimeError(f"{unit.name} has no contact yet.")
        return found.user


@dataclass(eq=False)
class _Community:
    index: int
    place: Place
    street: Place
    district: Place
    staff: User
    street_staff: User
    units: list[ResidentUnit] = field(default_factory=list)  # those it may sign contracts with: in it or its street


@dataclass
class CobuildSummary:
    seconds: float
    communities: list[str]
    counts: dict[str, int]


def _root(place: Place) -> str:
    for suffix in ("街道", "社区"):
        if place.name.endswith(suffix) and len(place.name) > len(suffix):
            return place.name[: -len(suffix)]
    return place.name


def _communities(timeline: _Timeline, limit: int) -> list[_Community]:
    """The first ``limit`` communities (by code) with households and staff, and the units each may contract with."""
    city = Place.objects.get(code=CITY_CODE)
    community_depth = 3  # /city/district/street/community/…
    inhabited = {
        path.strip("/").split("/")[community_depth]
        for path in Place.objects.filter(level=PlaceLevel.HOUSEHOLD, path__startswith=city.path).values_list(
            "path", flat=True
        )
    }
    chosen: list[_Community] = []
    for place in Place.objects.filter(level=PlaceLevel.COMMUNITY, code__in=inhabited).order_by("code"):
        if len(chosen) >= limit:
            break
        street = Place.objects.get(pk=place.parent_id or 0)
        district = Place.objects.get(pk=street.parent_id or 0)
        staff, street_staff = demo_staff(Role.COMMUNITY_STAFF, place), demo_staff(Role.STREET_STAFF, street)
        if staff is None or street_staff is None:
            continue
        chosen.append(
            _Community(
                index=len(chosen), place=place, street=street, district=district, staff=staff, street_staff=street_staff
            )
        )
    return chosen


def _units_of(community: _Community) -> list[ResidentUnit]:
    return list(
        ResidentUnit.objects.filter(place__in=[community.place, community.street])
        .select_related("place")
        .order_by("pk")
    )


# --- evidence ------------------------------------------------------------------------------------------------------


def _evidence_photo(rng: random.Random) -> io.BytesIO:
    """A photo of an activity: a wall, a red banner, and people in front of it (480 × 320 PNG)."""
    width, height = 480, 320
    wall = (rng.randint(215, 240), rng.randint(210, 235), rng.randint(195, 225))
    image = Image.new("RGB", (width, height), wall)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 230, width, height], fill=(rng.randint(120, 160), rng.randint(110, 140), rng.randint(90, 120)))
    draw.rectangle([60, 30, 420, 80], fill=(196, 30, 36))
    for x in range(80, 400, 40):
        draw.rectangle([x, 45, x + 24, 65], fill=(250, 215, 80))
    for _person in range(rng.randint(5, 9)):
        x = rng.randint(30, 440)
        y = rng.randint(150, 190)
        coat = rng.choice([(40, 70, 140), (200, 40, 40), (60, 60, 60), (230, 150, 30), (60, 140, 90)])
        draw.ellipse([x, y, x + 22, y + 22], fill=(235, 200, 170))
        draw.rectangle([x - 4, y + 22, x + 26, y + 90], fill=coat)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "evidence.png"
    return buffer


# --- accounts ------------------------------------------------------------------------------------------------------


def _resident_account(resident: Resident) -> User | None:
    """The resident's account, opened now as a first phone sign-in opens it (None if the phone is someone else's)."""
    if resident.user_id is not None:
        return resident.user
    phone = resident.phone
    if not phone_is_valid(phone) or User.objects.filter(Q(phone=phone) | Q(username=resident_username(phone))).exists():
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


def _free_phone(rng: random.Random) -> str:
    phone = mobile_number(rng)
    while User.objects.filter(phone=phone).exists():
        phone = mobile_number(rng)
    return phone


# --- the prologue: units and their contacts ---------------------------------------------------------------------


def _prologue(timeline: _Timeline) -> None:
    """Before the stories: each street registers a unit and corrects another (people.services), and every unit of
    the streets gets a contact account (party.contacts) — the demo unit the demo contact's, if there is none."""
    streets: dict[int, _Community] = {}
    for community in timeline.communities:
        streets.setdefault(community.street.pk, community)
    existing = UnitContact.objects.filter(user__phone=DEMO_UNIT_CONTACT_PHONE).select_related("unit").first()
    first = timeline.communities[0]
    with clock(timeline.at(HISTORY_DAYS, 9)):
        for number, community in enumerate(streets.values()):
            _register_unit(timeline, community, number)
    with clock(timeline.at(HISTORY_DAYS, 10)):
        for community in streets.values():
            _correct_unit(timeline, community)
    for community in timeline.communities:
        community.units = _units_of(community)
    if existing is not None:
        timeline.demo_unit = existing.unit
    else:
        street_units = ResidentUnit.objects.filter(place__path__startswith=first.street.path).order_by("pk")
        timeline.demo_unit = street_units.first()
    with clock(timeline.at(HISTORY_DAYS, 11)):
        for community in streets.values():
            for unit in ResidentUnit.objects.filter(place__path__startswith=community.street.path).order_by("pk"):
                _give_contact(timeline, community, unit, demo=existing is None and unit == timeline.demo_unit)


def _register_unit(timeline: _Timeline, community: _Community, number: int) -> ResidentUnit:
    rng = timeline.rng("new unit", community.street.code)
    kind, pattern, where = NEW_UNITS[number % len(NEW_UNITS)]
    place = community.street if where == "street" else community.place
    code = credit_code(authority_and_category=CREDIT_PREFIX[kind], area_code=community.district.code[:6], rng=rng)
    while ResidentUnit.objects.filter(credit_code=code).exists():
        code = credit_code(authority_and_category=CREDIT_PREFIX[kind], area_code=community.district.code[:6], rng=rng)
    name = pattern.format(root=_root(place))
    return resident_unit_create(
        actor=community.street_staff,
        values=UnitValues(
            credit_code=code,
            name=name,
            kind=kind,
            place=place,
            party_organisation_name=f"中共{name}支部委员会",
            contact_name=names.person_name(rng, male=rng.random() < 0.5),
            contact_phone=_free_phone(rng),
        ),
    )


def _correct_unit(timeline: _Timeline, community: _Community) -> None:
    """The street corrects a unit's record: its party branch became a general branch (支部 → 总支)."""
    unit = (
        ResidentUnit.objects.filter(
            place__path__startswith=community.street.path, party_organisation_name__endswith="支部委员会"
        )
        .exclude(party_organisation_name__endswith="总支部委员会")
        .order_by("-pk")
        .first()
    )
    if unit is None:
        return
    resident_unit_update(
        actor=community.street_staff,
        unit=unit,
        values=UnitValues(
            credit_code=unit.credit_code,
            name=unit.name,
            kind=unit.kind,
            place=unit.place,
            party_organisation_name=unit.party_organisation_name.replace("支部委员会", "总支部委员会"),
            contact_name=unit.contact_name,
            contact_phone=unit.contact_phone,
        ),
        keep_contact=True,
    )


def _give_contact(timeline: _Timeline, community: _Community, unit: ResidentUnit, *, demo: bool) -> None:
    """A contact for ``unit`` from now on, unless it has one already: the person the unit's record names, or — when
    that person's account came later (``demo_volunteering`` made it) — the one who spoke for the unit before."""
    if UnitContact.objects.filter(unit=unit, created_at__lte=timezone.now()).exists():
        return
    rng = timeline.rng("contact", unit.credit_code)
    phone, full_name = unit.contact_phone, unit.contact_name
    if demo and not User.objects.filter(phone=DEMO_UNIT_CONTACT_PHONE).exists():
        phone = DEMO_UNIT_CONTACT_PHONE
        resident_unit_update(
            actor=community.street_staff,
            unit=unit,
            values=UnitValues(
                credit_code=unit.credit_code,
                name=unit.name,
                kind=unit.kind,
                place=unit.place,
                party_organisation_name=unit.party_organisation_name,
                contact_name=full_name,
                contact_phone=phone,
            ),
        )
    elif UnitContact.objects.filter(unit=unit).exists() or not phone_is_valid(phone) or not full_name:
        phone, full_name = _free_phone(rng), names.person_name(rng, male=rng.random() < 0.5)
    elif User.objects.filter(phone=phone).exclude(kind=UserKind.RESIDENT).exists():
        phone = _free_phone(rng)
    try:
        unit_contact_account_create(actor=community.street_staff, unit=unit, phone=phone, full_name=full_name)
    except ValidationError:
        unit_contact_account_create(
            actor=community.street_staff, unit=unit, phone=_free_phone(rng), full_name=full_name
        )


# --- 兼职委员 ------------------------------------------------------------------------------------------------------


def _years_after(day: date, years: int) -> date:
    """The day before the same day ``years`` later: the last day of a term of ``years`` years from ``day``."""
    try:
        return day.replace(year=day.year + years) - timedelta(days=1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _appoint(
    actor: User, committee: PartyOrganisation, unit: ResidentUnit, *, name: str, **term: Any
) -> PartTimeMember:
    """Appoint ``name`` of ``unit``; should the same name from the unit already sit on the committee, someone else."""
    try:
        return part_time_appoint(actor=actor, organisation=committee, unit=unit, name=name, **term)
    except ValidationError:
        return part_time_appoint(actor=actor, organisation=committee, unit=unit, name=f"{name[0]}晓{name[-1]}", **term)


def _street_seats_story(timeline: _Timeline, community: _Community) -> Story:
    """The street's 大工委 seats the leader of the unit the street registered, and renews the terms that ended."""
    rng = timeline.rng("part-time", community.street.code)
    yield timeline.at(HISTORY_DAYS - 5, rng.uniform(9, 11))
    committee = PartyOrganisation.objects.get(code=f"P{community.street.code}")
    newest = ResidentUnit.objects.filter(place__path__startswith=community.street.path).order_by("-pk").first()
    if newest is not None:
        _appoint(
            community.street_staff,
            committee,
            newest,
            name=newest.contact_name or names.person_name(rng, male=True),
            position="党支部书记",
            term_start=timezone.localdate(),
            term_end=_years_after(timezone.localdate(), 3),
            duties=list(PART_TIME_DUTIES),
        )
    for moment, term in _ended_terms(timeline, committee):
        yield moment
        _renew(community.street_staff, term)()


def _community_seat_story(timeline: _Timeline, community: _Community) -> Story:
    """The community's 大党委 seats a unit's party leader (the first communities' terms end within two months, one
    ends early); every other community renews the terms that ended."""
    rng = timeline.rng("part-time", community.place.code)
    index = community.index
    seat = PartyOrganisation.objects.filter(code=f"P{community.place.code}").first()
    if seat is None or not community.units:
        return
    steps: list[tuple[datetime, Callable[[], object]]] = []
    appointed: list[PartTimeMember] = []

    def appoint() -> None:
        start = timezone.localdate()
        appointed.append(
            _appoint(
                community.staff,
                seat,
                community.units[(index + 1) % len(community.units)],
                name=names.person_name(rng, male=rng.random() < 0.6),
                position=rng.choice(names.PARTY_POSITIONS),
                term_start=start,
                term_end=timeline.today + timedelta(days=19 + 7 * index) if index < 3 else _years_after(start, 3),
                duties=list(PART_TIME_DUTIES),
            )
        )

    steps.append((timeline.at(400 - 15 * (index % 8), rng.uniform(9, 16)), appoint))
    if index == 3:

        def end() -> None:
            part_time_end(actor=community.staff, term=appointed[0], ended_on=timeline.day(41), reason=PART_TIME_ENDED)

        steps.append((timeline.at(40, rng.uniform(9, 16)), end))
    if index % 2 == 0:
        steps += [(moment, _renew(community.staff, term)) for moment, term in _ended_terms(timeline, seat)]
    for moment, act in sorted(steps, key=lambda step: step[0]):
        yield moment
        act()


def _ended_terms(timeline: _Timeline, committee: PartyOrganisation) -> list[tuple[datetime, PartTimeMember]]:
    """The committee's terms that ended in the history (or end within 20 days), not renewed, and when to renew each:
    twelve days before it ends."""
    terms = PartTimeMember.objects.filter(
        organisation=committee,
        term_end__lt=timeline.day(20),
        term_end__gt=timeline.day(HISTORY_DAYS - 30),
        ended_on__isnull=True,
        renewal__isnull=True,
    ).order_by("term_end", "pk")
    return [
        (max(timeline.at(HISTORY_DAYS - 4, 15), timeline.on(term.term_end - timedelta(days=12), 10)), term)
        for term in terms
    ]


def _renew(actor: User, term: PartTimeMember) -> Callable[[], object]:
    def renew() -> PartTimeMember:
        start = term.term_end + timedelta(days=1)
        return part_time_renew(
            actor=actor,
            term=term,
            term_start=start,
            term_end=_years_after(start, 3),
            position=term.position,
            duties=term.duties,
        )

    return renew


# --- 资源清单 ------------------------------------------------------------------------------------------------------


def _resource_story(timeline: _Timeline, unit: ResidentUnit, street_staff: User, number: int) -> Story:
    """A unit publishes what it offers (its contact, or the street on its behalf); later it changes one, and some are
    used up (one made available again) or withdrawn."""
    rng = timeline.rng("resources", unit.credit_code)
    offers = OFFERS.get(unit.kind, OFFERS[ResidentUnitKind.SOCIAL_ORGANISATION])
    published: list[Resource] = []
    for position, offer in enumerate(offers):
        yield timeline.at(HISTORY_DAYS - 8 - position, rng.uniform(9, 17))
        by_staff = (number + position) % 4 == 3
        ends = timeline.today + timedelta(days=rng.choice([200, 400, 700])) if position == 1 else None
        published.append(
            resource_publish(
                actor=street_staff if by_staff else timeline.contact(unit),
                unit=unit,
                kind=offer.kind,
                field=offer.field,
                title=offer.title,
                description=offer.description,
                quantity=Decimal(offer.quantity),
                quantity_unit=offer.measure,
                available_from=timezone.localdate(),
                available_to=ends,
                availability=offer.availability,
            )
        )
    first = published[0]
    yield timeline.at(260 - number % 60, rng.uniform(9, 17))
    resource_update(
        actor=timeline.contact(unit),
        resource=first,
        expected_version=first.version,
        kind=first.kind,
        field=first.field,
        title=first.title,
        description=f"{first.description}（数量已按单位年度计划调整）",
        quantity=(first.quantity or Decimal(1)) + Decimal(max(1, int((first.quantity or 1) // 4))),
        quantity_unit=first.quantity_unit,
        available_from=first.available_from,
        available_to=first.available_to,
        availability=first.availability,
    )
    if len(published) < 3:
        return
    last = published[2]
    if number % 3 == 0:
        yield timeline.at(120 - number % 40, rng.uniform(9, 17))
        resource_use_up(
            actor=timeline.contact(unit), resource=last, expected_version=last.version, note="本年度已用完。"
        )
        if number % 2 == 0:
            yield timeline.at(50 - number % 40, rng.uniform(9, 17))
            resource_restore(
                actor=timeline.contact(unit), resource=last, expected_version=last.version, note="单位追加了预算。"
            )
    elif number % 3 == 1:
        yield timeline.at(90 - number % 40, rng.uniform(9, 17))
        resource_withdraw(
            actor=timeline.contact(unit),
            resource=last,
            expected_version=last.version,
            reason="单位业务调整，暂不对外提供。",
        )


# --- 需求清单 and matching -------------------------------------------------------------------------------------------


_SOURCES = (NeedSource.MATTERS, NeedSource.MEETING, NeedSource.MATTERS, NeedSource.SURVEY)


def _matter_for(community: _Community, want: Want) -> Matter | None:
    """A residents' matter of the community, filed by now, of one of the classes the need may come from."""
    codes = list(Category.objects.filter(level=1, name__in=want.matter_classes).values_list("code", flat=True))
    if not codes:
        return None
    of_class = Q()
    for code in codes:
        of_class |= Q(category__code__startswith=code)
    return (
        Matter.objects.filter(of_class, community=community.place, created_at__lte=timezone.now())
        .order_by("-created_at", "-id")
        .first()
    )


def _publish_need(community: _Community, field_of_work: str, *, number: int, wanted_in: int) -> Need:
    """The community's staff publish a need of its residents in ``field_of_work``, from a matter when one fits."""
    want = WANTS[field_of_work]
    source = _SOURCES[number % len(_SOURCES)]
    matter = _matter_for(community, want) if source == NeedSource.MATTERS else None
    description = want.description
    if source == NeedSource.MATTERS and matter is not None:
        description = f"{description}群众诉求 {matter.number} 反映：{matter.title}"
    elif source == NeedSource.MATTERS:
        source = NeedSource.MEETING
    return need_publish(
        actor=community.staff,
        community=community.place,
        title=want.title,
        field=field_of_work,
        source=source,
        description=description,
        matter=matter,
        quantity=Decimal(want.quantity),
        quantity_unit=want.measure,
        wanted_by=timezone.localdate() + timedelta(days=wanted_in),
    )


def _match(community: _Community, need: Need, *, unit: ResidentUnit | None = None) -> Match | None:
    """Staff accept the best suggestion for the need (of ``unit``, if given), as the ranking shows it."""
    for ranked in need_suggestions(need):
        if unit is None or ranked.resource.unit_id == unit.pk:
            return match_make(
                actor=community.staff,
                need=need,
                resource=ranked.resource,
                expected_version=need.version,
                note=MATCH_NOTE,
            )
    return None


def _field_of(unit: ResidentUnit, number: int) -> str:
    """A field of work in which ``unit`` has a resource on offer now (the number-th of those), or else any."""
    fields = list(
        Resource.objects.filter(unit=unit, state=ResourceState.AVAILABLE).order_by("pk").values_list("field", flat=True)
    )
    return fields[number % len(fields)] if fields else ServiceField.ELDERLY


def _needs_story(timeline: _Timeline, community: _Community) -> Story:
    """A need that stays open unmatched, and in every other community one withdrawn."""
    rng = timeline.rng("needs", community.place.code)
    fields = list(WANTS)
    index = community.index
    if index % 2 == 0:
        yield timeline.at(150 - index % 8, rng.uniform(9, 17))
        withdrawn = _publish_need(community, fields[(index + 4) % len(fields)], number=1, wanted_in=120)
        yield timeline.at(100 - index % 8, rng.uniform(9, 17))
        need_withdraw(actor=community.staff, need=withdrawn, reason=NEED_WITHDRAWN, expected_version=withdrawn.version)
    yield timeline.at(20 - index % 8, rng.uniform(9, 17))
    _publish_need(community, fields[(index + 7) % len(fields)], number=index, wanted_in=90)


# --- 项目清单 ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectPlan:
    fate: str  # done, under_way, planned, cancelled
    need: int  # days ago the need is published; the match and the project follow
    starts: int  # days from today (negative: past)
    ends: int
    milestones: tuple[int, ...]  # due, days from today


PROJECT_PLANS = (
    ProjectPlan("done", 330, -300, -120, (-260, -190, -125)),
    ProjectPlan("under_way", 105, -85, 100, (-45, 30, 95)),
    ProjectPlan("planned", 18, 20, 200, (60, 180)),
    ProjectPlan("cancelled", 215, -190, -30, (-150, -60)),
)


def _project_life(timeline: _Timeline, actor: User, project: Project, plan: ProjectPlan, rng: random.Random) -> Story:
    """From milestones to the project's end, as ``plan.fate`` says."""
    for number, due in enumerate(plan.milestones):
        milestone_add(
            actor=actor,
            project=project,
            title=MILESTONES[number if number < len(plan.milestones) - 1 else len(MILESTONES) - 1],
            due_on=timeline.today + timedelta(days=due),
            expected_version=project.version,
        )
    if plan.fate == "planned":
        return
    yield max(timeline.on(project.starts_on, rng.uniform(9, 11)), timezone.now() + timedelta(hours=1))
    project_start(actor=actor, project=project, expected_version=project.version, note=PROJECT_STARTED)
    if plan.fate == "cancelled":
        yield timeline.at(140, rng.uniform(9, 17))
        project_cancel(actor=actor, project=project, reason=PROJECT_CANCELLED, expected_version=project.version)
        return
    for milestone in Milestone.objects.filter(project=project).order_by("due_on", "pk"):
        done = milestone.due_on - timedelta(days=rng.randint(0, 4))
        if done >= timeline.today:
            break
        yield max(timeline.on(done, rng.uniform(15, 18)), timezone.now() + timedelta(minutes=5))
        milestone_done(
            actor=actor,
            project=project,
            milestone=milestone,
            done_on=timezone.localdate(),
            expected_version=project.version,
            note="按计划完成，附活动记录。",
        )
    if plan.fate == "done":
        yield max(timeline.on(project.ends_on, rng.uniform(9, 11)), timezone.now() + timedelta(hours=1))
        project_finish(actor=actor, project=project, expected_version=project.version, note=PROJECT_DONE)


def _project_story(timeline: _Timeline, community: _Community, plan: ProjectPlan) -> Story:
    """A need, its best match, and the project made from the match, taken to ``plan.fate``."""
    rng = timeline.rng("project", community.place.code, plan.fate)
    yield timeline.at(plan.need, rng.uniform(9, 12))
    unit = community.units[community.index % len(community.units)] if community.units else None
    field_of_work = _field_of(unit, community.index + 1) if unit is not None else ServiceField.ELDERLY
    need = _publish_need(community, field_of_work, number=community.index + 2, wanted_in=plan.ends + plan.need)
    yield timeline.at(plan.need - 3, rng.uniform(9, 17))
    match = _match(community, need)
    if match is None:
        return
    yield timeline.at(plan.need - 6, rng.uniform(9, 17))
    resource = match.resource
    parties = [resource.unit]
    if unit is not None and unit.pk != resource.unit_id and plan.fate != "planned":
        parties.append(unit)
    budget = Decimal(rng.randrange(5, 60) * 1000)
    project = project_create(
        actor=community.staff,
        community=None,
        title=f"{need.title}共建项目"[:80],
        goal=f"{need.description[:300]}由{resource.unit.name}提供“{resource.title}”。",
        field=need.field,
        units=parties,
        starts_on=timeline.today + timedelta(days=plan.starts),
        ends_on=timeline.today + timedelta(days=plan.ends),
        budget=budget,
        match=match,
    )
    yield from _project_life(timeline, community.staff, project, plan, rng)
    if plan.fate == "done":
        yield timeline.next_morning()
        need_meet(actor=community.staff, need=need, expected_version=need.version, note=NEED_MET_BY_PROJECT)


def _joint_project_story(timeline: _Timeline, community: _Community, number: int, plan: ProjectPlan) -> Story:
    """An alliance's joint project in one of its communities, with the alliance's units as parties."""
    rng = timeline.rng("joint project", community.street.code)
    yield timeline.at(plan.need - 6, rng.uniform(9, 12))
    alliance = timeline.alliances.get(community.street.pk)
    if alliance is None:
        return
    units = [m.unit for m in alliance_members(alliance=alliance) if m.unit is not None and m.left_on is None]
    if not units:
        return
    title, field_of_work, goal = JOINT_PROJECTS[number % len(JOINT_PROJECTS)]
    project = project_create(
        actor=community.street_staff,
        community=community.place,
        title=title,
        goal=goal,
        field=field_of_work,
        units=units,
        starts_on=timeline.today + timedelta(days=plan.starts),
        ends_on=timeline.today + timedelta(days=plan.ends),
        budget=Decimal(rng.randrange(20, 120) * 1000),
        alliance=alliance,
    )
    yield from _project_life(timeline, community.street_staff, project, plan, rng)


# --- 契约化共建 ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractPlan:
    """A contract's life: negotiation starts ``start`` days ago; the term is days from today (None: not set)."""

    fate: str
    start: int
    term: tuple[int, int] | None


CONTRACT_PLANS = {
    "renewed": ContractPlan("renewed", 430, (-400, -36)),
    "closed": ContractPlan("closed", 445, (-420, -56)),
    "closed_by_community": ContractPlan("closed_by_community", 415, (-390, -25)),
    "closed_early": ContractPlan("closed_early", 275, (-250, 115)),
    "evaluating": ContractPlan("evaluating", 405, (-380, -15)),
    "expiring": ContractPlan("expiring", 370, (-344, 20)),
    "overdue": ContractPlan("overdue", 225, (-200, 165)),
    "performing": ContractPlan("performing", 175, (-150, 214)),
    "signed": ContractPlan("signed", 35, (5, 369)),
    "signing": ContractPlan("signing", 22, (10, 374)),
    "signing_unit_first": ContractPlan("signing_unit_first", 20, (12, 376)),
    "reopened": ContractPlan("reopened", 32, (15, 379)),
    "negotiating": ContractPlan("negotiating", 14, (20, 384)),
    "cancelled": ContractPlan("cancelled", 75, None),
}
# The fates of each community's contracts, in turn over the units it may contract with; the demo unit takes the
# first community's.
COMMUNITY_FATES = (
    ("renewed", "signing", "negotiating"),
    ("expiring", "cancelled"),
    ("overdue", "signed"),
    ("evaluating", "reopened"),
    ("closed_by_community", "performing"),
    ("closed_early", "signing_unit_first"),
    ("performing", "negotiating"),
    ("closed", "overdue"),
)
CLAUSE_SHARES = (0.2, 0.35, 0.6, 0.85)  # where in the term each clause falls due
PUBLISHED = {
    "renewed",
    "closed",
    "closed_by_community",
    "closed_early",
    "evaluating",
    "expiring",
    "overdue",
    "performing",
}


def _clause_values(spec: tuple[str, str, str, str], party: str, due: date) -> ClauseValues:
    menu, content, measure, field_of_work = spec
    return ClauseValues(menu=menu, done_by=party, content=content, due_on=due, measure=measure, field=field_of_work)


def _match_clause(match: Match, due: date) -> ClauseValues:
    resource, need = match.resource, match.need
    menu = ClauseMenu.SERVICE if resource.kind in (ResourceKind.PEOPLE, ResourceKind.SKILLS) else ClauseMenu.RESOURCE
    amount = f"{resource.quantity.normalize():f}{resource.quantity_unit}" if resource.quantity else "按需"
    return ClauseValues(
        menu=menu,
        done_by=ContractParty.UNIT,
        content=f"{resource.unit.name}提供“{resource.title}”，满足社区需求：{need.title}",
        due_on=due,
        measure=f"全年提供{amount}，{resource.availability or '按约定时间'}"[:200],
        field=need.field,
    )


def _due_dates(term: tuple[date, date]) -> list[date]:
    start, end = term
    return [start + timedelta(days=round((end - start).days * share)) for share in CLAUSE_SHARES]


def _title(community: _Community, unit: ResidentUnit) -> str:
    return f"{community.place.name}与{unit.name}共建契约"[:80]


@dataclass(eq=False)
class _Deal:
    """One contract's story as it goes: who, the plan, the term and the clauses' due dates, the need and match it
    came from, the contract once started."""

    timeline: _Timeline
    community: _Community
    unit: ResidentUnit
    plan: ContractPlan
    number: int
    rng: random.Random
    term: tuple[date, date] | None
    dues: list[date]
    need: Need | None = None
    match: Match | None = None
    contract: Contract | None = None

    @property
    def fate(self) -> str:
        return self.plan.fate

    @property
    def staff(self) -> User:
        return self.community.staff

    def contact(self) -> User:
        return self.timeline.contact(self.unit)

    def at(self, ago: int, hours: tuple[float, float] = (9, 17)) -> datetime:
        return self.timeline.at(ago, self.rng.uniform(*hours))

    def fresh(self) -> Contract:
        assert self.contract is not None
        self.contract.refresh_from_db()
        return self.contract


def _contract_story(
    timeline: _Timeline, community: _Community, unit: ResidentUnit, plan: ContractPlan, number: int
) -> Story:
    """谈约 (a need matched with the unit's resource drafts the first clause), 签约, 亮约, 履约 and 评约, up to the
    plan's fate."""
    today = timeline.today
    term = (today + timedelta(days=plan.term[0]), today + timedelta(days=plan.term[1])) if plan.term else None
    deal = _Deal(
        timeline=timeline,
        community=community,
        unit=unit,
        plan=plan,
        number=number,
        rng=timeline.rng("contract", community.place.code, unit.credit_code, plan.fate),
        term=term,
        dues=_due_dates(term or (timeline.day(plan.start - 60), today + timedelta(days=200))),
    )
    yield from _negotiate(deal)
    if deal.fate in {"cancelled", "negotiating"}:
        return
    yield from _sign(deal)
    if deal.fate not in PUBLISHED:
        return
    yield from _publish_and_perform(deal)
    if deal.fate not in {"performing", "expiring", "overdue"}:
        yield from _evaluation(deal)


def _negotiate(deal: _Deal) -> Story:
    """谈约: a need of the community matched with the unit's resource drafts the first clause (or the community drafts
    the unit's volunteering), the community adds its own, the unit proposes one and both comment; or the community
    abandons it."""
    plan, staff, unit = deal.plan, deal.staff, deal.unit
    yield deal.at(plan.start + 8, (9, 11))
    deal.need = _publish_need(
        deal.community,
        _field_of(unit, deal.number),
        number=deal.number,
        wanted_in=(deal.dues[0] - timezone.localdate()).days,
    )
    yield deal.at(plan.start + 5, (14, 17))
    deal.match = _match(deal.community, deal.need, unit=unit)
    yield deal.at(plan.start, (9, 11))
    title = _title(deal.community, unit)
    if deal.match is not None:
        first = contract_clause_from_match(
            actor=staff,
            match=deal.match,
            contract=None,
            title=title,
            values=_match_clause(deal.match, deal.dues[0]),
            expected_version=None,
        )
        deal.contract = Contract.objects.get(pk=first.contract_id)
        if deal.term is not None:
            contract_edit(
                actor=staff,
                contract=deal.contract,
                title=title,
                term_start=deal.term[0],
                term_end=deal.term[1],
                expected_version=deal.contract.version,
            )
    else:
        deal.contract = contract_start(
            actor=staff,
            community=deal.community.place,
            unit=unit,
            title=title,
            term_start=deal.term[0] if deal.term else None,
            term_end=deal.term[1] if deal.term else None,
        )
        clause_add(
            actor=staff,
            contract=deal.contract,
            side=ContractParty.COMMUNITY,
            values=_clause_values(UNIT_SERVICE_CLAUSE, ContractParty.UNIT, deal.dues[0]),
            expected_version=deal.contract.version,
        )
    for position, spec in enumerate(COMMUNITY_CLAUSES[:2], start=1):
        clause_add(
            actor=staff,
            contract=deal.fresh(),
            side=ContractParty.COMMUNITY,
            values=_clause_values(spec, ContractParty.COMMUNITY, deal.dues[position]),
            expected_version=deal.fresh().version,
        )
    yield deal.at(plan.start - 2)
    clause_add(
        actor=deal.contact(),
        contract=deal.fresh(),
        side=ContractParty.UNIT,
        values=_clause_values(UNIT_PROPOSED_CLAUSE, ContractParty.UNIT, deal.dues[3]),
        expected_version=deal.fresh().version,
    )
    if deal.fate == "cancelled":
        yield deal.at(plan.start - 4)
        contract_comment(actor=deal.contact(), contract=deal.fresh(), side=ContractParty.UNIT, note=CANCEL_COMMENT)
        yield deal.at(plan.start - 17)
        contract_cancel(actor=staff, contract=deal.fresh(), reason=CANCEL_REASON, expected_version=deal.fresh().version)
        return
    yield deal.at(plan.start - 3)
    note = deal.rng.choice(UNIT_COMMENTS)
    contract_comment(actor=deal.contact(), contract=deal.fresh(), side=ContractParty.UNIT, note=note)
    yield deal.at(plan.start - 4)
    note = deal.rng.choice(COMMUNITY_COMMENTS)
    contract_comment(actor=staff, contract=deal.fresh(), side=ContractParty.COMMUNITY, note=note)


def _sign(deal: _Deal) -> Story:
    """签约: both parties sign, either first; or the unit withdraws the community's signature to negotiate again and
    the community moves a clause's due date."""
    plan, staff = deal.plan, deal.staff
    if deal.fate == "reopened":
        yield deal.at(plan.start - 12)
        contract_sign(
            actor=staff, contract=deal.fresh(), side=ContractParty.COMMUNITY, expected_version=deal.fresh().version
        )
        yield deal.at(plan.start - 14)
        contract_reopen(
            actor=deal.contact(),
            contract=deal.fresh(),
            side=ContractParty.UNIT,
            reason=REOPEN_REASON,
            expected_version=deal.fresh().version,
        )
        yield deal.at(plan.start - 16)
        contract = deal.fresh()
        second = contract.clauses.get(position=2)
        clause_edit(
            actor=staff,
            contract=contract,
            clause=second,
            values=ClauseValues(
                menu=second.menu,
                done_by=second.party,
                content=second.content,
                due_on=second.due_on + timedelta(days=30),
                measure=second.measure,
                field=second.field,
            ),
            expected_version=contract.version,
        )
        return
    days = {"signed": (6, 4), "signing": (2, None), "signing_unit_first": (None, 3)}.get(
        deal.fate, (plan.start - 10, plan.start - 12)
    )
    signatures = [(ago, side) for ago, side in zip(days, (ContractParty.COMMUNITY, ContractParty.UNIT), strict=True)]
    for ago, side in sorted(((ago, side) for ago, side in signatures if ago is not None), reverse=True):
        yield deal.at(ago)
        contract_sign(
            actor=staff if side == ContractParty.COMMUNITY else deal.contact(),
            contract=deal.fresh(),
            side=side,
            expected_version=deal.fresh().version,
        )


# How many days ago performance stops (the evaluation starts, or the contract is renewed) for each fate.
CUTOFFS = {"renewed": 45, "closed": 50, "closed_by_community": 20, "closed_early": 30, "evaluating": 10}


def _publish_and_perform(deal: _Deal) -> Story:
    """亮约 and 履约; the contract to be renewed is renewed before its term ends (the renewal is a story of its own)."""
    yield deal.at(deal.plan.start - 14, (9, 11))
    contract_publish(actor=deal.staff, contract=deal.fresh(), expected_version=deal.fresh().version)
    cutoff = CUTOFFS.get(deal.fate, 1)
    yield from _perform(
        deal.timeline,
        deal.community,
        deal.unit,
        deal.fresh(),
        deal.rng,
        fate=deal.fate,
        number=deal.number,
        cutoff=cutoff,
    )
    if deal.fate == "renewed":
        yield deal.at(cutoff, (9, 11))
        renewal = contract_renew(actor=deal.staff, contract=deal.fresh())
        deal.timeline.add(
            f"renewal {renewal.number}", _renewal_story(deal.timeline, deal.community, deal.unit, renewal)
        )


def _evaluation(deal: _Deal) -> Story:
    """评约: the community starts it (early, with a reason, for one), both parties evaluate — or the community closes
    it without the unit's — and residents rate it; a need the contract met is marked met."""
    staff, contract = deal.staff, deal.fresh()
    starts = 33 if deal.fate == "renewed" else CUTOFFS[deal.fate]
    yield deal.at(starts, (9, 11))
    contract_start_evaluation(
        actor=staff,
        contract=contract,
        reason=EARLY_END_REASON if deal.fate == "closed_early" else "",
        expected_version=deal.fresh().version,
    )
    steps: list[tuple[datetime, Callable[[], object]]] = [
        (deal.at(starts - 4), lambda: _evaluate(staff, contract, ContractParty.COMMUNITY, deal.rng))
    ]
    if deal.fate == "closed_by_community":
        steps.append(
            (
                deal.at(starts - 16),
                lambda: contract_close(
                    actor=staff, contract=contract, reason=CLOSE_REASON, expected_version=deal.fresh().version
                ),
            )
        )
    elif deal.fate != "evaluating":
        steps.append((deal.at(starts - 7), lambda: _evaluate(deal.contact(), contract, ContractParty.UNIT, deal.rng)))
    steps += _ratings(deal.timeline, deal.community, contract, deal.rng, first=starts - 1, last=max(1, starts - 8))
    for moment, act in sorted(steps, key=lambda step: step[0]):
        yield moment
        act()
    need = deal.need
    if deal.match is not None and need is not None and deal.fate != "evaluating":
        yield deal.timeline.next_morning()
        need.refresh_from_db()
        if need.state == "open":
            need_meet(actor=staff, need=need, expected_version=need.version, note=NEED_MET_BY_CONTRACT)


def _version(contract: Contract) -> int:
    contract.refresh_from_db()
    return contract.version


def _renewal_story(timeline: _Timeline, community: _Community, unit: ResidentUnit, renewal: Contract) -> Story:
    """续约: the unit agrees, the community adds a third round of gifts to the clause the unit proposed, both sign,
    and it is published."""
    rng = timeline.rng("renewal", renewal.number)
    yield timeline.at(43, rng.uniform(9, 17))
    contract_comment(actor=timeline.contact(unit), contract=renewal, side=ContractParty.UNIT, note=RENEWAL_COMMENT)
    yield timeline.at(42, rng.uniform(9, 17))
    first = renewal.clauses.filter(proposed_by=ContractParty.UNIT).order_by("position").first()
    if first is not None:
        clause_edit(
            actor=community.staff,
            contract=renewal,
            clause=first,
            values=ClauseValues(
                menu=first.menu,
                done_by=first.party,
                content=first.content,
                due_on=first.due_on,
                measure=RENEWAL_MEASURE,
                field=first.field,
            ),
            expected_version=_version(renewal),
        )
    for ago, side in ((41, ContractParty.COMMUNITY), (40, ContractParty.UNIT)):
        yield timeline.at(ago, rng.uniform(9, 17))
        contract_sign(
            actor=community.staff if side == ContractParty.COMMUNITY else timeline.contact(unit),
            contract=renewal,
            side=side,
            expected_version=_version(renewal),
        )
    yield timeline.at(34, rng.uniform(9, 11))
    contract_publish(actor=community.staff, contract=renewal, expected_version=_version(renewal))
    yield from _perform(timeline, community, unit, renewal, rng, fate="renewal", number=0, cutoff=1)


def _perform(
    timeline: _Timeline,
    community: _Community,
    unit: ResidentUnit,
    contract: Contract,
    rng: random.Random,
    *,
    fate: str,
    number: int,
    cutoff: int,
) -> Story:
    """履约 of a published contract: each clause due by now is performed by its party, with a photo, on its due date or
    a few days before — one late — before the day ``cutoff`` days ago; the overdue contract leaves one clause undone,
    and the first clause of a long contract is half done a month before."""
    contract.refresh_from_db()
    assert contract.term_start is not None
    published = timezone.now()
    end = timeline.at(cutoff, 8) if cutoff > 1 else timeline.at(1, 21)
    late = 3 if fate == "overdue" else 2 + number % 2
    records: list[tuple[datetime, Clause, date, bool]] = []
    for clause in contract.clauses.order_by("position"):
        if fate == "overdue" and clause.position == 2:
            continue  # left undone: overdue
        for planned in (
            (clause.due_on + timedelta(days=rng.randint(4, 15))) if clause.position == late else None,
            clause.due_on - timedelta(days=rng.randint(0, 6)),
        ):
            if planned is None or planned >= timeline.today:
                continue
            day = max(planned, contract.term_start)
            moment = timeline.on(day, rng.uniform(17, 20.5))
            if published < moment < end:
                records.append((moment, clause, day, True))
                half = day - timedelta(days=30)
                if clause.position == 1 and fate in {"renewed", "closed", "expiring", "performing"}:
                    early = timeline.on(half, rng.uniform(17, 20.5)) if half >= contract.term_start else None
                    if early is not None and early > published:
                        records.append((early, clause, half, False))
                break
    for moment, clause, day, completes in sorted(records, key=lambda record: record[0]):
        yield moment
        party = clause.party
        note = (
            GIFTS_DONE
            if clause.proposed_by == ContractParty.UNIT
            else PERFORMANCE_NOTES.get((party, clause.menu), DONE)
        )
        clause_perform(
            actor=community.staff if party == ContractParty.COMMUNITY else timeline.contact(unit),
            contract=contract,
            clause=clause,
            side=party,
            performed_on=day,
            note=note if completes else PROGRESS_NOTE,
            files=[_evidence_photo(rng)],
            completes=completes,
        )


def _evaluate(actor: User, contract: Contract, side: str, rng: random.Random) -> Evaluation:
    """评约 of one party: each clause scored by how it was performed (on time, late, not at all), the whole near
    their mean."""
    scores: dict[int, int | None] = {}
    for clause in contract.clauses.order_by("position"):
        if clause.performed_on is None:
            scores[clause.pk] = rng.randint(40, 60)
        elif clause.performed_on <= clause.due_on:
            scores[clause.pk] = rng.randint(86, 98)
        else:
            scores[clause.pk] = rng.randint(70, 84)
    values = [score for score in scores.values() if score is not None]
    whole = min(100, max(0, round(sum(values) / max(1, len(values))) + rng.randint(-2, 2)))
    return contract_evaluate(
        actor=actor,
        contract=contract,
        side=side,
        score=whole,
        clause_scores=scores,
        comment=rng.choice(EVALUATION_COMMENTS[side]),
    )


def _adult(resident: Resident, on: date) -> bool:
    try:
        return int(resident.id_number[6:10]) <= on.year - 18
    except ValueError:
        return False


def _ratings(
    timeline: _Timeline, community: _Community, contract: Contract, rng: random.Random, *, first: int, last: int
) -> list[tuple[datetime, Callable[[], object]]]:
    """A few residents of the community rate the contract on its public page, on days from ``first`` to ``last``
    days ago: each the next adult of a shuffled list who has an account by then or opens one by phone."""
    residents = [
        resident
        for resident in Resident.objects.filter(household__path__startswith=community.place.path)
        .exclude(phone="")
        .select_related("user")
        .order_by("pk")[:200]
        if _adult(resident, timeline.today)
    ]
    rng.shuffle(residents)
    queue = iter(residents)

    def rate(stars: int, comment: str) -> None:
        for resident in queue:
            user = _resident_account(resident)
            if user is not None and user.date_joined <= timezone.now():
                contract_rate(actor=user, contract=contract, stars=stars, comment=comment)
                return

    steps: list[tuple[datetime, Callable[[], object]]] = []
    for _rating in range(RATINGS_PER_CONTRACT):
        stars = rng.choice([5, 5, 5, 4, 4, 3])
        comment = rng.choice(RESIDENT_COMMENTS[stars])
        moment = timeline.at(rng.randint(last, first), rng.uniform(19, 21.5))
        steps.append((moment, partial(rate, stars, comment)))
    return steps


# --- 党建联盟 --------------------------------------------------------------------------------------------------------


def _meeting_days(timeline: _Timeline, started: date, *, short: bool, earlier: int = 0) -> list[date]:
    """Two joint meetings a year since the alliance started (one only this year when ``short``)."""
    days: list[date] = []
    this_year = date(timeline.today.year, 1, 1)
    windows = [
        (max(started + timedelta(days=15), date(this_year.year - 1, 1, 1)), this_year - timedelta(days=1), (0.3, 0.85)),
        (max(started + timedelta(days=15), this_year), timeline.day(3), (0.5,) if short else (0.25, 0.8)),
    ]
    for first, last, shares in windows:
        if (last - first).days < 10:
            continue
        days += [max(first, first + timedelta(days=round((last - first).days * share) - earlier)) for share in shares]
    return days


def _alliance_story(timeline: _Timeline, community: _Community, number: int, *, short: bool) -> Story:
    """A street forms an alliance with its communities and units; the chair rotates each half-year (handed over
    early in one), a member joins later in another, and joint meetings are recorded with their minutes."""
    rng = timeline.rng("alliance", community.street.code)
    street, staff = community.street, community.street_staff
    ago = 430 - 10 * number
    yield timeline.at(ago, rng.uniform(9, 11))
    places = list(Place.objects.filter(parent=street, level=PlaceLevel.COMMUNITY).order_by("code"))
    units = list(ResidentUnit.objects.filter(place__path__startswith=street.path).order_by("pk"))
    if timeline.demo_unit in units:
        units.remove(timeline.demo_unit)
        units.insert(0, timeline.demo_unit)
    members = (2, 2) if number == 0 else (2, 1) if number == 1 else (1, 1)
    joins = places[members[0] : members[0] + 1] if number == 2 else []
    theme = ALLIANCE_THEMES[number % len(ALLIANCE_THEMES)]
    alliance = alliance_create(
        actor=staff,
        name=f"{street.name}“{theme}”党建联盟",
        purpose=ALLIANCE_PURPOSE,
        place=street,
        started_on=timezone.localdate(),
        term_months=6,
        communities=places[: members[0]],
        units=units[: members[1]],
    )
    timeline.alliances[street.pk] = alliance
    steps: list[tuple[datetime, Callable[[], object]]] = []
    for meeting, day in enumerate(_meeting_days(timeline, alliance.started_on, short=short, earlier=6 * number)):
        steps.append((timeline.on(day, rng.uniform(14.5, 16)), _meeting(staff, alliance, meeting, rng)))
    if number == 1:
        steps.append((timeline.at(200, rng.uniform(9, 11)), lambda: _hand_over(staff, alliance)))
    if joins:
        steps.append(
            (
                timeline.at(250, rng.uniform(9, 11)),
                lambda: alliance_members_add(
                    actor=staff, alliance=alliance, communities=joins, units=[], joined_on=timezone.localdate()
                ),
            )
        )
    for moment, act in sorted(steps, key=lambda step: step[0]):
        yield moment
        act()


def _meeting(staff: User, alliance: Alliance, number: int, rng: random.Random) -> Callable[[], object]:
    def record() -> JointMeeting:
        today = timezone.localdate()
        present = [member for member in alliance_members(alliance=alliance) if member.active_on(today)]
        chair = alliance_rotation(alliance=alliance).chair_on(today)
        host = next((m for m in present if m.pk == chair and m.community is not None), None)
        venue = f"{host.name}党群服务中心" if host is not None else f"{alliance.place.name}党群服务中心"
        return alliance_meeting_record(
            actor=staff,
            alliance=alliance,
            held_on=today,
            venue=venue,
            topic=MEETING_TOPICS[number % len(MEETING_TOPICS)],
            attendees=present,
            minutes=MEETING_MINUTES.format(n=rng.randint(3, 15)),
            decisions=MEETING_DECISIONS,
        )

    return record


def _hand_over(staff: User, alliance: Alliance) -> None:
    today = timezone.localdate()
    rotation = alliance_rotation(alliance=alliance)
    chair = rotation.chair_on(today)
    others = [member for member in rotation.order if member != chair]
    if others:
        alliance_chair_hand_over(
            actor=staff,
            alliance=alliance,
            to=AllianceMember.objects.get(pk=others[0]),
            on=today,
            reason=HAND_OVER_REASON,
        )


def _warning_story(timeline: _Timeline) -> Story:
    """The periodic task's run of yesterday evening: contracts whose term ends within 30 days are warned."""
    yield timeline.at(1, 21.5)
    contracts_warn_expiring()


# --- planning and running ------------------------------------------------------------------------------------------


def _contract_earlier(plan: ContractPlan, days: int) -> ContractPlan:
    """The plan ``days`` earlier (so that the communities' dates differ a little)."""
    term = (plan.term[0] - days, plan.term[1] - days) if plan.term is not None else None
    return replace(plan, start=plan.start + days, term=term)


def _project_earlier(plan: ProjectPlan, days: int) -> ProjectPlan:
    """The plan ``days`` earlier."""
    milestones = tuple(due - days for due in plan.milestones)
    return replace(plan, need=plan.need + days, starts=plan.starts - days, ends=plan.ends - days, milestones=milestones)


def _plan(timeline: _Timeline) -> None:
    """Every story of the history: each unit's resources, each street's and community's part-time members, needs,
    a project and the contracts of ``COMMUNITY_FATES`` per community, the first streets' alliances, the warning."""
    communities = timeline.communities
    streets: dict[int, _Community] = {}
    for community in communities:
        streets.setdefault(community.street.pk, community)
    units = [
        unit
        for community in streets.values()
        for unit in ResidentUnit.objects.filter(place__path__startswith=community.street.path).order_by("pk")
    ]
    for number, unit in enumerate(units):
        street_staff = next(c.street_staff for c in streets.values() if unit.place.path.startswith(c.street.path))
        timeline.add(f"resources of {unit.name}", _resource_story(timeline, unit, street_staff, number))
    for community in communities:
        name = community.place.name
        if streets[community.street.pk] is community:
            timeline.add(f"part-time members of {community.street.name}", _street_seats_story(timeline, community))
        timeline.add(f"part-time members of {name}", _community_seat_story(timeline, community))
        timeline.add(f"needs of {name}", _needs_story(timeline, community))
        project = _project_earlier(PROJECT_PLANS[community.index % len(PROJECT_PLANS)], 5 * (community.index // 4 % 3))
        if community.units:
            timeline.add(f"project of {name}", _project_story(timeline, community, project))
        fates = COMMUNITY_FATES[community.index % len(COMMUNITY_FATES)]
        for number, fate in enumerate(fates):
            if not community.units:
                break
            unit = community.units[(number + community.index) % len(community.units)]
            if community.index == 0 and timeline.demo_unit in community.units:
                assert timeline.demo_unit is not None
                unit = timeline.demo_unit
            plan = CONTRACT_PLANS[fate]
            if fate in PUBLISHED or fate == "cancelled":
                plan = _contract_earlier(plan, 3 * (community.index % 3))
            timeline.add(
                f"contract {fate} of {name} with {unit.name}",
                _contract_story(timeline, community, unit, plan, community.index * 3 + number),
            )
    for number, community in enumerate(list(streets.values())[:MAX_ALLIANCES]):
        short = number == min(2, len(streets) - 1)
        timeline.add(f"alliance of {community.street.name}", _alliance_story(timeline, community, number, short=short))
        timeline.add(
            f"joint project of {community.street.name}",
            _joint_project_story(
                timeline, community, number, _project_earlier(PROJECT_PLANS[number % 3], 2 + 4 * number)
            ),
        )
    timeline.add("expiry warning", _warning_story(timeline))


def demo_cobuild_exists() -> bool:
    """Whether co-construction work is in the database already (the demo's, or anyone's)."""
    return (
        Need.objects.exists()
        or Resource.objects.exists()
        or Project.objects.exists()
        or Contract.objects.exists()
        or Alliance.objects.exists()
    )


def demo_cobuild_counts() -> dict[str, int]:
    """How many objects of each kind (and state) there are, for the command's summary."""
    counts: dict[str, int] = {}
    for label, model in (
        ("needs", Need),
        ("resources", Resource),
        ("projects", Project),
        ("contracts", Contract),
    ):
        states = Counter(dict(model.objects.values_list("state").annotate(n=Count("pk")).values_list("state", "n")))
        counts[label] = sum(states.values())
        for state, n in sorted(states.items()):
            counts[f"{label} · {state}"] = n
    counts.update(
        {
            "resident units": ResidentUnit.objects.count(),
            "unit contacts": UnitContact.objects.count(),
            "part-time members": PartTimeMember.objects.count(),
            "matches": Match.objects.count(),
            "milestones": Milestone.objects.count(),
            "clauses": Clause.objects.count(),
            "clauses performed": Clause.objects.filter(performed_on__isnull=False).count(),
            "performance records": Performance.objects.count(),
            "evidence files": Evidence.objects.count(),
            "evaluations": Evaluation.objects.count(),
            "residents' ratings": ResidentRating.objects.count(),
            "alliances": Alliance.objects.count(),
            "alliance members": AllianceMember.objects.count(),
            "joint meetings": JointMeeting.objects.count(),
        }
    )
    return counts


def demo_cobuild_build(
    *,
    seed: int = DEFAULT_SEED,
    communities: int = MAX_COMMUNITIES,
    until: datetime | None = None,
    log: Callable[[str], None] = print,
) -> CobuildSummary:
    """Build the history of co-construction in the first ``communities`` communities of the demo city, ending the
    day before ``until`` (now), in one transaction. The demo city must be there; the caller checks that no
    co-construction work is there yet."""
    started = perf_counter()
    timeline = _Timeline(seed=seed, until=until or timezone.now())
    with transaction.atomic():
        if not Place.objects.filter(code=CITY_CODE).exists():
            log("No demo city: run “manage.py demo_city” first.")
            return CobuildSummary(seconds=0.0, communities=[], counts={})
        timeline.communities = _communities(timeline, communities)
        if not timeline.communities:
            log("No community of the demo city has households and staff: nothing to do.")
            return CobuildSummary(seconds=0.0, communities=[], counts={})
        _prologue(timeline)
        _plan(timeline)
        steps = timeline.run()
        counts = demo_cobuild_counts()
        names_ = [c.place.name for c in timeline.communities]
        audit_record(
            actor=None,
            actor_name="demo_cobuild",
            action="demo.cobuild_built",
            detail={"seed": seed, "communities": names_, "steps": steps, "counts": counts},
        )
    return CobuildSummary(seconds=perf_counter() - started, communities=names_, counts=counts)
