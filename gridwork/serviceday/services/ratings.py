"""Residents rate the service day's items (评估反馈, by the 10th of the next month): 1–5 stars, once per resident and
item (a unique constraint: a second rating is refused, never replaces the first).

Who may rate: a signed-in resident who gave an opinion for this cycle from their account, or a verified resident of
the community (an account linked to a registered resident whose household is there), or a party member registered
with the community (双报到); never a volunteer of the item they rate, nor staff. When: once the item has its result,
while the cycle evaluates (until the feedback is published, which the staff may do from the 10th).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gridwork.mediation.services.applications import resident_home_community
from gridwork.party.selectors import member_registration_of
from gridwork.serviceday.models import STARS_MAX, STARS_MIN, CycleState, Item, ItemRating, Opinion
from gridwork.serviceday.services.common import MAX_COMMENT, clean_text, is_resident, moment, refuse


def rating_refusal(*, user: Any, item: Item) -> str:
    """Why ``user`` may not rate ``item`` now, or "" when they may (a rating given already aside)."""
    cycle = item.cycle
    if not getattr(user, "is_authenticated", False):
        return _("Sign in with your phone number to rate.")
    if not is_resident(user):
        return _("The residents rate the service day; staff read their ratings.")
    if cycle.state != CycleState.EVALUATE:
        return _("Ratings are open after the service day, until the feedback is published.")
    if not item.has_result:
        return _("This item has no result to rate.")
    community = cycle.community
    registration = member_registration_of(user)
    if registration is not None and item.members.filter(pk=registration.pk).exists():
        return _("You helped with this item: the residents it served rate it.")
    gave_opinion = Opinion.objects.filter(cycle=cycle, user=user).exists()
    home = resident_home_community(user)
    member_here = registration is not None and registration.community_id == community.pk
    if not (gave_opinion or (home is not None and home.pk == community.pk) or member_here):
        return _(
            "Only verified residents of %(community)s, and those who gave an opinion for this service day, rate its "
            "items."
        ) % {"community": community.name}
    return ""


def item_rate(
    *, actor: Any, item: Item, stars: int | None, comment: str = "", at: datetime | None = None
) -> ItemRating:
    """A resident's rating of an item, once. Refused: not allowed to rate (PermissionDenied, with the reason), no
    stars or a comment too long (ValidationError), rated already (ValidationError)."""
    item = Item.objects.select_related("cycle__community").get(pk=item.pk)
    refusal = rating_refusal(user=actor, item=item)
    if refusal:
        raise PermissionDenied(refusal)
    errors: dict[str, str] = {}
    comment = clean_text(comment, field="comment", limit=MAX_COMMENT, errors=errors)
    if stars is None or not STARS_MIN <= stars <= STARS_MAX:
        errors["stars"] = _("Give from %(min)d to %(max)d stars.") % {"min": STARS_MIN, "max": STARS_MAX}
    refuse(errors)
    assert stars is not None
    try:
        with transaction.atomic():
            return ItemRating.objects.create(item=item, user=actor, stars=stars, comment=comment, rated_at=moment(at))
    except IntegrityError as error:
        raise ValidationError(_("You have already rated this item: a rating cannot be changed.")) from error
