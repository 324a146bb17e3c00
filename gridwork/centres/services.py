"""Services of the centres app: centres and their rooms (community staff and above, audited), and the bookings of
rooms — booking, approving, refusing, cancelling, and refusing the pending bookings nobody decided in time.

A booking holds its slot while pending or confirmed: two holding bookings of one room never overlap. The services
check it first, and the database refuses it anyway (migration 0003: an exclusion constraint on PostgreSQL, triggers
on SQLite), so two simultaneous requests for one slot give one booking and, for the other, the same field error as
a slot already taken: ``booking_create`` catches the database's refusal in a savepoint, which also lets it run inside
a caller's transaction (an activity and its room, booked in one step).

Numbers are 订-YYYY-NNNNNN, the year's highest plus one, taken under a lock of the year's numbers held to the end of
the transaction (PostgreSQL's advisory lock; SQLite has one writer at a time), so the numbers have no gaps; a number
taken by a writer around the services is retried with the next one.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.models import User, UserKind
from gridwork.accounts.roles import ROLE_PERMISSIONS, Perm
from gridwork.audit.services import audit_record
from gridwork.centres import hours
from gridwork.centres.flows import BOOKING_FLOW, BOOKING_FLOW_CONFIRMED, BookingAction
from gridwork.centres.models import (
    HOLDING_STATES,
    BookerKind,
    Booking,
    BookingState,
    Centre,
    CentreFunction,
    CentreKind,
    Room,
)
from gridwork.common.flows import StaleState, flow_move, flow_start
from gridwork.common.numbering import next_number
from gridwork.common.scope import holds_over
from gridwork.places.models import Place, PlaceLevel

RETRIES = 5
# The database's refusal of an overlapping booking names this (the constraint on PostgreSQL, the triggers' message
# on SQLite: migration 0003).
OVERLAP_CONSTRAINT = "centres_booking_no_overlap"
EXCLUSION_VIOLATION = "23P01"

MAX_PURPOSE = 200
MAX_CONTACT_NAME = 50
MAX_ORGANISATION = 120
MAX_REASON = 300
PHONE_RE = re.compile(r"^[0-9+\-() ]{5,20}$")

# The defaults of the settings that bound a booking (``settings.CENTRES_*`` overrides each).
DEFAULT_MAX_BOOKING_HOURS = 8  # the longest booking, for everyone
DEFAULT_HORIZON_DAYS = 90  # how far ahead residents, units and organisations may book
DEFAULT_MAX_UPCOMING = 5  # how many upcoming bookings one resident's account may hold at once

# Which places each kind of centre serves ("街有中心、社区有站", estates and buildings below).
KIND_LEVELS: dict[str, frozenset[str]] = {
    CentreKind.STREET_CENTRE: frozenset({PlaceLevel.STREET}),
    CentreKind.COMMUNITY_STATION: frozenset({PlaceLevel.COMMUNITY}),
    CentreKind.ESTATE_STATION: frozenset({PlaceLevel.GRID, PlaceLevel.MICROGRID}),
    CentreKind.MICRO_STATION: frozenset({PlaceLevel.GRID, PlaceLevel.MICROGRID}),
}
MAX_NAME = 120
MAX_ADDRESS = 200
MAX_ROOM_NAME = 80
MAX_CAPACITY = 2000
MAX_EQUIPMENT = 20


def max_booking_length() -> timedelta:
    return timedelta(hours=getattr(settings, "CENTRES_MAX_BOOKING_HOURS", DEFAULT_MAX_BOOKING_HOURS))


def booking_horizon() -> timedelta:
    return timedelta(days=getattr(settings, "CENTRES_BOOKING_HORIZON_DAYS", DEFAULT_HORIZON_DAYS))


def max_upcoming() -> int:
    return int(getattr(settings, "CENTRES_MAX_UPCOMING_BOOKINGS", DEFAULT_MAX_UPCOMING))


# --- who may ------------------------------------------------------------------------------------------------------


def manages_centre(user: Any, centre: Centre) -> bool:
    """A manager of the centre: MANAGE_CENTRES at its place or above."""
    return holds_over(user, Perm.MANAGE_CENTRES, centre.place)


def is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "kind", "") == UserKind.STAFF)


def is_resident(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "kind", "") == UserKind.RESIDENT)


def booking_paths(user: Any) -> list[str]:
    """The units of the posts at which a staff member holds VIEW_CENTRES, as posted: a grid worker reads every centre
    of their community (``COMMUNITY_WIDE_READS``) but books for their own grid only, not a neighbouring grid's."""
    if not is_staff(user):
        return []
    return [post.place.path for post in user.active_posts if Perm.VIEW_CENTRES in ROLE_PERMISSIONS[post.role]]


def staff_reaches(user: Any, centre: Centre) -> bool:
    """Staff book the rooms of the centres of their units (VIEW_CENTRES there or above) and of the centres serving
    the places above their units (the street's centre serves its communities' staff)."""
    paths = booking_paths(user)
    return any(centre.place.path.startswith(path) or path.startswith(centre.place.path) for path in paths)


def _speaks_for(user: Any, unit: Any) -> bool:
    from gridwork.party.selectors import units_of_contact

    return unit is not None and units_of_contact(user=user).filter(pk=unit.pk).exists()


def _check_booker(*, actor: Any, centre: Centre, booker_kind: str, unit: Any) -> None:
    """``PermissionDenied`` unless ``actor`` may book in ``centre`` as ``booker_kind``: residents as themselves or
    an organisation, a unit's contacts as that unit, staff within their reach as staff, an organisation, or a unit
    (on its behalf, when they manage the centre)."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied(_("Sign in to book a room."))
    if is_staff(actor):
        if not staff_reaches(actor, centre):
            raise PermissionDenied(_("This centre is outside the units you work for."))
        if booker_kind == BookerKind.RESIDENT:
            raise PermissionDenied(_("Staff book as staff, for an organisation or for a resident unit."))
        if booker_kind == BookerKind.UNIT and not (manages_centre(actor, centre) or _speaks_for(actor, unit)):
            raise PermissionDenied(_("Only the centre's managers book on behalf of a resident unit."))
        return
    if booker_kind == BookerKind.STAFF:
        raise PermissionDenied(_("Only staff book as staff."))
    if booker_kind == BookerKind.UNIT:
        if unit is not None and not _speaks_for(actor, unit):
            raise PermissionDenied(_("You do not speak for this resident unit."))
        return
    if not is_resident(actor):
        raise PermissionDenied(_("Sign in with your mobile phone to book a room."))


# --- booking ------------------------------------------------------------------------------------------------------


def _local(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return timezone.localtime(moment)


def _booking_errors(
    *,
    room: Room,
    starts_at: datetime,
    ends_at: datetime,
    booker_kind: str,
    purpose: str,
    attendees: Any,
    contact_name: str,
    contact_phone: str,
    unit: Any,
    organisation_name: str,
    manager: bool,
    staff: bool,
    at: datetime,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    centre = room.centre
    if not centre.is_active:
        add("room", _("%(centre)s is closed: its rooms cannot be booked.") % {"centre": centre.name})
    elif not room.bookable:
        add("room", _("%(room)s is not a room for booking.") % {"room": room.name})
    if booker_kind not in BookerKind.values:
        add("booker_kind", _("Choose whom the booking is for."))
    if booker_kind == BookerKind.UNIT and unit is None:
        add("unit", _("Choose the resident unit the booking is for."))
    if booker_kind == BookerKind.ORGANISATION and not organisation_name.strip():
        add("organisation_name", _("Give the name of the organisation the booking is for."))
    elif len(organisation_name.strip()) > MAX_ORGANISATION:
        add("organisation_name", _("At most %(count)d characters.") % {"count": MAX_ORGANISATION})
    if not purpose.strip():
        add("purpose", _("Say what the room is for."))
    elif len(purpose.strip()) > MAX_PURPOSE:
        add("purpose", _("At most %(count)d characters.") % {"count": MAX_PURPOSE})
    if not contact_name.strip():
        add("contact_name", _("Give the name of the person the centre may contact."))
    elif len(contact_name.strip()) > MAX_CONTACT_NAME:
        add("contact_name", _("At most %(count)d characters.") % {"count": MAX_CONTACT_NAME})
    if not PHONE_RE.match(contact_phone.strip()):
        add("contact_phone", _("A phone number has digits only (and + - ( ) or spaces)."))
    if not isinstance(attendees, int) or isinstance(attendees, bool) or attendees < 1:
        add("attendees", _("At least one person."))
    elif attendees > room.capacity:
        add(
            "attendees",
            _("%(room)s holds at most %(capacity)d people.") % {"room": room.name, "capacity": room.capacity},
        )
    starts, ends = _local(starts_at), _local(ends_at)
    if ends <= starts:
        add("ends_at", _("The booking must end after it starts."))
        return errors
    if starts < at:
        add("starts_at", _("This time has passed: choose a time to come."))
    elif not staff and starts > at + booking_horizon():
        add(
            "starts_at",
            _("Rooms are booked at most %(days)d days ahead.") % {"days": booking_horizon().days},
        )
    if ends - starts > max_booking_length():
        add(
            "ends_at",
            _("A booking lasts at most %(hours)s hours.")
            % {"hours": f"{max_booking_length().total_seconds() / 3600:g}"},
        )
    if not manager and not hours.within_hours(centre.opening_hours, starts, ends):
        add(
            "starts_at",
            _("The booking must lie within the centre's opening hours on %(day)s: %(hours)s.")
            % {"day": starts.date().isoformat(), "hours": hours.hours_text(centre.opening_hours, starts.date())},
        )
    return errors


def slot_taken(room: Room, starts_at: datetime, ends_at: datetime, *, exclude: int | None = None) -> bool:
    """Whether a booking holding its slot in ``room`` overlaps [starts_at, ends_at) (touching is not overlapping)."""
    clashes = Booking.objects.filter(room=room, state__in=HOLDING_STATES, starts_at__lt=ends_at, ends_at__gt=starts_at)
    if exclude is not None:
        clashes = clashes.exclude(pk=exclude)
    return clashes.exists()


def slot_taken_error() -> ValidationError:
    return ValidationError(
        {"starts_at": [_("The room is already booked at this time. Choose another time or another room.")]}
    )


def is_overlap_refusal(error: IntegrityError) -> bool:
    """Whether the database refused a booking for overlapping another (not for any other constraint)."""
    cause = error.__cause__
    return OVERLAP_CONSTRAINT in str(error) or getattr(cause, "sqlstate", None) == EXCLUSION_VIOLATION


def booking_next_number(year: int) -> str:
    """订-YYYY-NNNNNN, with the year's numbers locked until the transaction ends (``next_number``)."""
    return next_number(Booking, prefix=f"订-{year}-", width=6)


def _booker_actor(user: Any) -> Any:
    """A resident or a unit's contact as the actor of their booking's events, named by role: the events are shown
    on the staff pages, where a booker's name is personal data (masked). The event still points at the account."""
    if is_staff(user):
        return user
    labelled = copy.copy(user)
    labelled.full_name = _("The booker (online)")
    return labelled


def _upcoming_count(user: Any, at: datetime) -> int:
    return Booking.objects.filter(booker_id=user.pk, state__in=HOLDING_STATES, ends_at__gt=at).count()


def _insert(fields: dict[str, Any], *, flow: Any, actor: Any, data: dict[str, Any], at: datetime) -> Booking:
    """Number and save the booking with its first event, each try in a savepoint: a number taken meanwhile is
    retried with the next one; the database's refusal of an overlap becomes the slot's field error."""
    year = timezone.localtime(at).year
    for remaining in range(RETRIES, 0, -1):
        booking = Booking(number=booking_next_number(year), **fields)
        try:
            with transaction.atomic():
                return flow_start(booking, flow=flow, actor=actor, data=data, at=at)
        except IntegrityError as error:
            if is_overlap_refusal(error):
                raise slot_taken_error() from None
            if remaining == 1:
                raise
    raise AssertionError("unreachable")


def booking_create(
    *,
    actor: Any,
    room: Room,
    starts_at: datetime,
    ends_at: datetime,
    booker_kind: str,
    purpose: str,
    attendees: int,
    contact_name: str,
    contact_phone: str,
    unit: Any = None,
    organisation_name: str = "",
    at: datetime | None = None,
) -> Booking:
    """Book ``room`` for [starts_at, ends_at) as ``booker_kind`` (a resident, a resident unit — ``unit`` —, an
    organisation — ``organisation_name`` —, or staff). Validates: ends after it starts, not in the past, at most
    ``CENTRES_MAX_BOOKING_HOURS`` long, within the centre's opening hours and ``CENTRES_BOOKING_HORIZON_DAYS`` ahead
    (unless the actor manages the centre / is staff), the room bookable, attendees within its capacity, a resident's
    account holding at most ``CENTRES_MAX_UPCOMING_BOOKINGS`` upcoming bookings. The booking starts confirmed when the
    centre needs no approval or the actor manages the centre, else pending (the centre's managers are told).

    ``ValidationError`` on the field at fault — ``starts_at`` when the slot is held, whether the check or the
    database finds it; ``PermissionDenied`` for an actor who may not book so. Safe inside a caller's transaction."""
    at = at or timezone.now()
    centre = Centre.objects.select_related("place").get(pk=room.centre_id)
    room.centre = centre
    _check_booker(actor=actor, centre=centre, booker_kind=booker_kind, unit=unit)
    manager = manages_centre(actor, centre)
    staff = is_staff(actor)
    errors = _booking_errors(
        room=room,
        starts_at=starts_at,
        ends_at=ends_at,
        booker_kind=booker_kind,
        purpose=purpose,
        attendees=attendees,
        contact_name=contact_name,
        contact_phone=contact_phone,
        unit=unit,
        organisation_name=organisation_name,
        manager=manager,
        staff=staff,
        at=at,
    )
    if errors:
        raise ValidationError(errors)
    confirmed = manager or not centre.requires_approval
    fields: dict[str, Any] = {
        "room": room,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "booker": actor,
        "booker_kind": booker_kind,
        "unit": unit if booker_kind == BookerKind.UNIT else None,
        "organisation_name": organisation_name.strip() if booker_kind == BookerKind.ORGANISATION else "",
        "contact_name": contact_name.strip(),
        "contact_phone": contact_phone.strip(),
        "purpose": purpose.strip(),
        "attendees": attendees,
    }
    data = {
        "room": room.pk,
        "starts_at": starts_at.isoformat(),
        "ends_at": ends_at.isoformat(),
        "booker_kind": booker_kind,
        "approval": "not needed" if not centre.requires_approval else ("by manager" if manager else "waiting"),
    }
    with transaction.atomic():
        if not staff:
            # One account's bookings one at a time: the limit cannot be passed by sending the form twice at once.
            User.objects.select_for_update().filter(pk=actor.pk).exists()
            if _upcoming_count(actor, at) >= max_upcoming():
                raise ValidationError(
                    {
                        NON_FIELD_ERRORS: [
                            _(
                                "You already hold %(count)d upcoming bookings. Cancel one you no longer need, or "
                                "wait until one has passed."
                            )
                            % {"count": max_upcoming()}
                        ]
                    }
                )
        if slot_taken(room, starts_at, ends_at):
            raise slot_taken_error()
        booking = _insert(
            fields,
            flow=BOOKING_FLOW_CONFIRMED if confirmed else BOOKING_FLOW,
            actor=_booker_actor(actor),
            data=data,
            at=at,
        )
        if booking.state == BookingState.PENDING:
            _notify_managers(booking)
    return booking


# --- deciding and cancelling --------------------------------------------------------------------------------------


def _require_manager(actor: Any, booking: Booking) -> None:
    if not manages_centre(actor, booking.room.centre):
        raise PermissionDenied(_("This centre is outside the units you manage."))


def _current(booking: Booking, expected_version: int) -> None:
    if expected_version != booking.version:
        raise StaleState


def _refuse(message: str) -> ValidationError:
    return ValidationError({NON_FIELD_ERRORS: [message]})


def booking_approve(
    *, actor: Any, booking: Booking, expected_version: int, note: str = "", at: datetime | None = None
) -> Booking:
    """A manager of the centre approves a pending booking (before it ends); the booker is told."""
    _require_manager(actor, booking)
    _current(booking, expected_version)
    at = at or timezone.now()
    if booking.ends_at <= at:
        raise _refuse(_("The time of this booking has passed: it can no longer be approved."))
    note = (note or "").strip()[:MAX_REASON]
    with transaction.atomic():
        flow_move(
            booking,
            flow=BOOKING_FLOW,
            action=BookingAction.APPROVE,
            actor=actor,
            note=note,
            changes={"decided_by": actor, "decision_note": note},
            expected_version=expected_version,
            at=at,
        )
        _notify_booker(booking, actor=actor)
    return booking


def booking_refuse(
    *, actor: Any, booking: Booking, expected_version: int, reason: str, at: datetime | None = None
) -> Booking:
    """A manager of the centre refuses a pending booking with its reason (required, shown to the booker); the slot is
    free again and the booker is told."""
    _require_manager(actor, booking)
    _current(booking, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the booking is refused: the booker reads it.")]})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": [_("At most %(count)d characters.") % {"count": MAX_REASON}]})
    at = at or timezone.now()
    with transaction.atomic():
        flow_move(
            booking,
            flow=BOOKING_FLOW,
            action=BookingAction.REFUSE,
            actor=actor,
            note=reason,
            changes={"decided_by": actor, "decision_note": reason},
            expected_version=expected_version,
            at=at,
        )
        _notify_booker(booking, actor=actor)
    return booking


def booking_cancel(
    *, actor: Any, booking: Booking, expected_version: int, reason: str = "", at: datetime | None = None
) -> Booking:
    """The booker (before the booking starts) or a manager of the centre (before it ends) cancels a pending or
    confirmed booking; the slot is free again. A booker cancelled by a manager is told."""
    booker = getattr(actor, "pk", None) is not None and booking.booker_id == actor.pk
    manager = manages_centre(actor, booking.room.centre)
    if not (booker or manager):
        raise PermissionDenied(_("Only the booker or the centre's managers may cancel this booking."))
    _current(booking, expected_version)
    at = at or timezone.now()
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": [_("At most %(count)d characters.") % {"count": MAX_REASON}]})
    if booking.ends_at <= at:
        raise _refuse(_("This booking is over: it can no longer be cancelled."))
    if not manager and booking.starts_at <= at:
        raise _refuse(_("This booking has begun: ask the centre to cancel it."))
    activity = _live_activity_of(booking)
    if activity is not None and not manager:
        raise _refuse(
            _("This room is booked for activity %(number)s: cancel the activity, which frees the room.")
            % {"number": activity.number}
        )
    with transaction.atomic():
        flow_move(
            booking,
            flow=BOOKING_FLOW,
            action=BookingAction.CANCEL,
            actor=_booker_actor(actor),
            note=reason,
            data={"by": "booker" if booker else "manager"},
            expected_version=expected_version,
            at=at,
        )
        if not booker:
            _notify_booker(booking, actor=actor)
    return booking


def _live_activity_of(booking: Booking) -> Any:
    """The activity (not cancelled) whose room this booking is, or None."""
    from gridwork.activities.models import Activity, ActivityState

    return Activity.objects.filter(booking=booking).exclude(state=ActivityState.CANCELLED).first()


def booking_cancel_for_activity(
    *, actor: Any, booking: Booking, activity_number: str, reason: str = "", at: datetime | None = None
) -> Booking:
    """An activity's cancellation frees its room: the booking is cancelled on behalf of the activity, whoever cancels
    the activity (``activities.services.activity_cancel`` has checked that the actor runs it) and even where the
    booker alone could not (the booking has begun, a colleague booked it, the street's centre). The booking is read
    afresh under a row lock, so a stale copy never fails the activity's cancellation; one that no longer holds its
    slot, or is over, is left as it is. The booker, when someone else, is told. Call it inside the activity's
    transaction."""
    at = at or timezone.now()
    with transaction.atomic():
        current = Booking.objects.select_for_update().select_related("room__centre", "booker").get(pk=booking.pk)
        if current.holds_slot and current.ends_at > at:
            flow_move(
                current,
                flow=BOOKING_FLOW,
                action=BookingAction.CANCEL,
                actor=actor,
                note=(reason or "").strip()[:MAX_REASON],
                data={"by": "activity", "activity": activity_number},
                expected_version=current.version,
                at=at,
            )
            text = _("Your booking %(number)s of %(room)s on %(when)s is cancelled with activity %(activity)s.") % {
                "number": current.number,
                "room": f"{current.room.centre.name} · {current.room.name}",
                "when": timezone.localtime(current.starts_at).strftime("%Y-%m-%d %H:%M"),
                "activity": activity_number,
            }
            _notify_booker(current, actor=actor, text=text)
    booking.state, booking.version = current.state, current.version
    return current


def bookings_expire(*, at: datetime | None = None) -> int:
    """Pending bookings whose time has come without a decision are refused (by the system, with the reason), and
    their bookers told: a booking nobody approved does not happen. Returns how many were refused."""
    at = at or timezone.now()
    reason = _("Not decided before the booking's time: ask the centre, or book again.")
    done = 0
    for booking in Booking.objects.filter(state=BookingState.PENDING, starts_at__lte=at).select_related(
        "room__centre", "booker"
    ):
        try:
            with transaction.atomic():
                flow_move(
                    booking,
                    flow=BOOKING_FLOW,
                    action=BookingAction.REFUSE,
                    actor=None,
                    note=reason,
                    data={"expired": True},
                    changes={"decision_note": reason},
                    expected_version=booking.version,
                    at=at,
                )
                _notify_booker(booking, actor=None)
        except StaleState:
            continue
        done += 1
    return done


# --- telling people -----------------------------------------------------------------------------------------------


def centre_managers(centre: Centre) -> list[User]:
    """Who decides the centre's bookings: staff holding MANAGE_CENTRES at the centre's place; when it has none, at
    the nearest unit above it that has some (an estate station's community, say)."""
    from gridwork.accounts.selectors import users_holding

    paths = centre.place.ancestor_paths(include_self=True)
    places = {place.path: place.pk for place in Place.objects.filter(path__in=paths)}
    for path in reversed(paths):
        if path in places:
            users = users_holding(Perm.MANAGE_CENTRES, place_id=places[path])
            if users:
                return sorted(users, key=lambda user: user.pk)
    return []


def _booking_url(booking: Booking, user: Any) -> str:
    if is_staff(user):
        return reverse("centres:booking-detail", args=[booking.pk])
    return reverse("centres_public:mine")


def _notify_managers(booking: Booking) -> None:
    from gridwork.notifications.services import notification_send

    centre = booking.room.centre
    recipients = centre_managers(centre)
    text = _("Booking %(number)s of %(room)s on %(when)s waits for your approval.") % {
        "number": booking.number,
        "room": f"{centre.name} · {booking.room.name}",
        "when": timezone.localtime(booking.starts_at).strftime("%Y-%m-%d %H:%M"),
    }
    url = reverse("centres:booking-detail", args=[booking.pk])
    transaction.on_commit(lambda: notification_send(recipients=recipients, text=text, url=url))


def _notify_booker(booking: Booking, *, actor: Any, text: str = "") -> None:
    from gridwork.notifications.services import notification_send

    booker = booking.booker
    if not booker.is_active or (actor is not None and getattr(actor, "pk", None) == booker.pk):
        return
    if text:
        url = _booking_url(booking, booker)
        transaction.on_commit(lambda: notification_send(recipients=[booker], text=text, url=url))
        return
    values = {
        "number": booking.number,
        "room": f"{booking.room.centre.name} · {booking.room.name}",
        "when": timezone.localtime(booking.starts_at).strftime("%Y-%m-%d %H:%M"),
        "reason": booking.decision_note,
    }
    if booking.state == BookingState.CONFIRMED:
        text = _("Your booking %(number)s of %(room)s on %(when)s is approved.") % values
    elif booking.state == BookingState.REFUSED:
        text = _("Your booking %(number)s of %(room)s on %(when)s is refused: %(reason)s") % values
    else:
        text = _("Your booking %(number)s of %(room)s on %(when)s was cancelled by the centre.") % values
    url = _booking_url(booking, booker)
    transaction.on_commit(lambda: notification_send(recipients=[booker], text=text, url=url))


# --- centres and rooms --------------------------------------------------------------------------------------------


@dataclass
class CentreInput:
    """What a centre's form gives: ``opening_hours`` as stored (see ``centres.hours``), ``functions`` as
    ``CentreFunction`` values."""

    name: str
    kind: str
    place: Any
    address: str
    phone: str = ""
    opening_hours: dict[str, Any] = field(default_factory=dict)
    functions: list[str] = field(default_factory=list)
    requires_approval: bool = False
    is_active: bool = True
    latitude: float | None = None
    longitude: float | None = None


def _centre_errors(actor: Any, values: CentreInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not values.name.strip():
        errors["name"] = [_("Give the centre's name.")]
    elif len(values.name.strip()) > MAX_NAME:
        errors["name"] = [_("At most %(count)d characters.") % {"count": MAX_NAME}]
    if values.kind not in CentreKind.values:
        errors["kind"] = [_("Choose the kind of centre.")]
    place = values.place
    if not isinstance(place, Place):
        errors["place"] = [_("Choose the place the centre serves.")]
    elif values.kind in KIND_LEVELS and place.level not in KIND_LEVELS[values.kind]:
        levels = ", ".join(str(PlaceLevel(level).label) for level in sorted(KIND_LEVELS[values.kind]))
        errors["place"] = [_("A centre of this kind serves a place of level: %(levels)s.") % {"levels": levels}]
    elif not holds_over(actor, Perm.MANAGE_CENTRES, place):
        errors["place"] = [_("This place is outside the units you manage.")]
    if not values.address.strip():
        errors["address"] = [_("Give the centre's address.")]
    elif len(values.address.strip()) > MAX_ADDRESS:
        errors["address"] = [_("At most %(count)d characters.") % {"count": MAX_ADDRESS}]
    if values.phone.strip() and not PHONE_RE.match(values.phone.strip()):
        errors["phone"] = [_("A phone number has digits only (and + - ( ) or spaces).")]
    unknown = [code for code in values.functions if code not in CentreFunction.values]
    if unknown:
        errors["functions"] = [_("Choose functions from the lists.")]
    for key, periods in values.opening_hours.items():
        if key not in hours.WEEKDAYS:
            errors.setdefault("opening_hours", []).append(_("Unknown day: %(day)s.") % {"day": key})
            continue
        try:
            hours.parse_day(hours.format_day(periods))
        except ValueError as error:
            errors.setdefault(f"hours_{key}", []).append(str(error))
    if (values.latitude is None) != (values.longitude is None):
        errors["latitude"] = [_("Give both the latitude and the longitude, or neither.")]
    elif values.latitude is not None and values.longitude is not None:
        if not (-90 <= values.latitude <= 90):
            errors["latitude"] = [_("A latitude lies between -90 and 90.")]
        if not (-180 <= values.longitude <= 180):
            errors["longitude"] = [_("A longitude lies between -180 and 180.")]
    return errors


def _centre_fields(values: CentreInput) -> dict[str, Any]:
    return {
        "name": values.name.strip(),
        "kind": values.kind,
        "place": values.place,
        "address": values.address.strip(),
        "phone": values.phone.strip(),
        "opening_hours": {key: values.opening_hours.get(key, []) for key in hours.WEEKDAYS},
        "functions": [code for code in CentreFunction.values if code in set(values.functions)],
        "requires_approval": values.requires_approval,
        "is_active": values.is_active,
        "latitude": values.latitude,
        "longitude": values.longitude,
    }


def centre_create(*, actor: Any, values: CentreInput) -> Centre:
    """A new centre serving a place the actor manages (MANAGE_CENTRES there or above); audited."""
    errors = _centre_errors(actor, values)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        centre = Centre.objects.create(**_centre_fields(values))
        audit_record(actor=actor, action="centres.centre_create", target=centre, detail={"place": centre.place.code})
    return centre


def centre_update(*, actor: Any, centre: Centre, values: CentreInput) -> Centre:
    """Change a centre the actor manages, within the places they manage; audited with the fields changed. Hours
    changed later do not touch bookings already made."""
    if not manages_centre(actor, centre):
        raise PermissionDenied(_("This centre is outside the units you manage."))
    errors = _centre_errors(actor, values)
    if errors:
        raise ValidationError(errors)
    changes = {
        name: value
        for name, value in _centre_fields(values).items()
        if (getattr(centre, f"{name}_id") != value.pk if name == "place" else getattr(centre, name) != value)
    }
    if not changes:
        return centre
    with transaction.atomic():
        for name, value in changes.items():
            setattr(centre, name, value)
        centre.save(update_fields=list(changes))
        audit_record(actor=actor, action="centres.centre_update", target=centre, detail={"fields": sorted(changes)})
    return centre


@dataclass
class RoomInput:
    name: str
    capacity: Any
    equipment: list[str] = field(default_factory=list)
    bookable: bool = True


def _room_errors(centre: Centre, values: RoomInput, *, exclude: int | None = None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    name = values.name.strip()
    if not name:
        errors["name"] = [_("Give the room's name.")]
    elif len(name) > MAX_ROOM_NAME:
        errors["name"] = [_("At most %(count)d characters.") % {"count": MAX_ROOM_NAME}]
    elif Room.objects.filter(centre=centre, name=name).exclude(pk=exclude or 0).exists():
        errors["name"] = [_("The centre has a room of this name already.")]
    capacity = values.capacity
    if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1:
        errors["capacity"] = [_("At least one person.")]
    elif capacity > MAX_CAPACITY:
        errors["capacity"] = [_("At most %(count)d people.") % {"count": MAX_CAPACITY}]
    if len(values.equipment) > MAX_EQUIPMENT or any(len(item) > 60 for item in values.equipment):
        errors["equipment"] = [_("At most %(count)d items, each of 60 characters at most.") % {"count": MAX_EQUIPMENT}]
    return errors


def _equipment(values: RoomInput) -> list[str]:
    seen: list[str] = []
    for item in values.equipment:
        if item.strip() and item.strip() not in seen:
            seen.append(item.strip())
    return seen


def room_create(*, actor: Any, centre: Centre, values: RoomInput) -> Room:
    """A room of a centre the actor manages; audited."""
    if not manages_centre(actor, centre):
        raise PermissionDenied(_("This centre is outside the units you manage."))
    errors = _room_errors(centre, values)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            room = Room.objects.create(
                centre=centre,
                name=values.name.strip(),
                capacity=values.capacity,
                equipment=_equipment(values),
                bookable=values.bookable,
            )
            audit_record(actor=actor, action="centres.room_create", target=room, detail={"centre": centre.pk})
    except IntegrityError:
        raise ValidationError({"name": [_("The centre has a room of this name already.")]}) from None
    return room


def room_update(*, actor: Any, room: Room, values: RoomInput) -> Room:
    """Change a room of a centre the actor manages; audited. A smaller capacity leaves bookings already made."""
    if not manages_centre(actor, room.centre):
        raise PermissionDenied(_("This centre is outside the units you manage."))
    errors = _room_errors(room.centre, values, exclude=room.pk)
    if errors:
        raise ValidationError(errors)
    fields = {
        "name": values.name.strip(),
        "capacity": values.capacity,
        "equipment": _equipment(values),
        "bookable": values.bookable,
    }
    changes = {name: value for name, value in fields.items() if getattr(room, name) != value}
    if not changes:
        return room
    try:
        with transaction.atomic():
            for name, value in changes.items():
                setattr(room, name, value)
            room.save(update_fields=list(changes))
            audit_record(actor=actor, action="centres.room_update", target=room, detail={"fields": sorted(changes)})
    except IntegrityError:
        raise ValidationError({"name": [_("The centre has a room of this name already.")]}) from None
    return room


def booker_display(booking: Booking) -> str:
    """Who the booking is for, without a person's name: the unit's or organisation's name, or the kind."""
    if booking.booker_kind == BookerKind.UNIT and booking.unit is not None:
        return booking.unit.name
    if booking.booker_kind == BookerKind.ORGANISATION and booking.organisation_name:
        return booking.organisation_name
    return str(BookerKind(booking.booker_kind).label)
