"""The mediators' roster (人民调解员, 法律顾问, 社区民警, 律师, 矛调员): adding a mediator and changing one (what they
serve, which types, whether available, how many open cases at most). Needs MANAGE_DISPUTES over the mediator's
place (a street or a community); the communities served must lie under it. Each change is audited."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridwork.accounts.models import User
from gridwork.accounts.roles import Perm
from gridwork.audit.services import audit_record
from gridwork.mediation.models import DisputeType, Mediator, MediatorKind
from gridwork.mediation.services.agreements import require_signed_in, text_error
from gridwork.places.models import Place, PlaceLevel
from gridwork.places.services import place_require_scope

FIELDS = (
    "name",
    "kind",
    "phone",
    "organisation",
    "place",
    "communities",
    "dispute_types",
    "available",
    "max_open_cases",
    "user",
    "note",
)
DEFAULTS: dict[str, Any] = {
    "phone": "",
    "organisation": "",
    "communities": (),
    "dispute_types": (),
    "available": True,
    "max_open_cases": 5,
    "user": None,
    "note": "",
}
MAX_OPEN_CASES = 50
PHONE = re.compile(r"^[0-9][0-9\- ]{6,19}$")
PLACE_LEVELS = frozenset({PlaceLevel.STREET, PlaceLevel.COMMUNITY})


def _unknown(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown mediator fields: {sorted(unknown)}")


def mediator_errors(values: dict[str, Any]) -> dict[str, str]:
    """What is wrong with a mediator's fields, field by field."""
    errors: dict[str, str] = {}
    error = text_error(values.get("name") or "", required=_("Give the mediator's name."), limit=60)
    if error:
        errors["name"] = error
    if values.get("kind") not in MediatorKind.values:
        errors["kind"] = _("Choose what kind of mediator this is.")
    phone = (values.get("phone") or "").strip()
    if phone and not PHONE.match(phone):
        errors["phone"] = _("Write a phone number of digits, e.g. 13800001234 or 0851-8888 8888.")
    for field, limit in (("organisation", 100), ("note", 200)):
        error = text_error(values.get(field) or "", required=None, limit=limit)
        if error:
            errors[field] = error
    place: Place | None = values.get("place")
    if place is None or place.level not in PLACE_LEVELS:
        errors["place"] = _("Choose the street or community the mediator serves.")
    communities: list[Place] = list(values.get("communities") or ())
    if place is not None and any(
        community.level != PlaceLevel.COMMUNITY or not community.path.startswith(place.path)
        for community in communities
    ):
        errors["communities"] = _("The communities served must lie under %(place)s.") % {"place": place.name}
    types = list(values.get("dispute_types") or ())
    if any(value not in DisputeType.values for value in types):
        errors["dispute_types"] = _("Choose the dispute types from the list.")
    maximum = values.get("max_open_cases")
    if not isinstance(maximum, int) or not 1 <= maximum <= MAX_OPEN_CASES:
        errors["max_open_cases"] = _("Between 1 and %(max)d open cases at once.") % {"max": MAX_OPEN_CASES}
    user: User | None = values.get("user")
    if user is not None and not user.is_active:
        errors["user"] = _("This account is not active.")
    return errors


def _cleaned(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    for field in ("name", "phone", "organisation", "note"):
        cleaned[field] = (cleaned.get(field) or "").strip()
    cleaned["dispute_types"] = list(dict.fromkeys(cleaned.get("dispute_types") or ()))
    return cleaned


def _summary(values: dict[str, Any]) -> dict[str, Any]:
    """The audit row's detail: what the roster says (no phone)."""
    place = values.get("place")
    communities: Iterable[Place] = values.get("communities") or ()
    user = values.get("user")
    return {
        "name": values.get("name", ""),
        "kind": values.get("kind", ""),
        "place": place.code if place is not None else "",
        "communities": sorted(community.code for community in communities),
        "dispute_types": list(values.get("dispute_types") or ()),
        "available": values.get("available"),
        "max_open_cases": values.get("max_open_cases"),
        "user": user.pk if user is not None else None,
    }


def mediator_create(*, actor: Any, **fields: Any) -> Mediator:
    """Add a mediator to the roster: ``name``, ``kind``, ``place`` (street or community) required; ``phone``,
    ``organisation``, ``communities`` (under the place; none: every community under it), ``dispute_types`` (none: any),
    ``available``, ``max_open_cases``, ``user`` (the mediator's platform account, told of follow-ups), ``note``."""
    _unknown(fields)
    require_signed_in(actor)
    values = _cleaned({**DEFAULTS, **fields})
    place = values.get("place")
    if isinstance(place, Place):
        place_require_scope(actor=actor, place=place, perm=Perm.MANAGE_DISPUTES)
    errors = mediator_errors(values)
    if errors:
        raise ValidationError(errors)
    communities = list(values.pop("communities"))
    with transaction.atomic():
        mediator = Mediator.objects.create(**values)
        mediator.communities.set(communities)
        audit_record(
            actor=actor,
            action="mediation.mediator_create",
            target=mediator,
            detail=_summary({**values, "communities": communities}),
        )
    return mediator


def mediator_update(*, actor: Any, mediator: Mediator, **fields: Any) -> Mediator:
    """Change a mediator of the roster: only the ``fields`` given. Needs MANAGE_DISPUTES over the mediator's place,
    and over the new place when it moves."""
    _unknown(fields)
    require_signed_in(actor)
    mediator = Mediator.objects.select_related("place", "user").get(pk=mediator.pk)
    place_require_scope(actor=actor, place=mediator.place, perm=Perm.MANAGE_DISPUTES)
    current: dict[str, Any] = {field: getattr(mediator, field) for field in FIELDS if field != "communities"}
    current["communities"] = list(mediator.communities.all())
    values = _cleaned({**current, **fields})
    place = values.get("place")
    if isinstance(place, Place) and place.pk != mediator.place_id:
        place_require_scope(actor=actor, place=place, perm=Perm.MANAGE_DISPUTES)
    errors = mediator_errors(values)
    if errors:
        raise ValidationError(errors)
    communities = list(values.pop("communities"))
    changed = [field for field in FIELDS if field != "communities" and values[field] != current[field]]
    communities_changed = {c.pk for c in communities} != {c.pk for c in current["communities"]}
    with transaction.atomic():
        for field in changed:
            setattr(mediator, field, values[field])
        if changed:
            mediator.save(update_fields=changed)
        if communities_changed:
            mediator.communities.set(communities)
        audit_record(
            actor=actor,
            action="mediation.mediator_update",
            target=mediator,
            detail={
                "changed": changed + (["communities"] if communities_changed else []),
                **_summary({**values, "communities": communities}),
            },
        )
    return mediator
