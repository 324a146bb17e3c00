"""Reading supervision for staff: deadlines, orders, the public notice, whistles and the hard-matter board.

Every read starts from ``Matter.objects.restrict(user, perm)``: a whistle, a task or a meeting is seen exactly
when its matter is. Lists compare stored times (``due_at``, ``warn_at``, a task's ``due_at``) with the clock;
none computes a calendar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, F, IntegerField, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from gridwork.accounts.roles import Perm
from gridwork.matters.models import Matter
from gridwork.matters.units import unit_label
from gridwork.matters.workflow import HardStage, MatterKind, MatterState
from gridwork.places.models import Department, Place
from gridwork.supervision.models import JointMeeting, UnitTask, Whistle

COUNT_CAP = 999
HARD_LEVELS = (1, 2, 3)
BOARD_LEVELS = (0, *HARD_LEVELS)
LEVEL_LABELS = {
    0: gettext_lazy("Not dispatched yet"),
    1: gettext_lazy("Level 1: the first unit answers for it (首接负责)"),
    2: gettext_lazy("Level 2: joint consultation (联合会商)"),
    3: gettext_lazy("Level 3: led by a city leader (市领导领办)"),
}


class DeadlineStatus:
    """How a stored deadline stands against the clock."""

    OVERDUE = "overdue"
    WARNING = "warning"
    RUNNING = "running"


def deadline_status(due_at: datetime | None, warn_at: datetime | None, now: datetime | None = None) -> str:
    """``overdue`` once the deadline has passed, ``warning`` from the warning moment, else ``running``; "" without
    a deadline."""
    if due_at is None:
        return ""
    now = now or timezone.now()
    if due_at <= now:
        return DeadlineStatus.OVERDUE
    if warn_at is not None and warn_at <= now:
        return DeadlineStatus.WARNING
    return DeadlineStatus.RUNNING


class TaskStatus:
    REPORTED = "reported"
    REPORTED_LATE = "reported_late"
    LATE = "late"
    WAITING = "waiting"


def task_status(task: UnitTask, now: datetime | None = None) -> str:
    """A unit's task: reported (in time or late), late (not reported past its limit) or waiting."""
    if task.reported_at is not None:
        return TaskStatus.REPORTED_LATE if task.reported_at > task.due_at else TaskStatus.REPORTED
    return TaskStatus.LATE if task.due_at <= (now or timezone.now()) else TaskStatus.WAITING


# --- the overview --------------------------------------------------------------------------------------------


class OverviewList:
    OVERDUE = "overdue"
    WARNING = "warning"
    ORDERS = "orders"
    NOTICE = "notice"


OVERVIEW_LABELS = {
    OverviewList.OVERDUE: gettext_lazy("Overdue"),
    OverviewList.WARNING: gettext_lazy("Due soon"),
    OverviewList.ORDERS: gettext_lazy("Open supervision orders"),
    OverviewList.NOTICE: gettext_lazy("Public notice (通报)"),
}
OVERVIEW_LISTS = tuple(OVERVIEW_LABELS)


def _visible(user: Any) -> QuerySet[Matter]:
    return Matter.objects.restrict(user, Perm.VIEW_MATTERS)


def _with_row_data(matters: QuerySet[Matter]) -> QuerySet[Matter]:
    return matters.select_related("community", "grid", "lead_place", "lead_department")


def matters_overdue(*, user: Any, now: datetime | None = None) -> QuerySet[Matter]:
    """Red: matters of the user's area past their deadline, the longest overdue first."""
    now = now or timezone.now()
    return _with_row_data(
        _visible(user).filter(due_at__lte=now).exclude(state=MatterState.CLOSED).order_by("due_at", "id")
    )


def matters_warning(*, user: Any, now: datetime | None = None) -> QuerySet[Matter]:
    """Yellow: matters past their warning moment and not yet due, the nearest deadline first."""
    now = now or timezone.now()
    return _with_row_data(
        _visible(user)
        .filter(warn_at__lte=now, due_at__gt=now)
        .exclude(state=MatterState.CLOSED)
        .order_by("due_at", "id")
    )


def matters_under_order(*, user: Any) -> QuerySet[Matter]:
    """Matters with a supervision order (督办) the unit has not answered, the nearest deadline first."""
    return _with_row_data(_visible(user).filter(supervision_open=True).order_by(F("due_at").asc(nulls_last=True), "id"))


def _urged(matters: QuerySet[Matter]) -> QuerySet[Matter]:
    total = F("urge_count") + F("overdue_count")
    return matters.annotate(urged=total).filter(urged__gt=1)


def matters_for_notice(*, user: Any) -> QuerySet[Matter]:
    """通报: matters urged more than once (by a supervisor or by going overdue), grouped by their lead unit."""
    return _with_row_data(_urged(_visible(user))).order_by(
        F("lead_department_id").asc(nulls_first=True), "lead_place_id", "-urged", "due_at", "id"
    )


@dataclass(frozen=True)
class NoticeGroup:
    """A lead unit on the public notice and how many of its matters are on it."""

    place_id: int | None
    department_id: int | None
    label: str
    count: int


def notice_groups(*, user: Any) -> list[NoticeGroup]:
    """The lead units of the public notice, the most matters first."""
    rows = list(
        _urged(_visible(user))
        .order_by()
        .values("lead_place_id", "lead_department_id")
        .annotate(count=Count("id", output_field=IntegerField()))
        .order_by("-count", "lead_department_id", "lead_place_id")
    )
    places = Place.objects.in_bulk([row["lead_place_id"] for row in rows if row["lead_place_id"]])
    departments = Department.objects.in_bulk([row["lead_department_id"] for row in rows if row["lead_department_id"]])
    return [
        NoticeGroup(
            place_id=row["lead_place_id"],
            department_id=row["lead_department_id"],
            label=unit_label(places.get(row["lead_place_id"]), departments.get(row["lead_department_id"])) or "—",
            count=row["count"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class OverviewCount:
    key: str
    label: str
    count: int
    capped: bool

    @property
    def display(self) -> str:
        return f"{COUNT_CAP}+" if self.capped else str(self.count)


def overview_list(*, user: Any, key: str, now: datetime | None = None) -> QuerySet[Matter]:
    if key == OverviewList.WARNING:
        return matters_warning(user=user, now=now)
    if key == OverviewList.ORDERS:
        return matters_under_order(user=user)
    if key == OverviewList.NOTICE:
        return matters_for_notice(user=user)
    return matters_overdue(user=user, now=now)


def overview_counts(*, user: Any, now: datetime | None = None) -> list[OverviewCount]:
    """How many matters each list holds, counting at most ``COUNT_CAP + 1`` rows."""
    now = now or timezone.now()
    counts = []
    for key in OVERVIEW_LISTS:
        count = overview_list(user=user, key=key, now=now).order_by().values("pk")[: COUNT_CAP + 1].count()
        counts.append(OverviewCount(key, str(OVERVIEW_LABELS[key]), min(count, COUNT_CAP), count > COUNT_CAP))
    return counts


# --- whistles ------------------------------------------------------------------------------------------------


@dataclass
class TaskRow:
    task: UnitTask
    status: str

    @property
    def unit(self) -> str:
        return unit_label(self.task.place, self.task.department)


@dataclass
class WhistleBoard:
    """吹哨报到: a whistle, its matter and each called unit's task with its status."""

    whistle: Whistle
    rows: list[TaskRow]

    @property
    def reported(self) -> int:
        return sum(1 for row in self.rows if row.task.reported_at is not None)

    @property
    def late(self) -> int:
        return sum(1 for row in self.rows if row.status in {TaskStatus.LATE, TaskStatus.REPORTED_LATE})


def _task_rows(tasks: QuerySet[UnitTask], now: datetime) -> list[TaskRow]:
    return [
        TaskRow(task=task, status=task_status(task, now))
        for task in tasks.select_related("place", "department", "reported_by").order_by("id")
    ]


def whistle_board(*, user: Any, pk: int, now: datetime | None = None) -> WhistleBoard:
    """The whistle if its matter is in the user's scope; 404 otherwise, whether it exists or not."""
    whistle = (
        Whistle.objects.filter(pk=pk, matter__in=_visible(user).values("pk"))
        .select_related("matter__lead_place", "matter__lead_department", "matter__grid", "place", "issued_by")
        .first()
    )
    if whistle is None:
        raise Http404
    return WhistleBoard(whistle=whistle, rows=_task_rows(whistle.tasks.all(), now or timezone.now()))


@dataclass
class MatterSupervision:
    """What the matter page's supervision panel shows: whistles with their tasks, and the consultations' tasks."""

    whistles: list[WhistleBoard] = field(default_factory=list)
    meeting_tasks: list[TaskRow] = field(default_factory=list)
    meetings: list[JointMeeting] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.whistles or self.meeting_tasks or self.meetings)


def matter_supervision(*, matter: Matter, now: datetime | None = None) -> MatterSupervision:
    """The whistles, consultations and tasks of a matter the caller has already found in the user's scope."""
    now = now or timezone.now()
    tasks = _task_rows(UnitTask.objects.filter(matter=matter), now)
    whistles = list(Whistle.objects.filter(matter=matter).order_by("issued_at", "id"))
    by_whistle: dict[int, list[TaskRow]] = {}
    for row in tasks:
        if row.task.whistle_id is not None:
            by_whistle.setdefault(row.task.whistle_id, []).append(row)
    return MatterSupervision(
        whistles=[WhistleBoard(whistle=whistle, rows=by_whistle.get(whistle.pk, [])) for whistle in whistles],
        meeting_tasks=[row for row in tasks if row.task.meeting_id is not None],
        meetings=list(JointMeeting.objects.filter(matter=matter).order_by("held_on", "id")),
    )


# --- the dispatch centre's board of hard matters ----------------------------------------------------------------


@dataclass(frozen=True)
class HardFilters:
    level: int | None = None
    stage: str = ""


def hard_matters(*, user: Any, filters: HardFilters | None = None) -> QuerySet[Matter]:
    """难事 of the user's escalation area still on the board: open, or closed before their results are used (用).

    By level, then the oldest first; each with the number of its joint consultations. Level 0 is a hard matter
    not dispatched yet.
    """
    filters = filters or HardFilters()
    matters = (
        Matter.objects.restrict(user, Perm.ESCALATE_MATTERS)
        .filter(kind=MatterKind.HARD)
        .filter(~Q(state=MatterState.CLOSED) | Q(hard_stage__lt=HardStage.USED))
    )
    if filters.level is not None:
        matters = matters.filter(hard_level=filters.level)
    if filters.stage:
        matters = matters.filter(hard_stage=filters.stage)
    return (
        matters.select_related("community", "street", "lead_place", "lead_department")
        .annotate(meeting_count=Count("meetings", distinct=True))
        .order_by("hard_level", "created_at", "id")
    )


def hard_level_counts(*, user: Any, filters: HardFilters | None = None) -> dict[int, int]:
    """How many matters of the board stand at each level (0: not dispatched yet)."""
    rows = hard_matters(user=user, filters=filters).order_by().values("hard_level").annotate(n=Count("id"))
    counts = dict.fromkeys(BOARD_LEVELS, 0)
    for row in rows:
        counts[row["hard_level"]] = row["n"]
    return counts


def stage_position(stage: str) -> int:
    """The step (1–7) of a board stage (接判办评用); 0 when none is reached yet."""
    values = [str(value) for value in HardStage.values]
    return values.index(stage) + 1 if stage in values else 0
