"""Organisation life (组织生活, 三会一课 and 主题党日): whether each party branch held each required meeting in each
period.

A branch holds its general meeting (支部党员大会) and a party lecture (党课) once a quarter, its committee meeting
(支委会), its party groups' meetings (党小组会) and a theme party day (主题党日) once a month. A meeting is *held* in a
period when an activity of that kind, organised by the branch (for 党小组会: by the branch or one of its party
groups), started in the period (China time) and has its minutes recorded (state held).

Each branch × meeting × period is one of: held; a gap (the period has ended without it); due (the current period, in
its last ``DUE_DAYS`` days, without it); open (the current period, earlier); not yet (a period to come); not required
(before the branch was founded, when its founding date is known). Everything here is a pure function of the
activities and a given day, so tests use a fixed clock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gridwork.activities.models import Activity, ActivityKind, ActivityState
from gridwork.party.periods import Period, PeriodKind

DUE_DAYS = 7


class LifeStatus(models.TextChoices):
    HELD = "held", _("Held")
    GAP = "gap", _("Not held (gap)")
    DUE = "due", _("Due: not held yet")
    OPEN = "open", _("Not held yet")
    FUTURE = "future", _("Not yet")
    NOT_REQUIRED = "not_required", _("Not required (before the branch was founded)")


@dataclass(frozen=True)
class Requirement:
    kind: str
    period_kind: str
    label: Promise
    rule: Promise


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(
        ActivityKind.BRANCH_GENERAL_MEETING, PeriodKind.QUARTER, _("Branch general meeting"), _("once a quarter")
    ),
    Requirement(
        ActivityKind.BRANCH_COMMITTEE_MEETING, PeriodKind.MONTH, _("Branch committee meeting"), _("once a month")
    ),
    Requirement(ActivityKind.PARTY_GROUP_MEETING, PeriodKind.MONTH, _("Party group meeting"), _("once a month")),
    Requirement(ActivityKind.PARTY_LECTURE, PeriodKind.QUARTER, _("Party lecture"), _("once a quarter")),
    Requirement(ActivityKind.THEME_PARTY_DAY, PeriodKind.MONTH, _("Theme party day"), _("once a month")),
)
REQUIRED_KINDS = frozenset(requirement.kind for requirement in REQUIREMENTS)
# Months each cell of a period kind spans on the year's grid.
SPAN: dict[str, int] = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3}


def period_status(period: Period, *, held: int, today: date, founded_on: date | None = None) -> str:
    """The status of one required meeting in one period, on ``today``."""
    if held:
        return LifeStatus.HELD
    if founded_on is not None and founded_on > period.last_day:
        return LifeStatus.NOT_REQUIRED
    if period.first_day > today:
        return LifeStatus.FUTURE
    if period.last_day < today:
        return LifeStatus.GAP
    if today > period.last_day - timedelta(days=DUE_DAYS):
        return LifeStatus.DUE
    return LifeStatus.OPEN


def periods_of_year(period_kind: str, year: int) -> list[Period]:
    count = 12 if period_kind == PeriodKind.MONTH else 4
    return [Period(period_kind, year, number) for number in range(1, count + 1)]


def last_ended(period_kind: str, today: date) -> Period:
    """The most recent period of ``period_kind`` that has ended before ``today``."""
    current = Period.of(period_kind, today)
    return Period.of(period_kind, current.first_day - timedelta(days=1))


def held_counts(branch_ids: Iterable[int], *, start: Any, end: Any) -> dict[tuple[int, str, str], int]:
    """How many meetings of each required kind each branch held, per period code, among activities that started in
    [start, end): {(branch id, kind, period code): count}."""
    from gridwork.party.models import PartyOrgKind

    ids = list(branch_ids)
    if not ids:
        return {}
    by_branch = Q(organiser_id__in=ids) | Q(
        kind=ActivityKind.PARTY_GROUP_MEETING, organiser__kind=PartyOrgKind.GROUP, organiser__parent_id__in=ids
    )
    rows = (
        Activity.objects.filter(by_branch, state=ActivityState.HELD, kind__in=REQUIRED_KINDS)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .values_list("kind", "starts_at", "organiser_id", "organiser__parent_id")
    )
    period_kinds = {requirement.kind: requirement.period_kind for requirement in REQUIREMENTS}
    counts: dict[tuple[int, str, str], int] = defaultdict(int)
    wanted = set(ids)
    for kind, starts_at, organiser_id, parent_id in rows:
        branch_id = organiser_id if organiser_id in wanted else parent_id
        if branch_id is None:
            continue
        day = timezone.localtime(starts_at).date()
        counts[(branch_id, kind, Period.of(period_kinds[kind], day).code)] += 1
    return dict(counts)


@dataclass(frozen=True)
class Cell:
    period: Period
    status: str
    held: int

    @property
    def span(self) -> int:
        return SPAN[self.period.kind]

    @property
    def status_label(self) -> str:
        return str(LifeStatus(self.status).label)


@dataclass
class LifeRow:
    requirement: Requirement
    cells: list[Cell]

    @property
    def gaps(self) -> int:
        return sum(1 for cell in self.cells if cell.status == LifeStatus.GAP)

    @property
    def due(self) -> int:
        return sum(1 for cell in self.cells if cell.status == LifeStatus.DUE)


@dataclass
class BranchLife:
    branch: Any
    rows: list[LifeRow] = field(default_factory=list)

    @property
    def gaps(self) -> int:
        return sum(row.gaps for row in self.rows)

    @property
    def due(self) -> int:
        return sum(row.due for row in self.rows)

    @property
    def held(self) -> int:
        return sum(1 for row in self.rows for cell in row.cells if cell.status == LifeStatus.HELD)


def branch_life(branches: Sequence[Any], *, year: int, today: date) -> list[BranchLife]:
    """Each branch's required meetings over ``year``, period by period, on ``today``."""
    first = Period(PeriodKind.YEAR, year)
    counts = held_counts([branch.pk for branch in branches], start=first.start, end=first.end)
    result = []
    for branch in branches:
        life = BranchLife(branch)
        for requirement in REQUIREMENTS:
            cells = [
                Cell(
                    period,
                    period_status(
                        period,
                        held=counts.get((branch.pk, requirement.kind, period.code), 0),
                        today=today,
                        founded_on=branch.founded_on,
                    ),
                    counts.get((branch.pk, requirement.kind, period.code), 0),
                )
                for period in periods_of_year(requirement.period_kind, year)
            ]
            life.rows.append(LifeRow(requirement, cells))
        result.append(life)
    return result


@dataclass(frozen=True)
class Gap:
    branch: Any
    requirement: Requirement
    period: Period


def recent_gaps(branches: Sequence[Any], *, today: date) -> list[Gap]:
    """The gaps of the periods that ended last (the last month for monthly meetings, the last quarter for quarterly
    ones): what the daily warning job tells the community's staff of, once each."""
    ended: dict[str, Period] = {kind: last_ended(kind, today) for kind in SPAN}
    start = min(period.start for period in ended.values())
    end = max(period.end for period in ended.values())
    counts = held_counts([branch.pk for branch in branches], start=start, end=end)
    gaps = []
    for branch in branches:
        for requirement in REQUIREMENTS:
            period = ended[requirement.period_kind]
            held = counts.get((branch.pk, requirement.kind, period.code), 0)
            if period_status(period, held=held, today=today, founded_on=branch.founded_on) == LifeStatus.GAP:
                gaps.append(Gap(branch, requirement, period))
    return gaps
