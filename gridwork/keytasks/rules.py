"""The date and progress rules of key tasks, as pure functions (a fixed clock and calendar in tests).

- A milestone is warned ``warn_days`` working days before its due date (the day reached by counting that many
  working days back from the due date), and again once it is overdue (the day after its due date has passed without
  it being done). Warnings go out on working days only (the supervision issue's ``WorkCalendar``: holidays, adjusted
  working days and the administrator's overrides); a day the job did not run is caught up the next working day, and
  once a milestone is overdue the "due soon" warning is no longer sent.
- Progress never goes down silently: a report lower than the last one needs a reason (rework found, a count
  corrected), which is kept with the report.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Protocol

from gridwork.keytasks.models import WarningKind

MAX_BACK_DAYS = 366


class Workdays(Protocol):
    def is_workday(self, day: date) -> bool: ...


def warn_day(due_on: date, warn_days: int, calendar: Workdays) -> date:
    """The day ``warn_days`` working days before ``due_on`` (``due_on`` itself when ``warn_days`` is 0)."""
    if warn_days < 0:
        raise ValueError("warn_days cannot be negative")
    day = due_on
    counted = 0
    for _ in range(MAX_BACK_DAYS):
        if counted == warn_days:
            return day
        day -= timedelta(days=1)
        if calendar.is_workday(day):
            counted += 1
    raise ValueError("no such working day within a year")


def warning_due(
    *, due_on: date, done_on: date | None, today: date, warn_days: int, calendar: Workdays
) -> WarningKind | None:
    """Which warning a milestone should have had by ``today`` (None: none, or not a working day to send one)."""
    if done_on is not None or not calendar.is_workday(today):
        return None
    if today > due_on:
        return WarningKind.OVERDUE
    if today >= warn_day(due_on, warn_days, calendar):
        return WarningKind.APPROACHING
    return None


def percent_error(*, percent: int, last: int, reason: str) -> str:
    """Why a reported percent is refused ("" when it is fine): within 0–100, and not lower than the last report
    unless a reason is given."""
    if not 0 <= percent <= 100:
        return "range"
    if percent < last and not reason.strip():
        return "lower"
    return ""
