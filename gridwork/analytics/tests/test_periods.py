"""Periods of the assessment (``analytics.periods``): days, weeks from Monday, months, quarters and years of China
time, the one before, their buckets and labels, and the query parameters that choose one."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from django.utils import timezone

from gridwork.analytics.periods import Period, PeriodError, PeriodKind, parse_period


def test_a_week_starts_on_monday() -> None:
    # 5 November 2026 is a Thursday: its week runs from Monday 2 to Sunday 8 November
    assert date(2026, 11, 5).weekday() == 3
    week = Period.containing(PeriodKind.WEEK, date(2026, 11, 5))
    assert (week.start, week.end, week.days) == (date(2026, 11, 2), date(2026, 11, 8), 7)
    assert week.start.weekday() == 0
    # the Sunday belongs to the same week, the next Monday to the next one
    assert Period.containing(PeriodKind.WEEK, date(2026, 11, 8)) == week
    assert Period.containing(PeriodKind.WEEK, date(2026, 11, 9)).start == date(2026, 11, 9)
    # a week across the new year: Monday 28 December 2026 to Sunday 3 January 2027
    across = Period.containing(PeriodKind.WEEK, date(2027, 1, 1))
    assert (across.start, across.end) == (date(2026, 12, 28), date(2027, 1, 3))


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (date(2026, 1, 1), date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 3, 31), date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 8, 15), date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 11, 30), date(2026, 10, 1), date(2026, 12, 31)),
    ],
)
def test_quarters(day: date, start: date, end: date) -> None:
    quarter = Period.containing(PeriodKind.QUARTER, day)
    assert (quarter.start, quarter.end) == (start, end)


def test_months_and_years() -> None:
    february = Period.containing(PeriodKind.MONTH, date(2028, 2, 10))  # 2028 is a leap year
    assert (february.start, february.end, february.days) == (date(2028, 2, 1), date(2028, 2, 29), 29)
    december = Period.containing(PeriodKind.MONTH, date(2026, 12, 31))
    assert (december.start, december.end) == (date(2026, 12, 1), date(2026, 12, 31))
    year = Period.containing(PeriodKind.YEAR, date(2026, 6, 1))
    assert (year.start, year.end, year.days) == (date(2026, 1, 1), date(2026, 12, 31), 365)
    day = Period.containing(PeriodKind.DAY, date(2026, 6, 1))
    assert (day.start, day.end, day.days) == (date(2026, 6, 1), date(2026, 6, 1), 1)
    with pytest.raises(ValueError, match="decade"):
        Period.containing("decade", date(2026, 6, 1))


@pytest.mark.parametrize(
    ("kind", "day", "start", "end"),
    [
        (PeriodKind.DAY, date(2026, 3, 1), date(2026, 2, 28), date(2026, 2, 28)),
        (PeriodKind.WEEK, date(2026, 11, 5), date(2026, 10, 26), date(2026, 11, 1)),
        (PeriodKind.MONTH, date(2026, 3, 31), date(2026, 2, 1), date(2026, 2, 28)),
        (PeriodKind.MONTH, date(2026, 1, 15), date(2025, 12, 1), date(2025, 12, 31)),
        (PeriodKind.QUARTER, date(2026, 2, 1), date(2025, 10, 1), date(2025, 12, 31)),
        (PeriodKind.YEAR, date(2026, 2, 1), date(2025, 1, 1), date(2025, 12, 31)),
    ],
)
def test_previous_is_the_period_of_the_same_kind_just_before(kind: str, day: date, start: date, end: date) -> None:
    previous = Period.containing(kind, day).previous()
    assert (previous.kind, previous.start, previous.end) == (kind, start, end)
    assert previous.next() == Period.containing(kind, day)


def test_buckets_cover_the_period_without_gaps_or_overlaps() -> None:
    # a month in days: 30 of them for November
    november = Period.containing(PeriodKind.MONTH, date(2026, 11, 1)).buckets()
    assert [b.kind for b in november] == [PeriodKind.DAY] * 30
    assert (november[0].start, november[-1].end) == (date(2026, 11, 1), date(2026, 11, 30))
    # a year in months: 12
    year = Period.containing(PeriodKind.YEAR, date(2026, 1, 1)).buckets()
    assert [b.start.month for b in year] == list(range(1, 13))
    # a quarter in weeks from Monday: Q4 2026 begins on Thursday 1 October, so the first week reaches back to
    # Monday 28 September; it ends on Thursday 31 December, so the last week runs to Sunday 3 January
    quarter = Period.containing(PeriodKind.QUARTER, date(2026, 11, 1)).buckets()
    assert (quarter[0].start, quarter[-1].end) == (date(2026, 9, 28), date(2027, 1, 3))
    assert len(quarter) == (date(2027, 1, 3) - date(2026, 9, 28)).days // 7 + 1
    # a week and a day in days
    assert len(Period.containing(PeriodKind.WEEK, date(2026, 11, 5)).buckets()) == 7
    assert len(Period.containing(PeriodKind.DAY, date(2026, 11, 5)).buckets()) == 1
    for buckets in (november, year, quarter):
        for before, after in itertools.pairwise(buckets):
            assert after.start == before.end + timedelta(days=1)


def test_labels() -> None:
    assert Period.containing(PeriodKind.DAY, date(2026, 11, 2)).label() == "2026-11-02"
    assert Period.containing(PeriodKind.MONTH, date(2026, 11, 2)).label() == "2026-11"
    assert Period.containing(PeriodKind.QUARTER, date(2026, 11, 2)).label() == "2026-Q4"
    assert Period.containing(PeriodKind.YEAR, date(2026, 11, 2)).label() == "2026"
    # ISO weeks: 1 January 2026 is a Thursday, so week 1 starts on Monday 29 December 2025; 2 November 2026 is
    # 3 + 305 = 308 days = 44 weeks later: week 45
    assert (date(2026, 11, 2) - date(2025, 12, 29)).days == 44 * 7
    assert Period.containing(PeriodKind.WEEK, date(2026, 11, 5)).label() == "2026-W45"
    # the week of 1 January 2027 (a Friday) is the 53rd of 2026: 2026 began on a Thursday
    assert Period.containing(PeriodKind.WEEK, date(2027, 1, 1)).label() == "2026-W53"


def test_parse_period_reads_the_kind_and_a_day_or_a_month() -> None:
    assert parse_period("week", "2026-11-05") == Period(PeriodKind.WEEK, date(2026, 11, 2), date(2026, 11, 8))
    assert parse_period("month", "2026-11") == Period(PeriodKind.MONTH, date(2026, 11, 1), date(2026, 11, 30))
    assert parse_period(None, " 2026-11-15 ") == Period(PeriodKind.MONTH, date(2026, 11, 1), date(2026, 11, 30))
    assert parse_period("quarter", "2026-11") == Period(PeriodKind.QUARTER, date(2026, 10, 1), date(2026, 12, 31))
    assert parse_period("", None) == Period.containing(PeriodKind.MONTH, timezone.localdate())
    assert parse_period("year", "") == Period.containing(PeriodKind.YEAR, timezone.localdate())


@pytest.mark.parametrize(
    ("kind", "on", "parameter"),
    [
        ("decade", "2026-11", "period:"),
        ("MONTH", None, "period:"),
        ("month", "2026-13", "on:"),
        ("month", "2026-02-30", "on:"),
        ("month", "yesterday", "on:"),
        ("month", "1999-12-31", "on:"),
        ("month", "9999-12-31", "on:"),
    ],
)
def test_parse_period_errors_name_the_parameter(kind: str, on: str | None, parameter: str) -> None:
    with pytest.raises(PeriodError) as error:
        parse_period(kind, on)
    assert str(error.value).startswith(parameter)
