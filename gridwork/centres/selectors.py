"""Reading centres, rooms and bookings. Staff reads are narrowed to the user's units first
(``restrict(user, VIEW_CENTRES)``: anything outside is not found); the public reads show what anyone may know of a
centre — where, when open, what for, which rooms — and of a room's week only when it is busy, never who booked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from gridwork.accounts.roles import Perm
from gridwork.centres import hours
from gridwork.centres.models import HOLDING_STATES, Booking, BookingState, Centre, CentreKind, Room
from gridwork.centres.services import KIND_LEVELS, booker_display, booking_paths, is_staff
from gridwork.common.masking import mask_name, mask_phone
from gridwork.common.scope import NOTHING, minimal_paths, path_scope_q
from gridwork.places.codes import ancestor_paths
from gridwork.places.models import Place

MANAGED_LEVELS = sorted(set().union(*KIND_LEVELS.values()))


# --- staff: centres and rooms ---------------------------------------------------------------------------------------


def centre_list(*, user: Any, q: str = "", kind: str = "", perm: str = Perm.VIEW_CENTRES) -> QuerySet[Centre]:
    """The centres of the user's units, with their numbers of rooms."""
    centres = Centre.objects.restrict(user, perm).select_related("place")
    if kind in CentreKind.values:
        centres = centres.filter(kind=kind)
    if q.strip():
        words = q.split()[:5]
        for word in words:
            centres = centres.filter(
                Q(name__icontains=word) | Q(address__icontains=word) | Q(place__name__icontains=word)
            )
    return centres.annotate(room_count=Count("rooms")).order_by("place__path", "name")


def centre_get(*, user: Any, pk: int, perm: str = Perm.VIEW_CENTRES) -> Centre:
    centre = Centre.objects.restrict(user, perm).select_related("place").filter(pk=pk).first()
    if centre is None:
        raise Http404
    return centre


def room_get(*, user: Any, pk: int, perm: str = Perm.VIEW_CENTRES) -> Room:
    room = Room.objects.restrict(user, perm).select_related("centre__place").filter(pk=pk).first()
    if room is None:
        raise Http404
    return room


def centre_rooms(centre: Centre) -> QuerySet[Room]:
    return Room.objects.filter(centre=centre).order_by("name")


def centre_place_choices(*, user: Any) -> QuerySet[Place]:
    """The places a new centre may serve: streets, communities, grids and buildings the user manages centres of."""
    return Place.objects.restrict(user, Perm.MANAGE_CENTRES).filter(level__in=MANAGED_LEVELS).order_by("path")


def reach_q(user: Any, lookup: str = "place__path") -> Q:
    """Staff's reach for booking: centres of their units (VIEW_CENTRES) and of the places above them."""
    if not is_staff(user):
        return NOTHING
    paths = minimal_paths(booking_paths(user))
    condition = NOTHING
    for path in paths:
        prefixes = ancestor_paths(path, include_self=True)
        condition |= Q(**{f"{lookup}__startswith": path}) | Q(**{f"{lookup}__in": prefixes})
    return condition


def bookable_rooms(*, user: Any) -> QuerySet[Room]:
    """The rooms ``user`` may book: staff those of the centres within their reach (their units' and those above),
    anyone else those of every open centre. Only bookable rooms of open centres."""
    rooms = Room.objects.filter(bookable=True, centre__is_active=True).select_related("centre__place")
    if is_staff(user):
        rooms = rooms.filter(reach_q(user, "centre__place__path"))
    return rooms.order_by("centre__place__path", "centre__name", "name")


# --- staff: bookings ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BookingFilters:
    state: str = ""
    centre: Centre | None = None
    room: Room | None = None
    day: date | None = None
    q: str = ""


def _visible_bookings(user: Any, perm: str) -> QuerySet[Booking]:
    """The bookings of the rooms of the user's units (``perm`` there); for VIEW_CENTRES also the user's own bookings
    in centres above their units (a community's staff booking the street's hall)."""
    if perm != Perm.VIEW_CENTRES or not is_staff(user):
        return Booking.objects.restrict(user, perm)
    return Booking.objects.filter(path_scope_q(user, perm, Booking.SCOPE_PATH) | Q(booker_id=user.pk))


def booking_list(*, user: Any, filters: BookingFilters | None = None) -> QuerySet[Booking]:
    """The bookings of the rooms of the user's units, the latest slot first: by state, centre, room, day (local)
    and number or purpose."""
    filters = filters or BookingFilters()
    bookings = _visible_bookings(user, Perm.VIEW_CENTRES).select_related("room__centre__place", "unit")
    if filters.state in BookingState.values:
        bookings = bookings.filter(state=filters.state)
    if filters.centre is not None:
        bookings = bookings.filter(room__centre=filters.centre)
    if filters.room is not None:
        bookings = bookings.filter(room=filters.room)
    if filters.day is not None:
        start, end = day_bounds(filters.day)
        bookings = bookings.filter(starts_at__lt=end, ends_at__gt=start)
    if filters.q.strip():
        text = filters.q.strip()[:50]
        bookings = bookings.filter(Q(number__icontains=text) | Q(purpose__icontains=text))
    return bookings.order_by("-starts_at", "-id")


def booking_get(*, user: Any, pk: int, perm: str = Perm.VIEW_CENTRES) -> Booking:
    booking = (
        _visible_bookings(user, perm)
        .select_related("room__centre__place", "unit", "booker", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if booking is None:
        raise Http404
    return booking


def may_see_contact(user: Any, booking: Booking) -> bool:
    """The booker's contact in full on a booking's page: VIEW_PERSONAL_DATA over the centre's place."""
    return Booking.objects.restrict(user, Perm.VIEW_PERSONAL_DATA).filter(pk=booking.pk).exists()


def masked_row(booking: Booking) -> dict[str, Any]:
    """A booking for a list: contact masked, the booker shown as a unit's or organisation's name or the kind."""
    return {
        "booking": booking,
        "booker": booker_display(booking),
        "contact_name": mask_name(booking.contact_name),
        "contact_phone": mask_phone(booking.contact_phone),
    }


def booking_timeline(booking: Booking) -> list[Any]:
    return list(booking.events.order_by("sequence"))


# --- weeks --------------------------------------------------------------------------------------------------------


def day_bounds(day: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def parse_week(value: str | None, today: date) -> date:
    """The Monday of the week of ``value`` (YYYY-MM-DD), or of ``today`` when missing or not a date."""
    try:
        day = date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        day = today
    return week_start(day)


@dataclass
class Cell:
    day: date
    bookings: list[Booking] = field(default_factory=list)
    hours_text: str = ""
    is_today: bool = False


@dataclass
class RoomWeek:
    room: Room
    cells: list[Cell]


def centre_week(
    centre: Centre, monday: date, *, today: date, states: tuple[str, ...] = HOLDING_STATES
) -> list[RoomWeek]:
    """The centre's calendar for the week from ``monday``: each room × each day, with the bookings that hold their
    slot (or of ``states``) starting on that day."""
    days = [monday + timedelta(days=offset) for offset in range(7)]
    start, _ = day_bounds(monday)
    end = start + timedelta(days=7)
    rooms = list(centre_rooms(centre))
    bookings = (
        Booking.objects.filter(room__centre=centre, state__in=states, starts_at__lt=end, ends_at__gt=start)
        .select_related("unit")
        .order_by("starts_at")
    )
    by_cell: dict[tuple[int, date], list[Booking]] = {}
    for booking in bookings:
        by_cell.setdefault((booking.room_id, timezone.localtime(booking.starts_at).date()), []).append(booking)
    return [
        RoomWeek(
            room=room,
            cells=[
                Cell(
                    day=day,
                    bookings=by_cell.get((room.pk, day), []),
                    hours_text=hours.hours_text(centre.opening_hours, day),
                    is_today=day == today,
                )
                for day in days
            ],
        )
        for room in rooms
    ]


@dataclass
class Slot:
    starts: datetime
    ends: datetime
    busy: bool


@dataclass
class DayAvailability:
    day: date
    open_text: str
    busy: list[tuple[datetime, datetime]]
    free: list[tuple[datetime, datetime]]
    is_today: bool = False
    past: bool = False


def room_week(room: Room, monday: date, *, now: datetime) -> list[DayAvailability]:
    """A room's week as anyone may see it: each day's opening hours, the times held by bookings (pending or
    confirmed; no booker, no purpose) and the free times within the opening hours still to come."""
    today = timezone.localtime(now).date()
    start, _ = day_bounds(monday)
    busy = [
        (timezone.localtime(s), timezone.localtime(e))
        for s, e in Booking.objects.filter(
            room=room, state__in=HOLDING_STATES, starts_at__lt=start + timedelta(days=7), ends_at__gt=start
        )
        .order_by("starts_at")
        .values_list("starts_at", "ends_at")
    ]
    zone = timezone.get_current_timezone()
    days = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        day_start, day_end = day_bounds(day)
        held = [(max(s, day_start), min(e, day_end)) for s, e in busy if s < day_end and e > day_start]
        free: list[tuple[datetime, datetime]] = []
        for open_start, open_end in hours.day_periods(room.centre.opening_hours, day):
            cursor = datetime.combine(day, open_start, tzinfo=zone)
            period_end = day_end if open_end == time.max else datetime.combine(day, open_end, tzinfo=zone)
            cursor = max(cursor, timezone.localtime(now))
            for s, e in held:
                if e <= cursor or s >= period_end:
                    continue
                if s > cursor:
                    free.append((cursor, s))
                cursor = max(cursor, e)
            if cursor < period_end:
                free.append((cursor, period_end))
        days.append(
            DayAvailability(
                day=day,
                open_text=hours.hours_text(room.centre.opening_hours, day),
                busy=held,
                free=[(s, e) for s, e in free if (e - s) >= timedelta(minutes=15)],
                is_today=day == today,
                past=day < today,
            )
        )
    return days


# --- public -------------------------------------------------------------------------------------------------------


def public_centres(*, community: Place | None = None, q: str = "") -> QuerySet[Centre]:
    """Open centres anyone may see; of ``community``: those serving it (its street's centre, its own station) and
    the stations of its estates and buildings."""
    centres = Centre.objects.filter(is_active=True).select_related("place")
    if community is not None:
        centres = centres.filter(
            Q(place__path__in=community.ancestor_paths(include_self=True)) | Q(place__path__startswith=community.path)
        )
    if q.strip():
        for word in q.split()[:5]:
            centres = centres.filter(
                Q(name__icontains=word)
                | Q(address__icontains=word)
                | Q(place__name__icontains=word)
                | Q(place__parent__name__icontains=word)
            )
    return centres.prefetch_related("rooms").order_by("place__path", "name")


def public_centre_get(pk: int) -> Centre:
    centre = Centre.objects.filter(is_active=True, pk=pk).select_related("place").first()
    if centre is None:
        raise Http404
    return centre


def public_room_get(pk: int) -> Room:
    room = Room.objects.filter(pk=pk, centre__is_active=True).select_related("centre__place").first()
    if room is None:
        raise Http404
    return room


def my_bookings(user: Any) -> QuerySet[Booking]:
    """The bookings the user made, the latest slot first; none for anyone not signed in."""
    if not getattr(user, "is_authenticated", False):
        return Booking.objects.none()
    return Booking.objects.filter(booker=user).select_related("room__centre", "unit").order_by("-starts_at", "-id")


def my_booking_get(user: Any, pk: int) -> Booking:
    booking = my_bookings(user).filter(pk=pk).first()
    if booking is None:
        raise Http404
    return booking
