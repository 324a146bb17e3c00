"""The election warning's date rule on a fixed clock, and the window of recent duty notices."""

from __future__ import annotations

from datetime import date, timedelta

from gridwork.estates.elections import election_warning_kind, months_before, notice_window_start
from gridwork.estates.models import WarningKind

ELECTION = date(2026, 6, 30)


def test_no_warning_91_days_before() -> None:
    assert election_warning_kind(ELECTION, ELECTION - timedelta(days=91)) is None


def test_due_from_90_days_before() -> None:
    assert election_warning_kind(ELECTION, ELECTION - timedelta(days=90)) == WarningKind.DUE
    assert election_warning_kind(ELECTION, ELECTION - timedelta(days=89)) == WarningKind.DUE
    assert election_warning_kind(ELECTION, ELECTION) == WarningKind.DUE


def test_overdue_the_day_after() -> None:
    assert election_warning_kind(ELECTION, ELECTION + timedelta(days=1)) == WarningKind.OVERDUE
    assert election_warning_kind(ELECTION, ELECTION + timedelta(days=400)) == WarningKind.OVERDUE


def test_no_date_no_warning() -> None:
    assert election_warning_kind(None, ELECTION) is None


def test_three_calendar_months_back() -> None:
    assert notice_window_start(date(2026, 6, 15)) == date(2026, 3, 15)
    assert months_before(date(2026, 5, 31), 3) == date(2026, 2, 28)
    assert months_before(date(2026, 2, 10), 3) == date(2025, 11, 10)
