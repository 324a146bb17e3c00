"""Working time on a fixed clock across China's 2026 National Day week and its adjusted Saturday, and properties
that hold for any start and any limit."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given, settings
from hypothesis import strategies as st

from gridwork.supervision.calendar import OfficeHours, WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOURS = OfficeHours.parse(["08:30-12:00", "14:00-17:30"])


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def calendar(overrides: dict[date, bool] | None = None) -> WorkCalendar:
    return WorkCalendar(overrides=overrides or {}, hours=HOURS, zone=SHANGHAI)


def test_national_day_week_is_skipped_and_the_adjusted_saturday_counts() -> None:
    cal = calendar()
    start = at("2026-09-30 10:00")  # Wednesday, the last working day before the holiday (1–7 October)
    assert [cal.add_working_days(start, n) for n in (1, 2, 3, 4)] == [
        at("2026-10-08 10:00"),  # Thursday after the holiday
        at("2026-10-09 10:00"),
        at("2026-10-10 10:00"),  # Saturday 10 October is a working day (调休)
        at("2026-10-12 10:00"),  # Sunday 11 October is not
    ]


def test_working_hours_stop_at_the_end_of_the_day_and_resume_after_the_holiday() -> None:
    cal = calendar()
    assert cal.add_working_hours(at("2026-09-30 16:30"), timedelta(hours=2)) == at("2026-10-08 09:30")
    assert cal.add_working_hours(at("2026-10-08 11:30"), timedelta(hours=1)) == at("2026-10-08 14:30")  # lunch
    assert cal.add_working_hours(at("2026-10-03 09:00"), timedelta(hours=1)) == at("2026-10-08 09:30")


def test_working_time_between_counts_office_hours_only() -> None:
    cal = calendar()
    assert cal.working_time_between(at("2026-09-30 16:30"), at("2026-10-08 09:30")) == timedelta(hours=2)
    assert cal.working_time_between(at("2026-10-08 09:30"), at("2026-09-30 16:30")) == timedelta(0)


def test_overrides_win_over_the_package_and_fill_unknown_years() -> None:
    assert calendar().is_workday(date(2026, 10, 10))
    assert not calendar({date(2026, 10, 10): False}).is_workday(date(2026, 10, 10))
    # 2027 is beyond the package: weekdays count unless the administrator entered the schedule.
    assert calendar().is_workday(date(2027, 1, 1))  # a Friday
    assert not calendar({date(2027, 1, 1): False}).is_workday(date(2027, 1, 1))
    assert calendar({date(2027, 1, 1): False}).add_working_days(at("2026-12-31 09:00"), 1) == at("2027-01-04 09:00")


@pytest.mark.django_db
def test_the_calendar_loads_the_administrators_overrides() -> None:
    from gridwork.supervision.models import CalendarOverride

    CalendarOverride.objects.create(day=date(2027, 2, 5), is_workday=False, note="春节")
    assert not WorkCalendar.load().is_workday(date(2027, 2, 5))


@pytest.mark.parametrize("spec", [["08:30"], ["12:00-08:30"], ["08:30-12:00", "11:00-17:30"], []])
def test_bad_office_hours_stop_the_start_up(spec: list[str]) -> None:
    with pytest.raises(ImproperlyConfigured):
        OfficeHours.parse(spec)


def test_naive_times_and_negative_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        calendar().add_working_days(datetime(2026, 10, 8, 9), 1)
    with pytest.raises(ValueError, match="negative"):
        calendar().add_working_hours(at("2026-10-08 09:00"), timedelta(hours=-1))


starts = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 1)).map(
    lambda moment: moment.replace(tzinfo=SHANGHAI)
)


@settings(max_examples=300, deadline=None)
@given(start=starts, days=st.integers(min_value=0, max_value=30))
def test_a_working_day_limit_is_never_shorter_than_the_same_calendar_days(start: datetime, days: int) -> None:
    deadline = calendar().add_working_days(start, days)
    assert deadline >= start + timedelta(days=days)
    assert calendar().is_workday(deadline.date()) or days == 0


@settings(max_examples=300, deadline=None)
@given(start=starts, minutes=st.integers(min_value=0, max_value=60 * 24 * 10))
def test_a_working_hour_limit_is_never_shorter_than_the_same_calendar_time(start: datetime, minutes: int) -> None:
    cal = calendar()
    limit = timedelta(minutes=minutes)
    deadline = cal.add_working_hours(start, limit)
    assert deadline >= start + limit
    assert cal.working_time_between(start, deadline) == limit  # exactly the limit of office time elapses
    assert cal.add_working_hours(start, limit + timedelta(minutes=1)) > deadline  # and it grows with the limit
