"""Writing party organisations and members. Each write is one audited transaction.

As in ``gridwork.places.services``, the rules are functions of plain values (``party_organisation_errors``,
``party_member_errors``) shared with the bulk importer. ``actor`` None means the system itself.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.accounts.services import phone_is_valid, phone_normalise
from gridwork.audit.services import audit_record
from gridwork.party.models import PARTY_PARENT_KINDS, PARTY_PLACE_LEVELS, PartyMember, PartyOrganisation, PartyOrgKind
from gridwork.places.models import Place, PlaceLevel
from gridwork.places.services import level_label, place_require_scope

MAX_CODE = 40
MAX_NAME = 120
MAX_PERSON_NAME = 50
MAX_EMPLOYER = 120
# Deeper than any real chain of organisations; a longer walk means the data already holds a cycle.
MAX_DEPTH = 64


def kind_label(kind: str | None) -> str:
    return str(PartyOrgKind(kind).label) if kind in PartyOrgKind.values else str(kind or "")


# --- rules -----------------------------------------------------------------------------------------------


def party_organisation_errors(
    *,
    code: str,
    name: str,
    kind: str,
    parent_kind: str | None,
    parent_place_path: str | None,
    place_level: str | None,
    place_path: str | None,
    secretary_name: str = "",
    founded_on: datetime.date | None = None,
) -> dict[str, str]:
    """What is wrong with these values for a party organisation, field by field (``PARTY_PARENT_KINDS``,
    ``PARTY_PLACE_LEVELS``, and the place served lying within the parent's place)."""
    errors: dict[str, str] = {}
    if not code or len(code) > MAX_CODE or any(character.isspace() for character in code):
        errors["code"] = _("Enter a code of 1 to %(max)d characters without spaces.") % {"max": MAX_CODE}
    if not name:
        errors["name"] = _("Enter the name.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("The name is longer than %(max)d characters.") % {"max": MAX_NAME}
    if len(secretary_name) > MAX_PERSON_NAME:
        errors["secretary_name"] = _("The name is longer than %(max)d characters.") % {"max": MAX_PERSON_NAME}
    if founded_on is not None and founded_on > timezone.localdate():
        errors["founded_on"] = _("The date cannot be in the future.")
    if kind not in PartyOrgKind.values:
        errors["kind"] = _("Unknown kind of party organisation “%(kind)s”.") % {"kind": kind}
        return errors
    allowed_parents = PARTY_PARENT_KINDS[kind]
    if not allowed_parents and parent_kind is not None:
        errors["parent"] = _("A %(kind)s has no parent organisation; leave it empty.") % {"kind": kind_label(kind)}
    elif allowed_parents and parent_kind is None:
        errors["parent"] = _("A %(kind)s sits under a %(parents)s; name it.") % {
            "kind": kind_label(kind),
            "parents": _(" or ").join(sorted(kind_label(k) for k in allowed_parents)),
        }
    elif parent_kind is not None and parent_kind not in allowed_parents:
        errors["parent"] = _("A %(kind)s cannot sit under a %(parent)s; it sits under a %(parents)s.") % {
            "kind": kind_label(kind),
            "parent": kind_label(parent_kind),
            "parents": _(" or ").join(sorted(kind_label(k) for k in allowed_parents)),
        }
    levels = PARTY_PLACE_LEVELS[kind]
    if place_level is not None and place_level not in levels:
        errors["place"] = _("A %(kind)s serves a %(levels)s, not a %(level)s.") % {
            "kind": kind_label(kind),
            "levels": _(" or ").join(level_label(level) for level in sorted(levels)),
            "level": level_label(place_level),
        }
    elif place_path and parent_place_path and not place_path.startswith(parent_place_path):
        errors["place"] = _("The place served must lie within the place of the parent organisation.")
    return errors


def party_member_errors(
    *,
    name: str,
    phone: str,
    in_service: bool,
    employer: str,
    joined_on: datetime.date | None,
    household_level: str | None,
) -> dict[str, str]:
    """What is wrong with these values for a party member; ``phone`` is already normalised (or empty)."""
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Enter the name.")
    elif len(name) > MAX_PERSON_NAME:
        errors["name"] = _("The name is longer than %(max)d characters.") % {"max": MAX_PERSON_NAME}
    if phone and not phone_is_valid(phone):
        errors["phone"] = _("Enter a mainland mobile number of 11 digits, such as 13812345678.")
    if in_service and not employer:
        errors["employer"] = _("An in-service member (在职党员) needs an employer.")
    elif len(employer) > MAX_EMPLOYER:
        errors["employer"] = _("The employer is longer than %(max)d characters.") % {"max": MAX_EMPLOYER}
    if joined_on is not None and joined_on > timezone.localdate():
        errors["joined_on"] = _("The date cannot be in the future.")
    if household_level is not None and household_level != PlaceLevel.HOUSEHOLD:
        errors["household"] = _("Choose a household, not a %(level)s.") % {"level": level_label(household_level)}
    return errors


def party_organisation_ancestor_ids(organisation: PartyOrganisation | None) -> list[int]:
    """The ids from ``organisation`` up to its root, ``organisation`` first, one query per level."""
    ids: list[int] = []
    current_id = organisation.pk if organisation is not None else None
    while current_id is not None and len(ids) < MAX_DEPTH:
        if current_id in ids:
            break
        ids.append(current_id)
        current_id = PartyOrganisation.objects.filter(pk=current_id).values_list("parent_id", flat=True).first()
    return ids


# --- writes ----------------------------------------------------------------------------------------------


def party_organisation_create(
    *,
    actor: Any,
    code: str,
    name: str,
    kind: str,
    parent: PartyOrganisation | None,
    place: Place,
    secretary_name: str = "",
    founded_on: datetime.date | None = None,
) -> PartyOrganisation:
    """Create a party organisation serving ``place`` under ``parent``. Raises ValidationError or PermissionDenied."""
    code, name, secretary_name = code.strip(), name.strip(), secretary_name.strip()
    with transaction.atomic():
        place_require_scope(actor=actor, place=place, perm=Perm.MANAGE_PARTY)
        parent_place = Place.objects.get(pk=parent.place_id) if parent is not None else None
        errors = party_organisation_errors(
            code=code,
            name=name,
            kind=kind,
            parent_kind=parent.kind if parent else None,
            parent_place_path=parent_place.path if parent_place else None,
            place_level=place.level,
            place_path=place.path,
            secretary_name=secretary_name,
            founded_on=founded_on,
        )
        if code and PartyOrganisation.objects.filter(code=code).exists():
            errors.setdefault("code", _("The code %(code)s is already used.") % {"code": code})
        if errors:
            raise ValidationError(errors)
        organisation = PartyOrganisation.objects.create(
            code=code,
            name=name,
            kind=kind,
            parent=parent,
            place=place,
            secretary_name=secretary_name,
            founded_on=founded_on,
        )
        audit_record(
            actor=actor,
            action="party_organisation.create",
            target=organisation,
            detail={"code": code, "kind": kind, "parent": parent.code if parent else None, "place": place.code},
        )
    return organisation


def party_organisation_move(
    *, actor: Any, organisation: PartyOrganisation, parent: PartyOrganisation | None
) -> PartyOrganisation:
    """Put ``organisation`` under another parent. Refuses the organisation itself and any organisation under it."""
    with transaction.atomic():
        organisation = (
            PartyOrganisation.objects.select_for_update(of=("self",))
            .select_related("place", "parent")
            .get(pk=organisation.pk)
        )
        place_require_scope(actor=actor, place=organisation.place, perm=Perm.MANAGE_PARTY)
        if parent is not None:
            parent = PartyOrganisation.objects.select_for_update(of=("self",)).select_related("place").get(pk=parent.pk)
            place_require_scope(actor=actor, place=parent.place, perm=Perm.MANAGE_PARTY)
            if organisation.pk in party_organisation_ancestor_ids(parent):
                raise ValidationError(
                    {
                        "parent": _(
                            "%(parent)s is %(organisation)s itself or lies under it; an organisation cannot sit "
                            "under itself."
                        )
                        % {"parent": parent.name, "organisation": organisation.name}
                    }
                )
        errors = party_organisation_errors(
            code=organisation.code,
            name=organisation.name,
            kind=organisation.kind,
            parent_kind=parent.kind if parent else None,
            parent_place_path=parent.place.path if parent else None,
            place_level=organisation.place.level,
            place_path=organisation.place.path,
        )
        if "parent" in errors or "place" in errors:
            raise ValidationError({key: errors[key] for key in ("parent", "place") if key in errors})
        if organisation.parent_id == (parent.pk if parent else None):
            return organisation
        old_parent = organisation.parent.code if organisation.parent else None
        organisation.parent = parent
        organisation.save(update_fields=["parent"])
        audit_record(
            actor=actor,
            action="party_organisation.move",
            target=organisation,
            detail={"from_parent": old_parent, "to_parent": parent.code if parent else None},
        )
    return organisation


def party_member_create(
    *,
    actor: Any,
    name: str,
    organisation: PartyOrganisation,
    phone: str = "",
    joined_on: datetime.date | None = None,
    in_service: bool = False,
    employer: str = "",
    household: Place | None = None,
) -> PartyMember:
    """Register a party member with ``organisation``; an in-service member (在职党员) needs an employer."""
    name, employer = name.strip(), employer.strip()
    phone = phone_normalise(phone) if phone else ""
    with transaction.atomic():
        place = Place.objects.get(pk=organisation.place_id)
        place_require_scope(actor=actor, place=place, perm=Perm.MANAGE_PARTY)
        errors = party_member_errors(
            name=name,
            phone=phone,
            in_service=in_service,
            employer=employer,
            joined_on=joined_on,
            household_level=household.level if household is not None else None,
        )
        if household is not None and actor is not None and "household" not in errors:
            paths = actor.scope_paths(Perm.MANAGE_PARTY)
            if not any(household.path.startswith(path) for path in paths):
                errors["household"] = _("This household is outside the units you may manage.")
        if phone and "phone" not in errors and organisation.members.filter(phone=phone).exists():
            errors["phone"] = _("A member of this organisation already has this mobile number.")
        if errors:
            raise ValidationError(errors)
        member = PartyMember.objects.create(
            name=name,
            phone=phone,
            organisation=organisation,
            joined_on=joined_on,
            in_service=in_service,
            employer=employer,
            household=household,
        )
        audit_record(
            actor=actor,
            action="party_member.create",
            target=member,
            detail={"organisation": organisation.code, "in_service": in_service},
        )
    return member
