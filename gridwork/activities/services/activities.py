"""Creating, cancelling and recording activities: the room booked in the same step, the check-in code, the minutes
and photos afterwards.

``activity_create`` books the room (``centres.services.booking_create``) and saves the activity in one transaction: a
slot already held is the form's field error and nothing is saved, neither the booking nor the activity. The actor
needs MANAGE_CENTRES over the community or street that runs the activity.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import IO, Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.activities.flows import ACTIVITY_FLOW, ActivityAction
from gridwork.activities.models import (
    PARTY_KINDS,
    Activity,
    ActivityKind,
    ActivityPhoto,
    ActivityState,
    Audience,
)
from gridwork.audit.services import audit_record
from gridwork.common.evidence import PHOTO, EvidenceRejected, clean_evidence
from gridwork.common.flows import flow_move, flow_start
from gridwork.common.numbering import next_number
from gridwork.common.scope import holds_over
from gridwork.places.codes import ancestor_paths
from gridwork.places.models import Place, PlaceLevel

RETRIES = 5
MAX_TITLE = 120
MAX_DESCRIPTION = 4000
MAX_LOCATION = 200
MAX_MINUTES = 20000
MAX_DURATION = timedelta(days=3)
MAX_PHOTOS_PER_ACTIVITY = 30
TOKEN_BYTES = 24
RUNNING_LEVELS = (PlaceLevel.COMMUNITY, PlaceLevel.STREET)
# Booking errors named after the booking's fields, put on the activity form's fields.
BOOKING_FIELDS = {"purpose": "title", "room": "room", "starts_at": "starts_at", "ends_at": "ends_at"}


holds = holds_over  # the name the selectors import; the rule is common.scope.holds_over


def require_manage(actor: Any, activity: Activity) -> None:
    if not holds_over(actor, Perm.MANAGE_CENTRES, activity.place):
        raise PermissionDenied(_("This activity is outside the units you may manage."))


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def checkin_url(activity: Activity) -> str:
    """The path of the activity's check-in link (the QR code carries it with the site's address)."""
    return reverse("activities_public:check-in", args=[activity.checkin_token])


def activity_next_number(year: int) -> str:
    """活-YYYY-NNNNNN: the year's highest number plus one, the year's numbers locked until the transaction ends
    (``next_number``; a clash still retries with the next one: no gaps)."""
    return next_number(Activity, prefix=f"活-{year}-", width=6)


def bookable_rooms(actor: Any) -> QuerySet[Any]:
    """The rooms an activity of the actor's units may be held in: the bookable rooms of open centres in the units
    where the actor runs activities, and of the centres above them (the street's centre for a community)."""
    from gridwork.centres.models import Room

    paths = actor.scope_paths(Perm.MANAGE_CENTRES) if getattr(actor, "is_authenticated", False) else []
    condition = Q(pk__in=[])
    ancestors: set[str] = set()
    for path in paths:
        condition |= Q(centre__place__path__startswith=path)
        ancestors.update(ancestor_paths(path, include_self=True))
    if ancestors:
        condition |= Q(centre__place__path__in=sorted(ancestors))
    return (
        Room.objects.filter(condition, bookable=True, centre__is_active=True)
        .select_related("centre", "centre__place")
        .order_by("centre__place__path", "centre__name", "name")
    )


def organiser_choices(place: Place) -> QuerySet[Any]:
    """The party organisations that may organise an activity run by ``place``: those serving it or a place under it."""
    from gridwork.party.models import PartyOrganisation

    return PartyOrganisation.objects.filter(place__path__startswith=place.path).order_by("code")


def _errors(
    *,
    place: Place,
    title: str,
    kind: str,
    description: str,
    organiser: Any,
    starts_at: datetime | None,
    ends_at: datetime | None,
    audience: str,
    signup_limit: int | None,
    location: str,
    room: Any,
    attendees: int | None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if place.level not in RUNNING_LEVELS:
        add("place", _("An activity is run by a community or a street."))
    if not title.strip():
        add("title", _("Give the activity a title."))
    elif len(title.strip()) > MAX_TITLE:
        add("title", _("Keep the title to %(max)d characters.") % {"max": MAX_TITLE})
    if kind not in ActivityKind.values:
        add("kind", _("Choose the kind of activity."))
    if len(description) > MAX_DESCRIPTION:
        add("description", _("Keep the description to %(max)d characters.") % {"max": MAX_DESCRIPTION})
    if audience not in Audience.values:
        add("audience", _("Choose who may take part."))
    if kind in PARTY_KINDS and organiser is None:
        add("organiser", _("三会一课 and theme party days are organised by a party organisation: choose it."))
    if organiser is not None and not organiser.place.path.startswith(place.path):
        add("organiser", _("Choose a party organisation of %(place)s.") % {"place": place.name})
    if audience == Audience.PARTY_MEMBERS and organiser is None:
        add("audience", _("An activity for the party members of the organiser needs an organising party organisation."))
    if starts_at is None:
        add("starts_at", _("Say when the activity starts."))
    if ends_at is None:
        add("ends_at", _("Say when the activity ends."))
    if starts_at is not None and ends_at is not None:
        if ends_at <= starts_at:
            add("ends_at", _("The activity must end after it starts."))
        elif ends_at - starts_at > MAX_DURATION:
            add("ends_at", _("An activity lasts at most three days; make several for a longer one."))
    if signup_limit is not None and signup_limit <= 0:
        add("signup_limit", _("The sign-up limit is a number above zero, or empty for no limit."))
    if room is None and not location.strip():
        add("location", _("Book a room, or say where the activity is held."))
    if len(location) > MAX_LOCATION:
        add("location", _("Keep the place to %(max)d characters.") % {"max": MAX_LOCATION})
    if room is not None:
        if attendees is None or attendees <= 0:
            add("attendees", _("Say how many people are expected: the room must hold them."))
        elif signup_limit is not None and signup_limit > room.capacity:
            add(
                "signup_limit",
                _("%(room)s holds %(capacity)d people: lower the sign-up limit or book a larger room.")
                % {"room": room.name, "capacity": room.capacity},
            )
    return errors


def _booking_errors(error: ValidationError) -> ValidationError:
    """A booking's refusal on the activity form's fields (its purpose is the activity's title)."""
    if not hasattr(error, "error_dict"):
        return ValidationError({"room": error.messages})
    return ValidationError({BOOKING_FIELDS.get(name, name): messages for name, messages in error.message_dict.items()})


def activity_create(
    *,
    actor: Any,
    place: Place,
    title: str,
    kind: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    audience: str,
    description: str = "",
    organiser: Any = None,
    signup_limit: int | None = None,
    location: str = "",
    room: Any = None,
    attendees: int | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    at: datetime | None = None,
) -> Activity:
    """Create an activity run by ``place`` (a community or a street); with ``room``, book it for the activity's time
    in the same transaction (a slot already held: a field error, nothing saved)."""
    if not holds_over(actor, Perm.MANAGE_CENTRES, place):
        raise PermissionDenied(_("This place is outside the units you may manage."))
    errors = _errors(
        place=place,
        title=title,
        kind=kind,
        description=description,
        organiser=organiser,
        starts_at=starts_at,
        ends_at=ends_at,
        audience=audience,
        signup_limit=signup_limit,
        location=location,
        room=room,
        attendees=attendees,
    )
    if room is not None and not bookable_rooms(actor).filter(pk=room.pk).exists():
        errors.setdefault("room", []).append(_("Choose a bookable room of your units' centres."))
    if errors:
        raise ValidationError(errors)
    assert starts_at is not None
    assert ends_at is not None
    at = at or timezone.now()
    year = timezone.localtime(at).year
    community = place if place.level == PlaceLevel.COMMUNITY else None
    for remaining in range(RETRIES, 0, -1):
        try:
            with transaction.atomic():
                number = activity_next_number(year)
                booking = None
                if room is not None:
                    booking = _book(
                        actor=actor,
                        room=room,
                        starts_at=starts_at,
                        ends_at=ends_at,
                        title=title.strip(),
                        attendees=attendees or 1,
                        contact_name=contact_name,
                        contact_phone=contact_phone,
                        at=at,
                    )
                activity = Activity(
                    number=number,
                    title=title.strip(),
                    kind=kind,
                    description=description.strip(),
                    place=place,
                    community=community,
                    organiser=organiser,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    booking=booking,
                    location=location.strip() or (str(room) if room is not None else ""),
                    audience=audience,
                    signup_limit=signup_limit,
                    checkin_token=new_token(),
                    created_by=actor,
                    created_at=at,
                )
                data: dict[str, Any] = {"place": place.code, "kind": kind}
                if booking is not None:
                    data["booking"] = booking.number
                flow_start(activity, flow=ACTIVITY_FLOW, actor=actor, data=data, at=at)
            return activity
        except IntegrityError:
            if remaining == 1 or not Activity.objects.filter(number=number).exists():
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _book(
    *,
    actor: Any,
    room: Any,
    starts_at: datetime,
    ends_at: datetime,
    title: str,
    attendees: int,
    contact_name: str,
    contact_phone: str,
    at: datetime,
) -> Any:
    from gridwork.centres.models import BookerKind
    from gridwork.centres.services import booking_create

    try:
        return booking_create(
            actor=actor,
            room=room,
            starts_at=starts_at,
            ends_at=ends_at,
            booker_kind=BookerKind.STAFF,
            purpose=title,
            attendees=attendees,
            contact_name=contact_name.strip() or (getattr(actor, "full_name", "") or actor.get_username()),
            contact_phone=contact_phone.strip() or (getattr(actor, "phone", "") or ""),
            at=at,
        )
    except ValidationError as error:
        raise _booking_errors(error) from error


def activity_cancel(
    *, actor: Any, activity: Activity, expected_version: int, reason: str, at: datetime | None = None
) -> Activity:
    """Cancel a planned activity (why: told to those signed up), and its room booking with it: the booking is
    cancelled on behalf of the activity (``centres.services.booking_cancel_for_activity``), so the cancellation
    never fails half-way because the booker alone could not cancel the booking (it has begun, a colleague booked
    it, or it is in the street's centre)."""
    require_manage(actor, activity)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the activity is cancelled: those signed up are told.")})
    at = at or timezone.now()
    with transaction.atomic():
        flow_move(
            activity,
            flow=ACTIVITY_FLOW,
            action=ActivityAction.CANCEL,
            actor=actor,
            note=reason[:1000],
            expected_version=expected_version,
            at=at,
        )
        booking = activity.booking
        if booking is not None:
            from gridwork.centres.services import booking_cancel_for_activity

            # The activity's room is freed on its behalf, whoever booked it and whatever the booker alone may do.
            activity.booking = booking_cancel_for_activity(
                actor=actor, booking=booking, activity_number=activity.number, reason=reason, at=at
            )
        _tell_signed_up(
            activity,
            _("%(title)s on %(day)s is cancelled: %(reason)s")
            % {
                "title": activity.title,
                "day": f"{timezone.localtime(activity.starts_at):%Y-%m-%d %H:%M}",
                "reason": reason,
            },
        )
    return activity


def _tell_signed_up(activity: Activity, text: str) -> None:
    from gridwork.accounts.models import User

    recipients = list(
        User.objects.filter(activity_signups__activity=activity, activity_signups__cancelled_at__isnull=True)
    )
    url = reverse("activities_public:detail", args=[activity.pk])

    def send() -> None:
        from gridwork.notifications.services import notification_send

        notification_send(recipients=recipients, text=text, url=url)

    transaction.on_commit(send)


def activity_rotate_token(
    *, actor: Any, activity: Activity, expected_version: int, at: datetime | None = None
) -> Activity:
    """A new check-in code: the old QR link stops working at once (a photo of the screen shared outside the room)."""
    require_manage(actor, activity)
    flow_move(
        activity,
        flow=ACTIVITY_FLOW,
        action=ActivityAction.ROTATE_TOKEN,
        actor=actor,
        changes={"checkin_token": new_token()},
        expected_version=expected_version,
        at=at,
    )
    return activity


def activity_record_minutes(
    *,
    actor: Any,
    activity: Activity,
    minutes: str,
    expected_version: int,
    photos: Sequence[IO[bytes]] = (),
    at: datetime | None = None,
) -> Activity:
    """Record (or amend) the minutes once the activity has begun, with photos; the activity is then held."""
    require_manage(actor, activity)
    at = at or timezone.now()
    minutes = minutes.strip()
    errors: dict[str, list[str]] = {}
    if not minutes:
        errors["minutes"] = [_("Write the minutes: who came, what was discussed and decided.")]
    elif len(minutes) > MAX_MINUTES:
        errors["minutes"] = [_("Keep the minutes to %(max)d characters.") % {"max": MAX_MINUTES}]
    if at < activity.starts_at:
        errors.setdefault(NON_FIELD_ERRORS, []).append(_("The minutes are recorded once the activity has begun."))
    cleaned, photo_errors = _clean_photos(activity, photos)
    if photo_errors:
        errors["photos"] = photo_errors
    if errors:
        raise ValidationError(errors)
    amending = activity.state == ActivityState.HELD
    with transaction.atomic():
        flow_move(
            activity,
            flow=ACTIVITY_FLOW,
            action=ActivityAction.RECORD_MINUTES,
            actor=actor,
            changes={"minutes": minutes, "minutes_recorded_at": at, "minutes_recorded_by": actor},
            data={"amended": amending, "photos": len(cleaned)},
            expected_version=expected_version,
            at=at,
        )
        _save_photos(activity, cleaned, actor=actor, at=at)
    return activity


def _clean_photos(activity: Activity, photos: Sequence[IO[bytes]]) -> tuple[list[Any], list[str]]:
    errors: list[str] = []
    cleaned = []
    if photos and activity.photos.count() + len(photos) > MAX_PHOTOS_PER_ACTIVITY:
        return [], [_("An activity keeps at most %(max)d photos.") % {"max": MAX_PHOTOS_PER_ACTIVITY}]
    for upload in photos:
        name = getattr(upload, "name", "") or ""
        try:
            evidence = clean_evidence(upload, original_name=name)
        except EvidenceRejected as rejected:
            errors.append(str(rejected))
            continue
        if evidence.kind != PHOTO:
            errors.append(_("%(name)s is not a photo (JPEG, PNG or WEBP).") % {"name": name or _("the file")})
            continue
        cleaned.append(evidence)
    return cleaned, errors


def _save_photos(activity: Activity, cleaned: list[Any], *, actor: Any, at: datetime) -> None:
    for evidence in cleaned:
        photo = ActivityPhoto(
            activity=activity,
            content_type=evidence.content_type,
            size=len(evidence.content),
            created_by=actor,
            created_at=at,
        )
        photo.file.save(evidence.name, ContentFile(evidence.content), save=False)
        photo.save()


def activity_add_photos(
    *, actor: Any, activity: Activity, photos: Sequence[IO[bytes]], at: datetime | None = None
) -> list[ActivityPhoto]:
    """Add photos to an activity that has begun (without touching its minutes); audited."""
    require_manage(actor, activity)
    at = at or timezone.now()
    if activity.state == ActivityState.CANCELLED:
        raise ValidationError({"photos": [_("The activity was cancelled.")]})
    if at < activity.starts_at:
        raise ValidationError({"photos": [_("Photos are added once the activity has begun.")]})
    if not photos:
        raise ValidationError({"photos": [_("Choose at least one photo.")]})
    cleaned, errors = _clean_photos(activity, photos)
    if errors:
        raise ValidationError({"photos": errors})
    with transaction.atomic():
        before = set(activity.photos.values_list("pk", flat=True))
        _save_photos(activity, cleaned, actor=actor, at=at)
        audit_record(actor=actor, action="activities.add_photos", target=activity, detail={"photos": len(cleaned)})
    return list(activity.photos.exclude(pk__in=before))
