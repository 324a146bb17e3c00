"""A need found at a household (on a care visit, on a grid worker's visit) becomes one thing, once: a matter filed at
the household's building, or a micro-wish posted on the household's behalf in its community.

Shared by ``care`` (visits to households in difficulty) and ``gridvisits`` (grid workers' visits), so the rules are
written once:

- the needs typed on a visit: at most ``MAX_NEEDS``, each within ``MAX_NEED`` characters (``clean_needs``);
- filing a matter needs ``FILE_MATTERS`` over the household; the matter is filed through the patrol channel at the
  household's building (micro-grid) and names neither the household nor who lives there;
- posting a micro-wish goes through ``wishes.services.wish_post`` on the resident's behalf (its own checks: staff
  holding ``MANAGE_PARTY`` over the community);
- the need is marked by a conditional UPDATE (``mark_converted``: only while none of its outcome columns is set) in
  the same transaction, so of two tries one wins and the loser's matter or wish is rolled back
  (``NeedAlreadyConverted``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.common.scope import holds_over
from gridwork.matters.models import Channel, Matter
from gridwork.matters.services import matter_file
from gridwork.places.models import Place, PlaceLevel
from gridwork.wishes.models import Wish
from gridwork.wishes.services import wish_post

MAX_NEED = 500
MAX_NEEDS = 20


def clean_needs(needs: Sequence[str]) -> tuple[list[str], str]:
    """The needs found on a visit as typed (one per item, blank ones dropped) and what is wrong with them ("" when
    nothing): at most ``MAX_NEEDS``, each within ``MAX_NEED`` characters."""
    kept = [text.strip() for text in needs if text and text.strip()]
    if len(kept) > MAX_NEEDS:
        return kept, _("At most %(max)d needs per visit.") % {"max": MAX_NEEDS}
    if any(len(text) > MAX_NEED for text in kept):
        return kept, _("Keep each need within %(max)d characters.") % {"max": MAX_NEED}
    return kept, ""


class NeedAlreadyConverted(Exception):
    """The need has already become something (an earlier try, or someone else just now)."""

    def __init__(self) -> None:
        super().__init__(_("This need has already been filed as a matter or posted as a micro-wish."))


def household_community(household: Place) -> Place | None:
    """The community the household lies in (read from its path)."""
    return Place.objects.filter(code__in=household.ancestor_codes(), level=PlaceLevel.COMMUNITY).first()


def household_building(household: Place) -> Place | None:
    """The building (micro-grid) the household lies in: where a matter of the household is filed."""
    return Place.objects.filter(code__in=household.ancestor_codes(), level=PlaceLevel.MICROGRID).first()


def household_matter_file(
    *,
    actor: Any,
    household: Place,
    text: str,
    kind: str = "",
    now: datetime,
) -> Matter:
    """File a need of ``household`` as a matter (建档, patrol channel) at its building; FILE_MATTERS over it."""
    if not holds_over(actor, Perm.FILE_MATTERS, household):
        raise PermissionDenied(_("You may not file matters for this household's area."))
    building = household_building(household)
    if building is None:
        raise ValidationError({NON_FIELD_ERRORS: _("The household lies in no building; file the matter by hand.")})
    receipt = matter_file(actor=actor, channel=Channel.PATROL, text=text, building=building, kind=kind, now=now)
    return Matter.objects.get(pk=receipt.matter_id)


def household_wish_post(
    *,
    actor: Any,
    household: Place,
    title: str,
    value: Decimal | None,
    beneficiary_name: str,
    beneficiary_phone: str = "",
    description: str = "",
    now: datetime,
) -> Wish:
    """Post a need of ``household`` as a micro-wish on its behalf (代发), in its community and building."""
    return wish_post(
        actor=actor,
        title=title,
        description=description,
        value=value,
        beneficiary_name=beneficiary_name,
        beneficiary_phone=beneficiary_phone,
        community=household_community(household),
        building=household_building(household),
        on_behalf=True,
        now=now,
    )


def mark_converted(
    model: type[models.Model], *, pk: int, outcome_fields: Sequence[str], actor: Any, now: datetime, **outcome: Any
) -> None:
    """The compare-and-set that makes a need one thing, once: set ``outcome`` only while every one of
    ``outcome_fields`` is still empty; losing it raises ``NeedAlreadyConverted`` (rolling back the caller's
    transaction)."""
    still_open = {f"{field}__isnull": True for field in outcome_fields}
    marked = model._default_manager.filter(pk=pk, **still_open).update(converted_by=actor, converted_at=now, **outcome)
    if not marked:
        raise NeedAlreadyConverted
