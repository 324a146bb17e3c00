"""A centre's opening hours: the weekly table residents may book within, as stored in ``Centre.opening_hours``:
``{"mon": [["08:30", "12:00"], ["14:00", "17:30"]], …, "sun": []}`` (local time, periods [start, end) of a day).

Pure functions: reading and writing one day's periods as text ("08:30-12:00, 14:00-17:30"), the periods of a date
(touching periods joined, so that a booking may run across them), whether a local slot lies within one period, and
how many hours a centre is open over a run of days (for the occupancy figure).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_LABELS = {
    "mon": gettext_lazy("Monday"),
    "tue": gettext_lazy("Tuesday"),
    "wed": gettext_lazy("Wednesday"),
    "thu": gettext_lazy("Thursday"),
    "fri": gettext_lazy("Friday"),
    "sat": gettext_lazy("Saturday"),
    "sun": gettext_lazy("Sunday"),
}
_PERIOD_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–~—]\s*(\d{1,2}):(\d{2})\s*$")
MAX_PERIODS = 6

Period = tuple[time, time]


def _clock(hours: str, minutes: str) -> time | None:
    h, m = int(hours), int(minutes)
    if h == 24 and m == 0:
        return time.max
    if not (0 <= h <= 23 and 0 <= m <= 59):
        return None
    return time(h, m)


def _text(moment: time) -> str:
    return "24:00" if moment == time.max else moment.strftime("%H:%M")


def parse_day(text: str) -> list[list[str]]:
    """One day's periods from "08:30-12:00, 14:00-17:30" (commas, semicolons or new lines between periods; empty:
    closed), sorted, as stored. ``ValueError`` with a message saying what is wrong."""
    periods: list[Period] = []
    for part in re.split(r"[,;，；\n]+", text or ""):
        if not part.strip():
            continue
        match = _PERIOD_RE.match(part)
        if match is None:
            raise ValueError(_("Write each period as HH:MM-HH:MM, for example 08:30-12:00, 14:00-17:30."))
        start, end = _clock(match[1], match[2]), _clock(match[3], match[4])
        if start is None or end is None or start == time.max:
            raise ValueError(_("“%(period)s” is not a time of day.") % {"period": part.strip()})
        if end <= start:
            raise ValueError(_("“%(period)s” ends before it starts.") % {"period": part.strip()})
        periods.append((start, end))
    periods.sort()
    if len(periods) > MAX_PERIODS:
        raise ValueError(_("At most %(count)d periods a day.") % {"count": MAX_PERIODS})
    for (_start, end), (next_start, _end) in itertools.pairwise(periods):
        if next_start < end:
            raise ValueError(_("The periods overlap."))
    return [[_text(start), _text(end)] for start, end in periods]


def format_day(periods: Any) -> str:
    """A day's stored periods as the text ``parse_day`` reads."""
    return ", ".join(f"{start}-{end}" for start, end in _stored(periods))


def _stored(periods: Any) -> list[tuple[str, str]]:
    if not isinstance(periods, list):
        return []
    return [(str(p[0]), str(p[1])) for p in periods if isinstance(p, list | tuple) and len(p) == 2]


def _as_time(text: str) -> time | None:
    match = re.match(r"^(\d{1,2}):(\d{2})$", text.strip())
    return _clock(match[1], match[2]) if match else None


def day_periods(opening_hours: Mapping[str, Any] | None, day: date) -> list[Period]:
    """The periods the centre is open on ``day`` (its weekday's), touching periods joined; none when closed."""
    raw = (opening_hours or {}).get(WEEKDAYS[day.weekday()], [])
    periods = sorted(
        (start, end)
        for start, end in ((_as_time(a), _as_time(b)) for a, b in _stored(raw))
        if start is not None and end is not None and start < end
    )
    joined: list[Period] = []
    for start, end in periods:
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return joined


def within_hours(opening_hours: Mapping[str, Any] | None, starts: datetime, ends: datetime) -> bool:
    """Whether the local slot [starts, ends) lies within one opening period of its day (a slot running past midnight
    never does, unless the day is open until 24:00 and the slot ends at midnight)."""
    day = starts.date()
    end_clock = time.max if ends.date() == day + timedelta(days=1) and ends.time() == time.min else ends.time()
    if ends.date() != day and end_clock != time.max:
        return False
    return any(start <= starts.time() and end_clock <= end for start, end in day_periods(opening_hours, day))


def hours_text(opening_hours: Mapping[str, Any] | None, day: date) -> str:
    """The day's opening hours as text ("08:30-12:00, 14:00-17:30"), or "closed"."""
    periods = day_periods(opening_hours, day)
    if not periods:
        return _("closed")
    return ", ".join(f"{_text(start)}-{_text(end)}" for start, end in periods)


def _hours(period: Period) -> float:
    start, end = period
    end_minutes = 24 * 60 if end == time.max else end.hour * 60 + end.minute
    return (end_minutes - (start.hour * 60 + start.minute)) / 60


def open_hours(opening_hours: Mapping[str, Any] | None, first_day: date, last_day: date) -> float:
    """How many hours the centre is open from ``first_day`` to ``last_day``, both included, by its weekly table."""
    total = 0.0
    day = first_day
    while day <= last_day:
        total += sum(_hours(period) for period in day_periods(opening_hours, day))
        day += timedelta(days=1)
    return total


def weekly_table(opening_hours: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The week's hours for a page: each weekday's label and text ("closed" when no period)."""
    rows = []
    for key in WEEKDAYS:
        text = format_day((opening_hours or {}).get(key, []))
        rows.append({"key": key, "label": WEEKDAY_LABELS[key], "text": text or _("closed"), "open": bool(text)})
    return rows
