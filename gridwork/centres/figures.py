"""Usage figures of centres and rooms, per month (seed 003 counts rooms "booked 13,680 times"): a row per centre with
a row per room under it. The definitions are written here once and shown on the page and in the export.

A booking belongs to the month in which it starts (local time). Hours open come from the centre's weekly opening
hours as they stand now (``centres.hours.open_hours``), for each day of the month.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gridwork.centres import hours
from gridwork.centres.models import BookerKind, Booking, BookingState, Centre, Room
from gridwork.centres.selectors import day_bounds

DEFINITIONS = (
    (
        _("Bookings confirmed"),
        _(
            "Bookings starting in the month (local time) that stand confirmed: approved, or made where no approval is "
            "needed. Pending, refused and cancelled bookings are not counted here."
        ),
    ),
    (_("Hours booked"), _("The total length of the confirmed bookings, in hours.")),
    (
        _("Hours open"),
        _(
            "For a room: the hours its centre is open in the month by its weekly opening hours (none if the room is "
            "not bookable). For a centre: the sum over its rooms."
        ),
    ),
    (
        _("Occupancy"),
        _(
            "Hours booked ÷ hours open. Managers may book outside the opening hours, so it can pass 100 %; empty when "
            "there are no hours open."
        ),
    ),
    (_("Attendees"), _("The expected attendees given with the confirmed bookings.")),
    (
        _("By booker"),
        _("Confirmed bookings by whom they were for: residents, resident units, organisations, staff."),
    ),
    (
        _("Pending, refused, cancelled"),
        _("Bookings starting in the month still waiting for approval, refused (also undecided in time), cancelled."),
    ),
)
KINDS = tuple(BookerKind)


def month_bounds(month: date) -> tuple[date, date]:
    """The first and last day of ``month``."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


@dataclass
class Usage:
    """One row: a centre (``room`` None) or one of its rooms."""

    centre: Centre
    room: Room | None = None
    confirmed: int = 0
    hours_booked: float = 0.0
    hours_open: float = 0.0
    attendees: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    pending: int = 0
    refused: int = 0
    cancelled: int = 0

    @property
    def occupancy(self) -> float | None:
        """Percent, or None without hours open."""
        return round(100 * self.hours_booked / self.hours_open, 1) if self.hours_open else None

    @property
    def kinds(self) -> list[int]:
        return [self.by_kind.get(kind, 0) for kind in KINDS]

    def add(self, other: Usage) -> None:
        self.confirmed += other.confirmed
        self.hours_booked += other.hours_booked
        self.hours_open += other.hours_open
        self.attendees += other.attendees
        self.pending += other.pending
        self.refused += other.refused
        self.cancelled += other.cancelled
        for kind, count in other.by_kind.items():
            self.by_kind[kind] = self.by_kind.get(kind, 0) + count


@dataclass
class CentreUsage:
    total: Usage
    rooms: list[Usage]


def usage(centres: QuerySet[Centre], month: date) -> list[CentreUsage]:
    """The month's figures of each of ``centres`` (already scoped) and of each of their rooms."""
    first, last = month_bounds(month)
    start, _end = day_bounds(first)
    _start, end = day_bounds(last)
    centre_list = list(centres.select_related("place").order_by("place__path", "name"))
    rooms_by_centre: dict[int, list[Room]] = defaultdict(list)
    for room in Room.objects.filter(centre__in=centre_list).order_by("name"):
        rooms_by_centre[room.centre_id].append(room)
    rows: dict[int, Usage] = {}
    for centre in centre_list:
        open_hours = hours.open_hours(centre.opening_hours, first, last)
        for room in rooms_by_centre[centre.pk]:
            rows[room.pk] = Usage(centre=centre, room=room, hours_open=open_hours if room.bookable else 0.0)
    bookings = Booking.objects.filter(
        room__centre__in=centre_list, starts_at__gte=start, starts_at__lt=end
    ).values_list("room_id", "state", "booker_kind", "starts_at", "ends_at", "attendees")
    for room_id, state, kind, starts_at, ends_at, attendees in bookings:
        row = rows[room_id]
        if state == BookingState.CONFIRMED:
            row.confirmed += 1
            row.hours_booked += (ends_at - starts_at).total_seconds() / 3600
            row.attendees += attendees
            row.by_kind[kind] = row.by_kind.get(kind, 0) + 1
        elif state == BookingState.PENDING:
            row.pending += 1
        elif state == BookingState.REFUSED:
            row.refused += 1
        else:
            row.cancelled += 1
    result = []
    for centre in centre_list:
        room_rows = [rows[room.pk] for room in rooms_by_centre[centre.pk]]
        total = Usage(centre=centre)
        for row in room_rows:
            total.add(row)
        result.append(CentreUsage(total=total, rooms=room_rows))
    return result


def kind_labels() -> list[Any]:
    return [kind.label for kind in KINDS]
