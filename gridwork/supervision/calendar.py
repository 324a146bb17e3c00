"""Working time: China's public holidays and adjusted working days (调休), office hours, and deadlines.

- A day is a working day by the administrator's override if there is one (``CalendarOverride``), else by the
  ``chinese-calendar`` package, else — for a year the package does not know and nobody has entered — by the
  weekday (Monday to Friday), with a warning in the log so that the year's schedule gets entered.
- A limit in **working hours** (e.g. accept within 2 working hours) runs only during office hours on working
  days (``settings.SUPERVISION_OFFICE_HOURS``, e.g. 08:30–12:00 and 14:00–17:30).
- A limit in **working days** (e.g. reply within 7 working days) ends at the same clock time on the Nth
  working day after the day it starts: so it is never shorter than the same number of calendar days.

Deadlines are computed once, when a limit is set, and stored; lists never compute calendars at query time.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger("gridwork.supervision")

MAX_SPAN_DAYS = 3 * 366  # a limit that cannot be met within three years is a configuration error


@dataclass(frozen=True)
class OfficeHours:
    """The day's office periods, in order and not overlapping."""

    periods: tuple[tuple[time, time], ...]

    @classmethod
    def parse(cls, spec: list[str] | tuple[str, ...]) -> OfficeHours:
        """From ["08:30-12:00", "14:00-17:30"]; a malformed or overlapping list stops the start-up."""
        periods: list[tuple[time, time]] = []
        for item in spec:
            try:
                start_text, end_text = item.split("-")
                start, end = time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip())
            except ValueError as error:
                raise ImproperlyConfigured(f"Office hours: cannot read {item!r} (expected HH:MM-HH:MM).") from error
            if end <= start or (periods and start < periods[-1][1]):
                raise ImproperlyConfigured(f"Office hours: {item!r} is empty or overlaps the period before it.")
            periods.append((start, end))
        if not periods:
            raise ImproperlyConfigured("Office hours: at least one period is needed.")
        return cls(tuple(periods))

    @property
    def day_length(self) -> timedelta:
        return sum(
            (datetime.combine(date.min, end) - datetime.combine(date.min, start) for start, end in self.periods),
            timedelta(),
        )


class WorkCalendar:
    def __init__(self, *, overrides: Mapping[date, bool], hours: OfficeHours, zone: ZoneInfo) -> None:
        self.overrides = dict(overrides)
        self.hours = hours
        self.zone = zone
        self._warned_years: set[int] = set()

    @classmethod
    def load(cls) -> WorkCalendar:
        """The calendar with the administrator's overrides, the configured office hours and the platform's zone."""
        from gridwork.supervision.models import CalendarOverride

        return cls(
            overrides=dict(CalendarOverride.objects.values_list("day", "is_workday")),
            hours=OfficeHours.parse(settings.SUPERVISION_OFFICE_HOURS),
            zone=ZoneInfo(settings.TIME_ZONE),
        )

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            if day.year not in self._warned_years:
                self._warned_years.add(day.year)
                logger.warning("No holiday schedule for %s: counting Monday to Friday. Enter its overrides.", day.year)
            return day.weekday() < 5

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("Working-time arithmetic needs an aware datetime.")
        return moment.astimezone(self.zone)

    def add_working_hours(self, start: datetime, duration: timedelta) -> datetime:
        """The moment ``duration`` of office time after ``start`` (time outside office hours does not count)."""
        if duration < timedelta(0):
            raise ValueError("A limit cannot be negative.")
        cursor = self._local(start)
        remaining = duration
        if remaining == timedelta(0):
            return cursor
        day = cursor.date()
        for _ in range(MAX_SPAN_DAYS):
            if self.is_workday(day):
                for period_start, period_end in self.hours.periods:
                    opens = datetime.combine(day, period_start, self.zone)
                    closes = datetime.combine(day, period_end, self.zone)
                    if cursor >= closes:
                        continue
                    begin = max(cursor, opens)
                    available = closes - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
                    cursor = closes
            day += timedelta(days=1)
        raise ValueError("The limit does not end within three years.")

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The same clock time on the ``days``-th working day after the day of ``start``."""
        if days < 0:
            raise ValueError("A limit cannot be negative.")
        local = self._local(start)
        day = local.date()
        counted = 0
        for _ in range(MAX_SPAN_DAYS):
            if counted == days:
                return datetime.combine(day, local.timetz().replace(tzinfo=None), self.zone)
            day += timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        raise ValueError("The limit does not end within three years.")

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Office time on working days between two moments (zero if ``end`` is not after ``start``)."""
        begin, finish = self._local(start), self._local(end)
        total = timedelta(0)
        day = begin.date()
        while day <= finish.date():
            if self.is_workday(day):
                for period_start, period_end in self.hours.periods:
                    opens = max(datetime.combine(day, period_start, self.zone), begin)
                    closes = min(datetime.combine(day, period_end, self.zone), finish)
                    if closes > opens:
                        total += closes - opens
            day += timedelta(days=1)
        return total
