"""Periods of the record and the evaluation: codes, days, China-time bounds, the options a page offers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from gridwork.party.periods import EVALUATION_PERIOD_KINDS, Period, PeriodKind, period_from, period_options
from gridwork.party.tests.factories import at


@pytest.mark.parametrize(
    ("code", "kind", "number", "first", "last"),
    [
        ("2025", PeriodKind.YEAR, 1, date(2025, 1, 1), date(2025, 12, 31)),
        ("2025-H1", PeriodKind.HALF, 1, date(2025, 1, 1), date(2025, 6, 30)),
        ("2025-H2", PeriodKind.HALF, 2, date(2025, 7, 1), date(2025, 12, 31)),
        ("2025-Q1", PeriodKind.QUARTER, 1, date(2025, 1, 1), date(2025, 3, 31)),
        ("2025-Q4", PeriodKind.QUARTER, 4, date(2025, 10, 1), date(2025, 12, 31)),
        ("2024-02", PeriodKind.MONTH, 2, date(2024, 2, 1), date(2024, 2, 29)),
        ("2025-12", PeriodKind.MONTH, 12, date(2025, 12, 1), date(2025, 12, 31)),
    ],
)
def test_a_code_names_a_period_and_its_days(code: str, kind: str, number: int, first: date, last: date) -> None:
    period = Period.parse(code)
    assert period == Period(kind, int(code[:4]), number)
    assert (period.first_day, period.last_day) == (first, last)
    assert period.code == code


@pytest.mark.parametrize("code", ["", "2025-H3", "2025-Q5", "2025-13", "2025-00", "25", "2025-h1", "1999", "x"])
def test_anything_else_is_no_period(code: str) -> None:
    assert Period.parse(code) is None


def test_a_period_ends_at_midnight_china_time_not_utc() -> None:
    first_half = Period(PeriodKind.HALF, 2025, 1)
    last_minute = at("2025-06-30 23:59")
    next_morning = at("2025-07-01 00:01")
    assert first_half.contains(last_minute)
    assert not first_half.contains(next_morning)
    assert Period(PeriodKind.HALF, 2025, 2).contains(next_morning)
    # 00:01 on 1 July in Beijing is still 30 June in UTC: the bound is China's midnight.
    assert next_morning.astimezone(UTC).date() == date(2025, 6, 30)
    assert first_half.end == at("2025-07-01 00:00")
    assert first_half.end - timedelta(microseconds=1) < first_half.end
    assert not first_half.contains(first_half.end)
    assert first_half.contains(first_half.start)
    assert not first_half.contains(None)


def test_of_finds_the_period_of_a_day() -> None:
    day = date(2025, 8, 15)
    assert Period.of(PeriodKind.YEAR, day).code == "2025"
    assert Period.of(PeriodKind.HALF, day).code == "2025-H2"
    assert Period.of(PeriodKind.QUARTER, day).code == "2025-Q3"
    assert Period.of(PeriodKind.MONTH, day).code == "2025-08"


def test_a_period_refuses_impossible_parts() -> None:
    with pytest.raises(ValueError, match="no part 3"):
        Period(PeriodKind.HALF, 2025, 3)
    with pytest.raises(ValueError, match="unknown kind"):
        Period("week", 2025, 1)


def test_options_are_started_periods_newest_first() -> None:
    options = period_options(today=date(2026, 5, 10), kinds=EVALUATION_PERIOD_KINDS, years=2)
    assert [p.code for p in options] == ["2026", "2026-H1", "2025", "2025-H2", "2025-H1"]
    months = period_options(today=date(2026, 2, 1), kinds=[PeriodKind.MONTH], years=1)
    assert [p.code for p in months] == ["2026-02", "2026-01"]


def test_a_page_gets_the_period_asked_for_or_the_default() -> None:
    default = Period(PeriodKind.YEAR, 2026)
    assert period_from("2025-H1", default=default) == Period(PeriodKind.HALF, 2025, 1)
    assert period_from("2025-Q1", default=default, allowed=EVALUATION_PERIOD_KINDS) == default
    assert period_from("nonsense", default=default) == default


def test_labels_name_the_period() -> None:
    assert "2025" in Period(PeriodKind.HALF, 2025, 2).label
    assert Period(PeriodKind.HALF, 2025, 1).label != Period(PeriodKind.HALF, 2025, 2).label
    assert str(Period(PeriodKind.MONTH, 2025, 7)) == Period(PeriodKind.MONTH, 2025, 7).label
    assert isinstance(Period(PeriodKind.YEAR, 2025).start, datetime)


def test_the_period_a_page_shows_is_among_its_options() -> None:
    shown = Period(PeriodKind.MONTH, 2021, 5)
    options = period_options(today=date(2026, 5, 10), kinds=[PeriodKind.YEAR], years=1, including=shown)
    assert [p.code for p in options] == ["2021-05", "2026"]
