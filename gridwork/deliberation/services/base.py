"""What the deliberation services share: who may act (a community's managers, a verified resident of the place), the
refusals, numbering and whom to tell."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.models import User, UserKind
from gridwork.accounts.roles import Perm
from gridwork.accounts.selectors import users_holding
from gridwork.common.scope import holds_over
from gridwork.mediation.services.applications import resident_home_community
from gridwork.people.models import Resident
from gridwork.places.models import Place

T = TypeVar("T")
RETRIES = 5


class NotNow(Exception):
    """The move is not possible at this moment (voting not open or over, comments closed, the wrong phase): 409."""


class AlreadyVoted(Exception):
    """The resident has voted here already; a vote is never replaced: 409."""


class AlreadyDecided(Exception):
    """The deliberation's decision has already become a matter, a proposal or a clause: 409."""


def now_or(at: datetime | None) -> datetime:
    return at or timezone.now()


def signed_in(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."))


def manages(actor: Any, place: Place, perm: str = Perm.MANAGE_DELIBERATION) -> bool:
    """Whether ``actor`` is staff holding ``perm`` at ``place`` or above it."""
    return getattr(actor, "kind", "") == UserKind.STAFF and holds_over(actor, perm, place)


def require_manager(actor: Any, place: Place, perm: str = Perm.MANAGE_DELIBERATION) -> None:
    signed_in(actor)
    if not manages(actor, place, perm):
        raise PermissionDenied(_("Only the staff of %(place)s may do this.") % {"place": place.name})


def verified_resident(user: Any) -> Resident | None:
    """The registered resident linked to a resident's account, or ``None`` (not signed in, staff, not linked)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", "") != UserKind.RESIDENT:
        return None
    return Resident.objects.filter(user_id=user.pk).select_related("household").first()


def participant_refusal(user: Any, place: Place) -> str:
    """Why ``user`` may not take part in what ``place`` (a community, or a street for its communities) puts to its
    residents; empty when they may."""
    if not getattr(user, "is_authenticated", False):
        return _("Sign in with your mobile phone first.")
    if getattr(user, "kind", "") != UserKind.RESIDENT:
        return _("Staff accounts do not take part here: residents vote and propose from their own account.")
    home = resident_home_community(user)
    if home is None:
        return _(
            "Your account is not yet linked to a registered resident. Ask your community to verify you (bring your ID "
            "card): only verified residents of %(place)s take part."
        ) % {"place": place.name}
    if not home.path.startswith(place.path):
        return _("Only residents of %(place)s take part here; you are registered in %(home)s.") % {
            "place": place.name,
            "home": home.name,
        }
    return ""


def require_participant(user: Any, place: Place) -> Resident:
    """The verified resident of ``place`` behind ``user``; ``PermissionDenied`` saying why not."""
    refusal = participant_refusal(user, place)
    resident = verified_resident(user) if not refusal else None
    if refusal or resident is None:
        raise PermissionDenied(refusal or _("Only verified residents take part here."))
    return resident


def managers_of(place: Place) -> list[User]:
    """Whom to tell about ``place``: the staff managing deliberations at the place, or at the nearest unit above it
    that has some."""
    for path in reversed(place.ancestor_paths(include_self=True)):
        holder = Place.objects.filter(path=path).only("pk").first()
        if holder is None:
            continue
        users = users_holding(Perm.MANAGE_DELIBERATION, place_id=holder.pk)
        if users:
            return users
    return []


def notify_after_commit(recipients: list[Any], text: str, url: str) -> None:
    from gridwork.notifications.services import notification_send

    if recipients:
        transaction.on_commit(lambda: notification_send(recipients=recipients, text=text, url=url))


def retrying(attempt: Callable[[], T], on_conflict: type[Exception], retries: int = RETRIES) -> T:
    """Run ``attempt`` again when ``on_conflict`` is raised (a number taken by a simultaneous request), at most
    ``retries`` times."""
    for remaining in range(retries, 0, -1):
        try:
            return attempt()
        except on_conflict:
            if remaining == 1:
                raise
    raise AssertionError("unreachable")


def text_errors(errors: dict[str, str], field: str, value: str, *, required: str, limit: int, minimum: int = 1) -> str:
    """``value`` stripped; a message on ``field`` when it is missing, too short or too long."""
    value = (value or "").strip()
    if not value:
        errors[field] = required
    elif len(value) < minimum:
        errors[field] = _("At least %(count)d characters.") % {"count": minimum}
    elif len(value) > limit:
        errors[field] = _("At most %(count)d characters.") % {"count": limit}
    return value
