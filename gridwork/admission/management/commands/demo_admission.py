"""Fill the demo city with the duty list and admission (准入), made through the services: the default duty list (22
duties, 22 assisting duties) for the city; civil affairs (民政局) of the city and of each district marked as
approving bodies; for the streets of the first communities, requests by district departments — one admitted by every
body and assigned to the street's communities (the first one received it), one refused with its reason, one waiting
for decisions, one draft — and the first community's report of a task pushed without admission.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from time import perf_counter
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridwork.accounts.models import Post, User
from gridwork.accounts.roles import Role
from gridwork.admission import duties, services
from gridwork.admission.models import AdmissionRequest, ApprovingBody, DecisionKind, DutyItem
from gridwork.admission.services import AdmissionInput, ReportInput
from gridwork.demo.build import demo_staff
from gridwork.demo.fill import DemoFillCommand
from gridwork.demo.plan import CITY_CODE, DEFAULT_SEED
from gridwork.places.models import Department, Place, PlaceLevel

MAX_COMMUNITIES = 2
BODY_NAME = "民政局"
REQUESTERS = ("住房和城乡建设局", "城市管理局", "卫生健康局", "教育局")

PLANS = (
    (
        "老旧小区改造入户意见征集",
        "逐户征集居民对改造内容的意见,汇总后报区住建局。",
        "入户征集需熟悉居民情况,住建局无基层力量逐户走访。",
        "《国务院办公厅关于全面推进城镇老旧小区改造工作的指导意见》(国办发〔2020〕23号)",
        "授权社区组织居民议事会确定改造内容的优先次序。",
        "住建局派驻2名专干随社区入户,并购买第三方服务。",
        2,
        Decimal("60000.00"),
        "区级老旧小区改造专项资金",
    ),
    (
        "门前三包日常巡查",
        "社区每日巡查沿街商户门前三包落实情况并拍照上报。",
        "城管执法力量不足。",
        "《城市市容和环境卫生管理条例》",
        "无执法权,仅巡查上报。",
        "由社区现有人员承担。",
        0,
        Decimal("0.00"),
        "无",
    ),
    (
        "适龄儿童疫苗接种提醒",
        "社区对辖区适龄儿童家庭进行接种提醒。",
        "卫健部门无法逐户联系。",
        "《中华人民共和国疫苗管理法》第四十七条",
        "授权社区使用接种提醒名单。",
        "社区卫生服务中心派1名联络员。",
        1,
        Decimal("8000.00"),
        "区卫健局公共卫生服务经费",
    ),
    (
        "校园周边安全宣传",
        "在开学季组织校园周边安全宣传活动。",
        "需社区志愿者配合。",
        "《中小学幼儿园安全管理办法》",
        "无。",
        "教育局派2名干部。",
        2,
        Decimal("5000.00"),
        "区教育局安全教育经费",
    ),
)
REFUSAL = "该事项属城管执法职责,不得以巡查名义转嫁社区,且未随事转移人员和经费。"


@dataclass
class Summary:
    communities: list[str] = field(default_factory=list)
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def demo_admission_exists() -> bool:
    return AdmissionRequest.objects.exists() or ApprovingBody.objects.exists()


def _handler(department: Department) -> User | None:
    post = (
        Post.objects.filter(role=Role.DEPARTMENT_HANDLER, department=department, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    return post.user if post is not None else None


def _department(place: Place, name: str) -> Department | None:
    return Department.objects.filter(place=place, is_active=True, name__endswith=name).order_by("code").first()


class _Demo:
    def __init__(self, *, limit: int, log: Callable[[str], Any]) -> None:
        self.limit, self.log = limit, log
        self.today = timezone.localdate()

    def build(self) -> Summary:
        started = perf_counter()
        summary = Summary()
        city = Place.objects.get(code=CITY_CODE)
        city_staff = demo_staff(Role.CITY_STAFF, city)
        if city_staff is None:
            self.log(_("No city staff in the demo city: nothing to do."))
            return summary
        summary.counts["duty list items"] = duties.duty_list_load_defaults(actor=city_staff, scope=city)
        bodies = self.bodies(city, city_staff)
        summary.counts["approving bodies"] = len(bodies)
        communities = Place.objects.filter(level=PlaceLevel.COMMUNITY, path__startswith=city.path).order_by("code")
        streets: list[Place] = []
        for community in communities[: self.limit]:
            summary.communities.append(community.name)
            street = Place.objects.get(pk=community.parent_id or 0)
            if street not in streets:
                streets.append(street)
        if bodies:
            for street in streets:
                self.requests(street)
        first = communities.first()
        staff = demo_staff(Role.COMMUNITY_STAFF, first) if first is not None else None
        if first is not None and staff is not None:
            district = Place.objects.get(pk=Place.objects.get(pk=first.parent_id or 0).parent_id or 0)
            services.unadmitted_report_create(
                actor=staff,
                values=ReportInput(
                    community=first,
                    department=_department(district, "生态环境局"),
                    pushed_by="",
                    task="要求社区每日上报辖区餐饮油烟排查台账",
                    details="工作群通知,要求社区每日18时前上报,未经准入,无经费。",
                    pushed_on=self.today - timedelta(days=3),
                ),
            )
        summary.counts["requests"] = AdmissionRequest.objects.count()
        summary.counts["assigned tasks"] = sum(r.assignments.count() for r in AdmissionRequest.objects.all())
        summary.seconds = perf_counter() - started
        return summary

    def bodies(self, city: Place, city_staff: User) -> list[ApprovingBody]:
        made: list[ApprovingBody] = []
        department = _department(city, BODY_NAME)
        if department is not None:
            made.append(duties.approving_body_add(actor=city_staff, department=department, note="市民政局"))
        for district in Place.objects.filter(level=PlaceLevel.DISTRICT, parent=city).order_by("code"):
            staff = demo_staff(Role.DISTRICT_STAFF, district)
            department = _department(district, BODY_NAME)
            if staff is not None and department is not None:
                made.append(duties.approving_body_add(actor=staff, department=department, note="区民政局"))
        return made

    def requests(self, street: Place) -> None:
        district = Place.objects.get(pk=street.parent_id or 0)
        made: list[AdmissionRequest] = []
        for name, plan in zip(REQUESTERS, PLANS, strict=True):
            department = _department(district, name)
            handler = _handler(department) if department is not None else None
            if handler is None:
                return
            title, content, reason, basis, authority, staffing, count, funds, source = plan
            made.append(
                services.admission_create(
                    actor=handler,
                    values=AdmissionInput(
                        title=title,
                        content=content,
                        reason=reason,
                        legal_basis=basis,
                        scope=street,
                        starts_on=self.today,
                        ends_on=self.today + timedelta(days=180),
                        authority=authority,
                        staffing=staffing,
                        staff_count=count,
                        funds_amount=funds,
                        funds_source=source,
                    ),
                )
            )
        admitted, refused, waiting, _draft = made
        for subject in (admitted, refused, waiting):
            services.admission_submit(actor=subject.created_by, subject=subject, expected_version=subject.version)
        for body in admitted.bodies.select_related("department"):
            services.admission_decide(
                actor=_handler(body.department),
                subject=admitted,
                body=body,
                decision=DecisionKind.APPROVE,
                expected_version=admitted.version,
            )
        district_body = refused.bodies.filter(department__place=district).select_related("department").first()
        if district_body is not None:
            services.admission_decide(
                actor=_handler(district_body.department),
                subject=refused,
                body=district_body,
                decision=DecisionKind.REFUSE,
                reason=REFUSAL,
                expected_version=refused.version,
            )
        made_assignments = services.assignment_create(actor=admitted.created_by, subject=admitted)
        if made_assignments:
            community = made_assignments[0].community
            staff = demo_staff(Role.COMMUNITY_STAFF, community)
            if staff is not None:
                services.assignment_receive(actor=staff, assignment=made_assignments[0])


class Command(DemoFillCommand):
    help = (
        "Fill the demo city with the community duty list, approving bodies (civil affairs), admission requests in "
        "every state, tasks assigned to communities and a report of a task pushed without admission."
    )
    default_seed = DEFAULT_SEED
    max_communities = MAX_COMMUNITIES
    if_empty_help = "do nothing when approving bodies or admission requests exist already"
    debug_help = "build even though DEBUG is off"
    debug_refusal = gettext_lazy("DEBUG is off, so this may be a production database; add --allow-without-debug.")
    there_already = gettext_lazy("Admission is there already: nothing is added.")
    cannot_again = gettext_lazy(
        "Admission requests exist already; their histories cannot be deleted. Rebuild the demo database to fill it "
        "again."
    )
    filling = gettext_lazy("Filling the demo city with the duty list and admission (seed %(seed)d)…")

    def exists(self) -> bool:
        return demo_admission_exists() or DutyItem.objects.exists()

    def build(self, *, seed: int, communities: int, log: Callable[[str], Any]) -> Summary:
        return _Demo(limit=communities, log=log).build()

    def after(self, summary: Any) -> None:
        self.stdout.write(self.style.SUCCESS(_("Admission: %(url)s") % {"url": reverse("admission:request-list")}))
