"""Periods of the assessment — a day, week (Monday first), month, quarter or year of China time — and their buckets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # inclusive

    @classmethod
    def containing(cls, kind: str, day: date) -> Period:
        match kind:
            case PeriodKind.DAY:
                return cls(kind, day, day)
            case PeriodKind.WEEK:
                start = day - timedelta(days=day.weekday())
                return cls(kind, start, start + timedelta(days=6))
            case PeriodKind.MONTH:
                start = _month_start(day)
                return cls(kind, start, _add_months(start, 1) - timedelta(days=1))
            case PeriodKind.QUARTER:
                start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
                return cls(kind, start, _add_months(start, 3) - timedelta(days=1))
            case PeriodKind.YEAR:
                return cls(kind, date(day.year, 1, 1), date(day.year, 12, 31))
        raise ValueError(kind)

    @classmethod
    def current(cls, kind: str = PeriodKind.MONTH) -> Period:
        return cls.containing(kind, timezone.localdate())

    def previous(self) -> Period:
        return Period.containing(self.kind, self.start - timedelta(days=1))

    def next(self) -> Period:
        return Period.containing(self.kind, self.end + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def label(self) -> str:
        match self.kind:
            case PeriodKind.DAY:
                return f"{self.start:%Y-%m-%d}"
            case PeriodKind.WEEK:
                iso = self.start.isocalendar()
                return f"{iso.year}-W{iso.week:02d}"
            case PeriodKind.MONTH:
                return f"{self.start:%Y-%m}"
            case PeriodKind.QUARTER:
                return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}"

    @property
    def bucket_kind(self) -> str:
        """The width of a trend chart's bars over this period."""
        widths: dict[str, str] = {PeriodKind.YEAR: PeriodKind.MONTH, PeriodKind.QUARTER: PeriodKind.WEEK}
        return widths.get(self.kind, PeriodKind.DAY)

    def buckets(self) -> list[Period]:
        """The consecutive periods of ``bucket_kind`` that cover this one (the first and last may reach outside)."""
        found: list[Period] = []
        cursor = self.start
        while cursor <= self.end:
            bucket = Period.containing(self.bucket_kind, cursor)
            found.append(bucket)
            cursor = bucket.end + timedelta(days=1)
        return found


class PeriodError(ValueError):
    """A period the user asked for that does not exist; the message says which parameter and why."""


EARLIEST = date(2000, 1, 1)


def parse_period(kind: str | None, on: str | None) -> Period:
    """The period of ``kind`` (default: month) containing the day ``on`` (``YYYY-MM-DD`` or ``YYYY-MM``; default:
    today). Raises PeriodError naming the parameter for anything else."""
    chosen = kind or PeriodKind.MONTH
    if chosen not in PeriodKind.values:
        raise PeriodError(_("period: choose one of %(choices)s.") % {"choices": ", ".join(PeriodKind.values)})
    day = timezone.localdate()
    if on:
        text = on.strip()
        try:
            day = date.fromisoformat(text if len(text) > 7 else f"{text}-01")
        except ValueError as error:
            raise PeriodError(_("on: give a date as YYYY-MM-DD or a month as YYYY-MM.")) from error
        if not EARLIEST <= day <= date(9998, 12, 31):
            raise PeriodError(_("on: the date is out of range."))
    return Period.containing(chosen, day)
