"""The periods a community performance record is computed for, and a dual evaluation is made for: a year, a
half-year (上半年 / 下半年), a quarter or a month, in China time (the platform's ``TIME_ZONE``).

A period runs from midnight of its first day to midnight after its last day, local time: an order completed at 23:59
on 30 June counts for the first half-year, one at 00:01 on 1 July for the second. Each has a short code for URLs
(``2025``, ``2025-H1``, ``2025-Q3``, ``2025-07``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class PeriodKind(models.TextChoices):
    """The kinds of period a record is computed for (``gridwork.party.periods.Period``)."""

    YEAR = "year", gettext_lazy("Year")
    HALF = "half", gettext_lazy("Half-year")
    QUARTER = "quarter", gettext_lazy("Quarter")
    MONTH = "month", gettext_lazy("Month")


# The usual cycle of the dual evaluation: once a year, or once each half-year (上半年 / 下半年).
EVALUATION_PERIOD_KINDS = (PeriodKind.YEAR, PeriodKind.HALF)

# How many parts a year has, and how many months each part lasts, per kind.
PARTS: dict[str, int] = {PeriodKind.YEAR: 1, PeriodKind.HALF: 2, PeriodKind.QUARTER: 4, PeriodKind.MONTH: 12}
MONTHS: dict[str, int] = {PeriodKind.YEAR: 12, PeriodKind.HALF: 6, PeriodKind.QUARTER: 3, PeriodKind.MONTH: 1}
FIRST_YEAR = 2000
LAST_YEAR = 2100
_CODE = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<half>H[12])|(?P<quarter>Q[1-4])|(?P<month>\d{2})))?$")


def local_zone() -> tzinfo:
    """China time: the zone of the platform (``settings.TIME_ZONE``), whatever zone a request has activated."""
    return timezone.get_default_timezone()


@dataclass(frozen=True)
class Period:
    """One period: ``kind``, ``year`` and which part of the year (``number``: 1 for a year, 1–2 for a half, 1–4 for a
    quarter, 1–12 for a month)."""

    kind: str
    year: int
    number: int = 1

    def __post_init__(self) -> None:
        if self.kind not in PARTS:
            raise ValueError(f"unknown kind of period {self.kind!r}")
        if not FIRST_YEAR <= self.year <= LAST_YEAR:
            raise ValueError(f"year {self.year} out of range")
        if not 1 <= self.number <= PARTS[self.kind]:
            raise ValueError(f"a {self.kind} has no part {self.number}")

    # --- making one ---------------------------------------------------------------------------------------------

    @classmethod
    def of(cls, kind: str, day: date) -> Period:
        """The period of ``kind`` that ``day`` falls in."""
        return cls(kind, day.year, (day.month - 1) // MONTHS[kind] + 1)

    @classmethod
    def parse(cls, code: str) -> Period | None:
        """The period of a code (``2025``, ``2025-H1``, ``2025-Q3``, ``2025-07``), or None for anything else."""
        found = _CODE.match((code or "").strip())
        if found is None:
            return None
        year = int(found["year"])
        try:
            if found["half"]:
                return cls(PeriodKind.HALF, year, int(found["half"][1]))
            if found["quarter"]:
                return cls(PeriodKind.QUARTER, year, int(found["quarter"][1]))
            if found["month"]:
                return cls(PeriodKind.MONTH, year, int(found["month"]))
            return cls(PeriodKind.YEAR, year)
        except ValueError:
            return None

    # --- what it covers -----------------------------------------------------------------------------------------

    @property
    def first_day(self) -> date:
        return date(self.year, (self.number - 1) * MONTHS[self.kind] + 1, 1)

    @property
    def last_day(self) -> date:
        return self.following_first_day - timedelta(days=1)

    @property
    def following_first_day(self) -> date:
        month = self.number * MONTHS[self.kind] + 1
        return date(self.year + 1, 1, 1) if month > 12 else date(self.year, month, 1)

    @property
    def start(self) -> datetime:
        """Midnight starting the first day, China time."""
        return datetime.combine(self.first_day, time.min, tzinfo=local_zone())

    @property
    def end(self) -> datetime:
        """Midnight after the last day, China time (the first moment outside the period)."""
        return datetime.combine(self.following_first_day, time.min, tzinfo=local_zone())

    def contains(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end

    def contains_day(self, day: date | None) -> bool:
        return day is not None and self.first_day <= day <= self.last_day

    def has_started(self, today: date) -> bool:
        return self.first_day <= today

    # --- how it is written --------------------------------------------------------------------------------------

    @property
    def code(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return f"{self.year}"
        if self.kind == PeriodKind.HALF:
            return f"{self.year}-H{self.number}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.year}-Q{self.number}"
        return f"{self.year}-{self.number:02d}"

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return _("Year %(year)d") % {"year": self.year}
        if self.kind == PeriodKind.HALF:
            if self.number == 1:
                return _("First half of %(year)d") % {"year": self.year}
            return _("Second half of %(year)d") % {"year": self.year}
        if self.kind == PeriodKind.QUARTER:
            return _("Quarter %(quarter)d of %(year)d") % {"quarter": self.number, "year": self.year}
        return _("%(month)d/%(year)d") % {"month": self.number, "year": self.year}

    @property
    def is_evaluation_period(self) -> bool:
        """Whether the dual evaluation is made for periods of this kind (a year or a half-year)."""
        return self.kind in EVALUATION_PERIOD_KINDS

    def __str__(self) -> str:
        return self.label


def this_year(today: date | None = None) -> Period:
    return Period.of(PeriodKind.YEAR, today or timezone.localdate(timezone=local_zone()))


def period_options(
    *, today: date, kinds: Iterable[str], years: int = 2, including: Period | None = None
) -> list[Period]:
    """The periods of ``kinds`` that have started, of this year and the ``years - 1`` before it, newest first and,
    within a year, the year itself before its halves, quarters and months; ``including`` (the period a page shows)
    first if it is not among them."""
    order = [kind for kind in PARTS if kind in set(kinds)]
    options: list[Period] = []
    for year in range(today.year, max(today.year - years, FIRST_YEAR - 1), -1):
        for kind in order:
            for number in range(PARTS[kind], 0, -1):
                period = Period(kind, year, number)
                if period.has_started(today):
                    options.append(period)
    if including is not None and including not in options:
        options.insert(0, including)
    return options


def period_from(code: str, *, default: Period, allowed: Iterable[str] | None = None) -> Period:
    """The period a page asks for (``?period=``), if valid and of an allowed kind; else ``default``."""
    period = Period.parse(code)
    if period is None or (allowed is not None and period.kind not in set(allowed)):
        return default
    return period
