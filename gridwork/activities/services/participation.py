"""Taking part in an activity: who may (its audience), signing up within the limit, cancelling a sign-up, and
checking in — by scanning the activity's QR code, or by hand at the door.

The sign-up limit holds under concurrency: the activity's counter (``signed_up``) is raised by one conditional
``UPDATE … WHERE signed_up < signup_limit`` in the sign-up's transaction (the database makes simultaneous updates of the
row wait for each other and re-checks the condition), backed by a check constraint; the sign-up row is unique per
person while open. A check-in is unique per person and activity in the database: a second scan says when the first
one was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.activities.models import (
    Activity,
    ActivityState,
    Audience,
    CheckIn,
    CheckInMethod,
    ParticipantKind,
    SignUp,
)
from gridwork.activities.services.activities import require_manage
from gridwork.places.models import Place

CHECKIN_OPENS_BEFORE = timedelta(minutes=60)
MAX_NAME = 100


class CheckInRefused(Exception):
    """The person may not check in now (the message says why)."""


class UnknownCode(Exception):
    """No activity has this check-in code (a wrong link, or a code made obsolete by a new one)."""


@dataclass(frozen=True)
class Standing:
    """Whether a person may take part in an activity, as whom, and if not, why."""

    allowed: bool
    kind: str = ParticipantKind.OTHER
    name: str = ""
    reason: str = ""


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _within(place: Place | None, activity: Activity) -> bool:
    return place is not None and place.path.startswith(activity.place.path)


def organisation_subtree_ids(organisation: Any) -> list[int]:
    """The organisation and every organisation under it (its party groups, their central households)."""
    from gridwork.party.models import PartyOrganisation

    ids = [organisation.pk]
    frontier = [organisation.pk]
    while frontier:
        frontier = list(PartyOrganisation.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


def _party_member_of_organiser(user: Any, activity: Activity) -> Any:
    from gridwork.party.models import PartyMember

    phone = getattr(user, "phone", "") or ""
    if activity.organiser_id is None or not phone:
        return None
    return (
        PartyMember.objects.filter(organisation_id__in=organisation_subtree_ids(activity.organiser), phone=phone)
        .order_by("pk")
        .first()
    )


def _display_name(user: Any, *candidates: str) -> str:
    for name in candidates:
        if name:
            return name[:MAX_NAME]
    return (getattr(user, "full_name", "") or user.get_username())[:MAX_NAME]


def participant_standing(user: Any, activity: Activity) -> Standing:
    """Whether ``user`` may sign up for and check in to ``activity`` by its audience: anyone signed in (open); the
    residents (by their household) and the registered party members (双报到) of the community or street that runs it;
    or the party members of the organiser (on its roll or its groups', by the account's phone) and the members
    registered in the community."""
    from gridwork.mediation.services.applications import is_resident, resident_home_community
    from gridwork.party.selectors import member_registration_of

    if not getattr(user, "is_authenticated", False):
        return Standing(False, reason=_("Sign in first."))
    registration = member_registration_of(user)
    home = resident_home_community(user)
    party_member = _party_member_of_organiser(user, activity)
    resident = getattr(user, "resident", None) if is_resident(user) else None
    name = _display_name(
        user,
        party_member.name if party_member is not None else "",
        registration.name if registration is not None else "",
        resident.name if resident is not None else "",
    )
    registered_here = registration is not None and _within(registration.community, activity)
    if activity.audience == Audience.OPEN:
        if party_member is not None:
            kind = ParticipantKind.PARTY_MEMBER
        elif registration is not None:
            kind = ParticipantKind.MEMBER
        elif is_resident(user):
            kind = ParticipantKind.RESIDENT
        elif getattr(user, "is_staff_member", False):
            kind = ParticipantKind.STAFF
        else:
            kind = ParticipantKind.OTHER
        return Standing(True, kind, name)
    if activity.audience == Audience.COMMUNITY:
        if _within(home, activity):
            return Standing(True, ParticipantKind.RESIDENT, name)
        if registered_here:
            return Standing(True, ParticipantKind.MEMBER, name)
        if party_member is not None:
            return Standing(True, ParticipantKind.PARTY_MEMBER, name)
        elsewhere = home or (registration.community if registration is not None else None)
        if elsewhere is not None:
            reason = _(
                "This activity is for the residents and registered party members of %(place)s; you belong to %(other)s."
            ) % {"place": activity.place.name, "other": elsewhere.name}
        else:
            reason = _(
                "This activity is for the residents and registered party members of %(place)s; your account is not "
                "linked to a household there, nor registered there as a party member."
            ) % {"place": activity.place.name}
        return Standing(False, reason=reason)
    # Party members of the organiser.
    if party_member is not None:
        return Standing(True, ParticipantKind.PARTY_MEMBER, name)
    if registered_here:
        return Standing(True, ParticipantKind.MEMBER, name)
    organiser = activity.organiser.name if activity.organiser is not None else activity.place.name
    if registration is not None:
        reason = _(
            "This activity is for the party members of %(organiser)s; you are registered as a party member in "
            "%(other)s."
        ) % {"organiser": organiser, "other": registration.community.name}
    else:
        reason = _(
            "This activity is for the party members of %(organiser)s; your account's phone is not on its roll, nor "
            "are you registered there as a party member."
        ) % {"organiser": organiser}
    return Standing(False, reason=reason)


def publicly_visible(user: Any, activity: Activity) -> bool:
    """Whether the public pages show ``activity`` to ``user``. An activity for the organiser's party members (a
    支委会, a branch's 主题党日) is internal: only those it is for — and anyone already signed up or checked in — see
    it; everything else is shown to anyone (refusals to sign up then say why)."""
    if activity.audience != Audience.PARTY_MEMBERS:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if open_signup(user, activity) is not None or CheckIn.objects.filter(activity=activity, user=user).exists():
        return True
    return participant_standing(user, activity).allowed


# --- signing up ---------------------------------------------------------------------------------------------------


def open_signup(user: Any, activity: Activity) -> SignUp | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return SignUp.objects.filter(activity=activity, user=user, cancelled_at__isnull=True).first()


def signup_create(*, user: Any, activity: Activity, at: datetime | None = None) -> SignUp:
    """Sign ``user`` up for ``activity``: before it starts, within its audience and its limit, once."""
    at = at or timezone.now()
    standing = participant_standing(user, activity)
    if activity.state != ActivityState.PLANNED:
        raise ValidationError({NON_FIELD_ERRORS: [_("This activity is no longer open for sign-up.")]})
    if at >= activity.starts_at:
        raise ValidationError({NON_FIELD_ERRORS: [_("Sign-up closed when the activity started.")]})
    if not standing.allowed:
        raise ValidationError({NON_FIELD_ERRORS: [standing.reason]})
    already = _("You are already signed up for this activity.")
    if open_signup(user, activity) is not None:
        raise ValidationError({NON_FIELD_ERRORS: [already]})
    with transaction.atomic():
        room = Q(signup_limit__isnull=True) | Q(signed_up__lt=F("signup_limit"))
        raised = Activity.objects.filter(room, pk=activity.pk, state=ActivityState.PLANNED).update(
            signed_up=F("signed_up") + 1
        )
        if not raised:
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: [
                        _("This activity is full: all %(limit)d places are taken.")
                        % {"limit": activity.signup_limit or 0}
                    ]
                }
            )
        try:
            with transaction.atomic():
                signup = SignUp.objects.create(
                    activity=activity, user=user, name=standing.name, kind=standing.kind, signed_up_at=at
                )
        except IntegrityError as error:
            raise ValidationError({NON_FIELD_ERRORS: [already]}) from error
    activity.refresh_from_db(fields=["signed_up"])
    return signup


def signup_cancel(*, user: Any, activity: Activity, at: datetime | None = None) -> SignUp:
    """Give up one's place before the activity starts (the place is free again)."""
    at = at or timezone.now()
    signup = open_signup(user, activity)
    if signup is None:
        raise ValidationError({NON_FIELD_ERRORS: [_("You are not signed up for this activity.")]})
    if at >= activity.starts_at:
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("The activity has started: the sign-up can no longer be cancelled.")]}
        )
    with transaction.atomic():
        if not SignUp.objects.filter(pk=signup.pk, cancelled_at__isnull=True).update(cancelled_at=at):
            raise ValidationError({NON_FIELD_ERRORS: [_("You are not signed up for this activity.")]})
        Activity.objects.filter(pk=activity.pk, signed_up__gt=0).update(signed_up=F("signed_up") - 1)
    signup.cancelled_at = at
    activity.refresh_from_db(fields=["signed_up"])
    return signup


# --- checking in --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckInOutcome:
    checkin: CheckIn
    already: bool


def checkin_window_refusal(activity: Activity, at: datetime) -> str:
    """Why nobody can check in now by the QR code, or "" while the activity is on (an hour before it starts to its
    end)."""
    if activity.state == ActivityState.CANCELLED:
        return _("This activity was cancelled.")
    opens = activity.starts_at - CHECKIN_OPENS_BEFORE
    if at < opens:
        return _("Check-in opens at %(opens)s, an hour before the activity starts.") % {"opens": _local(opens)}
    if at > activity.ends_at:
        return _("The activity ended at %(end)s: check-in is closed.") % {"end": _local(activity.ends_at)}
    return ""


def already_message(checkin: CheckIn) -> str:
    return _("You are already checked in, at %(at)s.") % {"at": _local(checkin.at)}


def activity_by_code(token: str) -> Activity:
    activity = (
        Activity.objects.select_related("place", "organiser", "booking__room__centre")
        .filter(checkin_token=token)
        .first()
        if token
        else None
    )
    if activity is None:
        raise UnknownCode
    return activity


def _scan_refusal(user: Any, activity: Activity, at: datetime) -> tuple[str, Standing]:
    """Why ``user`` may not check in by the QR code now ("" when they may), and their standing. An activity with a
    sign-up limit admits by the code only those signed up: the limit is the room's, and a code shared outside the
    room must not fill it past the limit (staff still check in a walk-in by hand at the door)."""
    refusal = checkin_window_refusal(activity, at)
    if refusal:
        return refusal, Standing(False, reason=refusal)
    standing = participant_standing(user, activity)
    if not standing.allowed:
        return standing.reason, standing
    if activity.signup_limit is not None and open_signup(user, activity) is None:
        reason = _("This activity has %(limit)d places and you are not signed up: ask the organiser at the door.") % {
            "limit": activity.signup_limit
        }
        return reason, Standing(False, reason=reason)
    return "", standing


@dataclass(frozen=True)
class CheckInPreview:
    """What the check-in link's page shows before the person confirms: the check-in already made, or why they may
    not check in now, or neither (they may)."""

    activity: Activity
    existing: CheckIn | None = None
    refusal: str = ""


def checkin_preview(*, user: Any, token: str, at: datetime | None = None) -> CheckInPreview:
    """The check-in link opened (GET): nothing is written — the person confirms with a POST (``checkin_scan``), so a
    link preview, a prefetch or another site's page cannot check anyone in."""
    at = at or timezone.now()
    activity = activity_by_code(token)
    existing = CheckIn.objects.filter(activity=activity, user=user).first()
    if existing is not None:
        return CheckInPreview(activity, existing=existing)
    refusal, _standing = _scan_refusal(user, activity, at)
    return CheckInPreview(activity, refusal=refusal)


def checkin_scan(*, user: Any, token: str, at: datetime | None = None) -> CheckInOutcome:
    """Check ``user`` in to the activity whose QR code carries ``token``: while it is on, within its audience, once
    (a second scan returns the first check-in with ``already``)."""
    at = at or timezone.now()
    activity = activity_by_code(token)
    if not getattr(user, "is_authenticated", False):
        raise CheckInRefused(_("Sign in first."))
    existing = CheckIn.objects.filter(activity=activity, user=user).first()
    if existing is not None:
        return CheckInOutcome(existing, already=True)
    refusal, standing = _scan_refusal(user, activity, at)
    if refusal:
        raise CheckInRefused(refusal)
    try:
        with transaction.atomic():
            checkin = CheckIn.objects.create(
                activity=activity, user=user, name=standing.name, kind=standing.kind, method=CheckInMethod.QR, at=at
            )
    except IntegrityError:
        existing = CheckIn.objects.filter(activity=activity, user=user).first()
        if existing is None:
            raise
        return CheckInOutcome(existing, already=True)
    return CheckInOutcome(checkin, already=False)


def checkin_by_hand(
    *,
    actor: Any,
    activity: Activity,
    signup: SignUp | None = None,
    name: str = "",
    kind: str = ParticipantKind.OTHER,
    at: datetime | None = None,
) -> CheckIn:
    """Staff check someone in at the door: a person signed up (``signup``), or someone without an account named by
    ``name``. From an hour before the start on, also after the end (recording afterwards); once per person."""
    require_manage(actor, activity)
    at = at or timezone.now()
    if activity.state == ActivityState.CANCELLED:
        raise ValidationError({NON_FIELD_ERRORS: [_("This activity was cancelled.")]})
    opens = activity.starts_at - CHECKIN_OPENS_BEFORE
    if at < opens:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    _("Check-in opens at %(opens)s, an hour before the activity starts.") % {"opens": _local(opens)}
                ]
            }
        )
    if signup is not None:
        if signup.activity_id != activity.pk or signup.cancelled_at is not None:
            raise PermissionDenied(_("This sign-up is not one of this activity's."))
        existing = CheckIn.objects.filter(activity=activity, user=signup.user).first()
        if existing is not None:
            raise ValidationError(
                {
                    "signup": [
                        _("%(name)s is already checked in, at %(at)s.")
                        % {"name": signup.name, "at": _local(existing.at)}
                    ]
                }
            )
        values: dict[str, Any] = {"user": signup.user, "name": signup.name, "kind": signup.kind}
    else:
        name = name.strip()
        if not name:
            raise ValidationError({"name": [_("Choose a person signed up, or write the name of who came.")]})
        if len(name) > MAX_NAME:
            raise ValidationError({"name": [_("Keep the name to %(max)d characters.") % {"max": MAX_NAME}]})
        if kind not in ParticipantKind.values:
            raise ValidationError({"kind": [_("Choose as whom the person takes part.")]})
        if CheckIn.objects.filter(activity=activity, user__isnull=True, name=name).exists():
            raise ValidationError({"name": [_("%(name)s is already checked in.") % {"name": name}]})
        values = {"user": None, "name": name, "kind": kind}
    try:
        with transaction.atomic():
            return CheckIn.objects.create(
                activity=activity, method=CheckInMethod.BY_HAND, at=at, recorded_by=actor, **values
            )
    except IntegrityError as error:
        raise ValidationError({"signup": [_("This person is already checked in.")]}) from error
