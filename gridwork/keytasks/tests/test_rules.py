"""The pure rules on a fixed calendar: the warning day counted back in working days across a weekend and across a
holiday entered as an override, which warning is due on which day, and the percent rule."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from gridwork.keytasks import rules
from gridwork.keytasks.models import WarningKind
from gridwork.supervision.calendar import OfficeHours, WorkCalendar

HOURS = OfficeHours.parse(["08:30-12:00", "14:00-17:30"])
ZONE = ZoneInfo("Asia/Shanghai")
DUE = date(2026, 3, 9)  # a Monday


def calendar(overrides: dict[date, bool] | None = None) -> WorkCalendar:
    return WorkCalendar(overrides=overrides or {}, hours=HOURS, zone=ZONE)


def test_three_working_days_before_a_monday_skip_the_weekend() -> None:
    assert rules.warn_day(DUE, 3, calendar()) == date(2026, 3, 4)  # Wednesday: Fri, Thu, Wed
    assert rules.warn_day(DUE, 1, calendar()) == date(2026, 3, 6)  # Friday
    assert rules.warn_day(DUE, 0, calendar()) == DUE


def test_a_holiday_override_pushes_the_warning_earlier_and_a_worked_saturday_pulls_it_later() -> None:
    holiday = calendar({date(2026, 3, 5): False})  # Thursday made a holiday
    assert rules.warn_day(DUE, 3, holiday) == date(2026, 3, 3)
    worked_saturday = calendar({date(2026, 3, 7): True})
    assert rules.warn_day(DUE, 3, worked_saturday) == date(2026, 3, 5)


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        rules.warn_day(DUE, -1, calendar())


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 3, 3), None),  # Tuesday: too early
        (date(2026, 3, 4), WarningKind.APPROACHING),  # the warning day
        (date(2026, 3, 7), None),  # Saturday: nothing is sent on a day off
        (date(2026, 3, 9), WarningKind.APPROACHING),  # the due day itself: still due soon
        (date(2026, 3, 10), WarningKind.OVERDUE),
    ],
)
def test_which_warning_is_due(today: date, expected: WarningKind | None) -> None:
    assert rules.warning_due(due_on=DUE, done_on=None, today=today, warn_days=3, calendar=calendar()) == expected


def test_a_done_milestone_is_never_warned_and_a_holiday_sends_nothing() -> None:
    assert rules.warning_due(due_on=DUE, done_on=DUE, today=date(2026, 3, 10), warn_days=3, calendar=calendar()) is None
    off = calendar({date(2026, 3, 10): False})
    assert rules.warning_due(due_on=DUE, done_on=None, today=date(2026, 3, 10), warn_days=3, calendar=off) is None


def test_percent_rule() -> None:
    assert rules.percent_error(percent=40, last=30, reason="") == ""
    assert rules.percent_error(percent=30, last=30, reason="") == ""
    assert rules.percent_error(percent=20, last=30, reason="") == "lower"
    assert rules.percent_error(percent=20, last=30, reason="  ") == "lower"
    assert rules.percent_error(percent=20, last=30, reason="返工") == ""
    assert rules.percent_error(percent=101, last=0, reason="") == "range"
    assert rules.percent_error(percent=-1, last=0, reason="") == "range"
