"""Fill the demo city with key tasks run as projects, made through the services: the first inhabited street's
old-neighbourhood renovation (老旧小区改造) started two months ago, with an item per community (its staff responsible)
and one for the district's housing department when it has a handler, each with milestones; weeks of progress reports
(milestones done on time, one late, one left overdue, one report lower than the last with its reason); and a second
task still a draft.

Each step runs on the simulated clock (``gridwork.demo.clock``) at its moment, so the histories read as they would
have happened; everything is dated relative to today. The same seed gives the same reports.
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

from gridwork.accounts.models import Post, User
from gridwork.accounts.roles import Role
from gridwork.demo.build import demo_staff
from gridwork.demo.clock import clock
from gridwork.demo.fill import DemoFillCommand
from gridwork.demo.plan import CITY_CODE, DEFAULT_SEED
from gridwork.keytasks import services
from gridwork.keytasks.flows import TaskAction
from gridwork.keytasks.models import KeyTask, Milestone, ProgressReport, ProjectItem
from gridwork.places.models import Department, Place, PlaceLevel

MAX_COMMUNITIES = 4
T = TypeVar("T")

# (title, days after the task's start it is due)
MILESTONES = (("入户调查与居民意见征集", 14), ("改造方案公示", 30), ("施工队进场", 50), ("竣工验收", 120))
WORKS = ("外墙保温与立面整治", "雨污分流管网改造", "加装电梯", "屋面防水与楼道整治", "停车位与绿化提升")
NOTES = (
    "已完成入户走访，收集居民意见{n}条。",
    "方案已在小区公示栏和微信群公示，无异议。",
    "施工队已进场，围挡搭设完成。",
    "本周完成{n}个单元的施工。",
    "管网开挖完成约{n}米。",
)


@dataclass
class Summary:
    communities: list[str] = field(default_factory=list)
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def demo_keytasks_exists() -> bool:
    return KeyTask.objects.exists()


def demo_keytasks_counts() -> dict[str, int]:
    counts = {
        "key tasks": KeyTask.objects.count(),
        "project items": ProjectItem.objects.count(),
        "milestones": Milestone.objects.count(),
        "  milestones done": Milestone.objects.filter(done_on__isnull=False).count(),
        "progress reports": ProgressReport.objects.count(),
    }
    for state, count in KeyTask.objects.values_list("state").annotate(n=Count("id")).order_by("state"):
        counts[f"  tasks {state}"] = count
    return counts


class _Demo:
    def __init__(self, *, seed: int, limit: int, log: Callable[[str], Any]) -> None:
        self.seed, self.limit, self.log = seed, limit, log
        self.zone = timezone.get_current_timezone()
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.start = self.today - timedelta(days=60)

    def rng(self, *key: object) -> random.Random:
        return random.Random(":".join(str(part) for part in (self.seed, "keytasks", *key)))

    def at(self, day: date, hour: float = 10) -> datetime:
        return datetime.combine(day, time.min, tzinfo=self.zone) + timedelta(minutes=round(hour * 60))

    def step(self, moment: datetime, action: Callable[[], T]) -> T:
        with clock(min(moment, self.now)):
            return action()

    def street(self) -> tuple[Place, User, list[tuple[Place, User]]] | None:
        city = Place.objects.filter(code=CITY_CODE).first()
        if city is None:
            return None
        inhabited = set(
            Place.objects.filter(level=PlaceLevel.GRID, path__startswith=city.path, households__gt=0).values_list(
                "parent_id", flat=True
            )
        )
        for street in Place.objects.filter(level=PlaceLevel.STREET, path__startswith=city.path).order_by("code"):
            leader = demo_staff(Role.STREET_STAFF, street)
            if leader is None:
                continue
            communities = []
            for place in Place.objects.filter(parent=street, pk__in=inhabited).order_by("code")[: self.limit]:
                staff = demo_staff(Role.COMMUNITY_STAFF, place)
                if staff is not None:
                    communities.append((place, staff))
            if communities:
                return street, leader, communities
        return None

    def housing(self, street: Place) -> tuple[Department, User] | None:
        district = Place.objects.filter(pk=street.parent_id or 0).first()
        if district is None:
            return None
        for department in Department.objects.filter(place=district, name__contains="住房").order_by("code"):
            post = (
                Post.objects.filter(role=Role.DEPARTMENT_HANDLER, department=department, is_active=True)
                .select_related("user")
                .order_by("user__username")
                .first()
            )
            if post is not None:
                return department, post.user
        return None

    def reports(self, item: ProjectItem, actor: User, index: int) -> None:
        """Reports every two weeks; milestones done on time, the second community's "施工队进场" late, the last item's
        left overdue; one report lower than the last, with its reason."""
        rng = self.rng("reports", item.pk)
        percent = 0
        for week in range(2, 9, 2):
            day = self.start + timedelta(days=week * 7 + rng.randint(0, 2))
            if day >= self.today:
                break
            due = [m for m in item.milestones.filter(done_on__isnull=True).order_by("due_on") if m.due_on <= day]
            late_one = index == 1 and week == 6
            overdue_item = index == 2 and week >= 6
            if late_one:
                due = []
            if overdue_item:
                due = [m for m in due if m.title != "施工队进场"]
            marked = [m.pk for m in due]
            if index == 1 and week == 8:
                marked = [m.pk for m in item.milestones.filter(done_on__isnull=True, due_on__lte=day)]
            lower = index == 0 and week == 6
            percent = max(0, percent - 5) if lower else min(95, percent + rng.randint(10, 20))
            text = rng.choice(NOTES).format(n=rng.randint(3, 40))
            item.refresh_from_db()
            values: dict[str, Any] = {
                "actor": actor,
                "item": item,
                "percent": percent,
                "text": text,
                "reason": "外墙空鼓返工，按实际完成量重新计算。" if lower else "",
                "milestones": marked,
                "expected_version": item.version,
            }
            moment = self.at(day, 16)
            self.step(moment, partial(services.progress_report, now=moment, **values))

    def build(self) -> Summary:
        started = perf_counter()
        summary = Summary()
        found = self.street()
        if found is None:
            self.log("No street of the demo city has staff: nothing to do.")
            return summary
        street, leader, communities = found
        moment = self.at(self.start, 9)
        task = self.step(
            moment,
            lambda: services.key_task_create(
                actor=leader,
                values=services.TaskInput(
                    title=f"{self.start.year}年{street.name}老旧小区改造",
                    description="任务项目化、项目清单化、清单责任化：每个社区一张清单，明确项目内容、责任主体、完成时限。",
                    place=street,
                    leader=leader,
                    starts_on=self.start,
                    target_on=self.start + timedelta(days=180),
                ),
                now=moment,
            ),
        )
        responsible: list[tuple[ProjectItem, User]] = []
        for index, (place, staff) in enumerate(communities):
            values = services.ItemInput(
                title=f"{place.name}{WORKS[index % len(WORKS)]}",
                description="",
                place=place,
                department=None,
                person=staff,
                deadline=self.start + timedelta(days=150),
            )
            responsible.append(
                (self.step(moment, partial(services.item_create, actor=leader, task=task, values=values)), staff)
            )
        housing = self.housing(street)
        if housing is not None:
            department, handler = housing
            values = services.ItemInput(
                title="加装电梯规划审批与质量监督",
                description="",
                place=None,
                department=department,
                person=handler,
                deadline=self.start + timedelta(days=120),
            )
            responsible.append(
                (self.step(moment, partial(services.item_create, actor=leader, task=task, values=values)), handler)
            )
        for item, _person in responsible:
            for title, offset in MILESTONES:
                due = min(self.start + timedelta(days=offset), item.deadline)
                self.step(
                    moment,
                    partial(services.milestone_create, actor=leader, item=item, title=title, due_on=due),
                )
        self.step(
            moment,
            lambda: services.key_task_move(
                actor=leader, task=task, action=TaskAction.ACTIVATE, expected_version=task.version
            ),
        )
        for index, (item, person) in enumerate(responsible):
            self.reports(item, person, index)
        draft_moment = self.at(self.today - timedelta(days=3), 9)
        self.step(
            draft_moment,
            lambda: services.key_task_create(
                actor=leader,
                values=services.TaskInput(
                    title=f"{street.name}背街小巷环境整治",
                    description="草拟中：待确定各社区清单。",
                    place=street,
                    leader=leader,
                    starts_on=self.today + timedelta(days=7),
                    target_on=self.today + timedelta(days=97),
                ),
                now=draft_moment,
            ),
        )
        summary.communities = [place.name for place, _staff in communities]
        summary.seconds = perf_counter() - started
        summary.counts = demo_keytasks_counts()
        return summary


class Command(DemoFillCommand):
    help = (
        "Fill the demo city with key tasks run as projects: a street's old-neighbourhood renovation with an item per "
        "community (and the housing department), milestones and two months of progress reports, and a draft task, "
        "all made through the services."
    )
    default_seed = DEFAULT_SEED
    max_communities = MAX_COMMUNITIES
    seed_help = "the same seed gives the same reports"
    if_empty_help = "do nothing when key tasks exist already"
    debug_help = "build even though DEBUG is off: the demo tasks are made up"
    debug_refusal = gettext_lazy(
        "DEBUG is off, so this may be a production database. The demo key tasks are made up; add "
        "--allow-without-debug if you really want them here."
    )
    there_already = gettext_lazy("Key tasks are there already: nothing is added.")
    cannot_again = gettext_lazy(
        "Key tasks exist already; their reports cannot be deleted. Rebuild the demo database (make demo) to fill it "
        "again."
    )
    filling = gettext_lazy("Filling the demo city with key tasks and their progress (seed %(seed)d)…")

    def exists(self) -> bool:
        return demo_keytasks_exists()

    def build(self, *, seed: int, communities: int, log: Callable[[str], Any]) -> Summary:
        return _Demo(seed=seed, limit=communities, log=log).build()

    def after(self, summary: Any) -> None:
        self.stdout.write(self.style.SUCCESS(_("Key tasks: %(url)s") % {"url": reverse("keytasks:task-list")}))
