"""Who may act on a rating target, what a target stands for, and the helpers the services share.

Roles (``accounts.roles``): the target's own unit self-assesses (SELF_ASSESS held at exactly that unit — a community's
staff for their community, its grids, its secretary and its estate organisations; the staff of the place a department
sits at for the department); a unit above it reviews (REVIEW_RATINGS over the target, at a unit strictly above its own
— no unit reviews itself); the city accepts, runs the higher review and lowers stars (ACCEPT_RATINGS over the target);
rounds are opened and targets added by MANAGE_ASSESSMENT.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.common.flows import StaleState
from gridwork.common.scope import holds_over
from gridwork.places.models import Place, PlaceLevel
from gridwork.ratings.models import Assessment, Round, Target
from gridwork.schemes.models import TargetKind

MAX_NAME = 100
MAX_COMMENT = 1000
MAX_REASON = 1000
MAX_NOTE = 300
MAX_LINK = 300
MAX_EVIDENCE = 30  # files and links of one assessment
RETRIES = 5

T = TypeVar("T")


def signed_in(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."))


def paths_of(user: Any, perm: str) -> list[str]:
    if not getattr(user, "is_authenticated", False) or not hasattr(user, "scope_paths"):
        return []
    return list(user.scope_paths(perm))


def self_unit(target: Target) -> Place:
    """The unit that self-assesses the target: the community (of a grid: its community), or the place of a
    department."""
    place = target.place
    if target.kind == TargetKind.GRID and place.level == PlaceLevel.GRID and place.parent is not None:
        return place.parent
    return place


def may_self_assess(user: Any, target: Target) -> bool:
    return self_unit(target).path in paths_of(user, Perm.SELF_ASSESS)


def may_review(user: Any, target: Target) -> bool:
    own = self_unit(target).path
    return any(own.startswith(path) and own != path for path in paths_of(user, Perm.REVIEW_RATINGS))


def may_accept(user: Any, target: Target) -> bool:
    return holds_over(user, Perm.ACCEPT_RATINGS, target.place)


def may_manage_rounds(user: Any) -> bool:
    return bool(paths_of(user, Perm.MANAGE_ASSESSMENT))


def may_see_personal_data(user: Any, target: Target) -> bool:
    return holds_over(user, Perm.VIEW_PERSONAL_DATA, target.place)


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def target_object(target: Target) -> Any:
    """What the target rates, as the scheme's sources take it: a place, a party organisation, a worker or a
    department."""
    if target.kind == TargetKind.ESTATE_PARTY:
        return target.party_organisation
    if target.kind == TargetKind.SECRETARY:
        return target.worker
    if target.kind == TargetKind.DEPARTMENT:
        return target.department
    return target.place


def fresh_assessment(assessment: Assessment | int) -> Assessment:
    pk = assessment.pk if isinstance(assessment, Assessment) else assessment
    return Assessment.objects.select_related(
        "target__round__scheme_version__scheme",
        "target__place__parent",
        "target__party_organisation",
        "target__worker",
        "target__department",
    ).get(pk=pk)


def fresh_round(round_: Round | int) -> Round:
    pk = round_.pk if isinstance(round_, Round) else round_
    return Round.objects.select_related("scheme_version__scheme").get(pk=pk)


def now_or(now: datetime | None) -> datetime:
    return now or timezone.now()


def refuse(message: str) -> ValidationError:
    return ValidationError({NON_FIELD_ERRORS: [message]})


def retrying(attempt: Callable[[], T]) -> T:
    """Run ``attempt`` (one transaction) again when the subject moved under it; the last ``StaleState`` is raised."""
    for remaining in range(RETRIES, 0, -1):
        try:
            return attempt()
        except StaleState:
            if remaining == 1:
                raise
    raise AssertionError("unreachable")


def text(value: str, *, field: str, required: str | None, limit: int, errors: dict[str, str]) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[field] = required
    elif len(value) > limit:
        errors[field] = _("Keep it within %(max)d characters.") % {"max": limit}
    return value
