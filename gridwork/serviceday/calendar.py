"""The service day's calendar: when each stage of a month's cycle opens and when it is due. Pure functions of the
cycle's month and a given day — no database, no clock.

Seed 002: "每月15日前征集意见—每月25日前梳理分类—次月5日集中服务—次月10日评估反馈—次月15日前总结改进". For the
cycle of month M:

============  ===================  =========================
stage         opens                due (the last day it may be completed on time)
============  ===================  =========================
collect       1st of M             15th of M
sort          16th of M            25th of M
serve         26th of M            5th of M+1 (the service day itself)
evaluate      6th of M+1           10th of M+1
summary       11th of M+1          15th of M+1
============  ===================  =========================

Each stage opens the day after the one before is due, so on any day from the 1st of M to the 15th of M+1 exactly one
stage of the cycle is open (``current_stage``); the serve stage opens on the 26th to prepare the day (helpers,
activity) and the day is the 5th. Two cycles run side by side from the 1st to the 15th: last month's serves,
evaluates and sums up while this month's collects. A stage not completed by its due date is late (``late_stages``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from django.utils.translation import gettext_lazy as _

from gridwork.serviceday.models import STAGES, CycleState

COLLECT_DUE_DAY = 15
SORT_DUE_DAY = 25
SERVICE_DAY = 5  # of the next month
EVALUATE_DUE_DAY = 10  # of the next month
SUMMARY_DUE_DAY = 15  # of the next month
DECEMBER = 12

# The calendar in words, for the pages and the export: (opens, due) of each stage of the cycle of a month.
STAGE_RULES: dict[str, tuple[Any, Any]] = {
    CycleState.COLLECT: (_("1st of the month"), _("15th of the month")),
    CycleState.SORT: (_("16th of the month"), _("25th of the month")),
    CycleState.SERVE: (_("26th of the month"), _("5th of the next month: the service day")),
    CycleState.EVALUATE: (_("6th of the next month"), _("10th of the next month")),
    CycleState.SUMMARY: (_("11th of the next month"), _("15th of the next month")),
}


class HasMonth(Protocol):
    year: int
    month: int


@dataclass(frozen=True)
class StageWindow:
    stage: str
    opens: date
    due: date

    def contains(self, on: date) -> bool:
        return self.opens <= on <= self.due


@dataclass(frozen=True)
class StageDates:
    """The five stages of one month's cycle, in order, and its service day."""

    year: int
    month: int
    windows: tuple[StageWindow, ...]

    def window(self, stage: str) -> StageWindow:
        for window in self.windows:
            if window.stage == stage:
                return window
        raise KeyError(stage)

    @property
    def opens(self) -> date:
        return self.windows[0].opens

    @property
    def ends(self) -> date:
        return self.windows[-1].due

    @property
    def service_day(self) -> date:
        return self.window(CycleState.SERVE).due


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == DECEMBER else (year, month + 1)


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, DECEMBER) if month == 1 else (year, month - 1)


def stage_dates(month: date | tuple[int, int]) -> StageDates:
    """The stages of the cycle of ``month`` (any day of it, or ``(year, month)``)."""
    year, number = (month.year, month.month) if isinstance(month, date) else month
    after_year, after = next_month(year, number)
    return StageDates(
        year=year,
        month=number,
        windows=(
            StageWindow(CycleState.COLLECT, date(year, number, 1), date(year, number, COLLECT_DUE_DAY)),
            StageWindow(CycleState.SORT, date(year, number, COLLECT_DUE_DAY + 1), date(year, number, SORT_DUE_DAY)),
            StageWindow(CycleState.SERVE, date(year, number, SORT_DUE_DAY + 1), date(after_year, after, SERVICE_DAY)),
            StageWindow(
                CycleState.EVALUATE,
                date(after_year, after, SERVICE_DAY + 1),
                date(after_year, after, EVALUATE_DUE_DAY),
            ),
            StageWindow(
                CycleState.SUMMARY,
                date(after_year, after, EVALUATE_DUE_DAY + 1),
                date(after_year, after, SUMMARY_DUE_DAY),
            ),
        ),
    )


def cycle_dates(cycle: HasMonth) -> StageDates:
    return stage_dates((cycle.year, cycle.month))


def current_stage(cycle: HasMonth, on: date) -> str | None:
    """The stage of ``cycle`` open on the calendar on ``on``; ``None`` before the cycle's month and after its
    summary was due."""
    for window in cycle_dates(cycle).windows:
        if window.contains(on):
            return window.stage
    return None


def months_running(on: date) -> list[tuple[int, int]]:
    """The months whose cycles have a stage open on ``on``: this month's, and last month's until the 15th."""
    months = [(on.year, on.month)]
    if on.day <= SUMMARY_DUE_DAY:
        months.insert(0, previous_month(on.year, on.month))
    return months


def done_on(cycle: Any, stage: str) -> date | None:
    """The day ``stage`` of ``cycle`` was completed, or ``None``."""
    value: date | None = getattr(cycle, f"{stage}_done_on")
    return value


def stage_late(cycle: Any, stage: str, on: date) -> bool:
    """Whether ``stage`` was, or is, late on ``on``: completed after its due date, or not completed and past it."""
    due = cycle_dates(cycle).window(stage).due
    completed = done_on(cycle, stage)
    if completed is not None:
        return completed > due
    return on > due


def late_stages(cycle: Any, on: date) -> list[str]:
    """The stages of ``cycle`` that are late on ``on``, in order."""
    return [stage for stage in STAGES if stage_late(cycle, stage, on)]


def completable_from(cycle: HasMonth, stage: str) -> date:
    """The first day ``stage`` may be completed. Residents' windows run in full: the collection closes from its due
    day and the feedback (which ends the rating) is published from its due day; the service day's results are
    recorded from the day itself; sorting and the summary may be finished as soon as they open."""
    window = cycle_dates(cycle).window(stage)
    if stage in (CycleState.COLLECT, CycleState.SERVE, CycleState.EVALUATE):
        return window.due
    return window.opens
