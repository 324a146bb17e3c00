"""Writes about people. Revealing personal data is an action too: it is audited.

Resident units (驻区单位) are registered and edited by staff holding MANAGE_PARTY over the community or street where the
unit sits — co-construction is the party organisations' work, and the street holds MANAGE_PARTY where only the
community holds MANAGE_PEOPLE. Each write checks every field (``resident_unit_errors``), saves in one transaction and
records an audit row with the values before and after; the contact's name and phone go into the audit log masked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.accounts.services import phone_is_valid, phone_normalise
from gridwork.audit.services import audit_record
from gridwork.common.masking import mask_name, mask_phone
from gridwork.people.credit_codes import credit_code_normalise, credit_code_problem
from gridwork.people.models import UNIT_PLACE_LEVELS, Resident, ResidentUnit, ResidentUnitKind
from gridwork.places.models import Place
from gridwork.places.services import level_label, place_require_scope

MAX_UNIT_NAME = 120
MAX_PARTY_ORGANISATION = 120
MAX_CONTACT_NAME = 50
# A landline with its area code (0851-85551234, 085185551234) and an optional extension (-801).
LANDLINE_RE = re.compile(r"^0[1-9][0-9]{1,2}-?[1-9][0-9]{6,7}(-[0-9]{1,6})?$")
UNIT_FIELDS = ("credit_code", "name", "kind", "place", "party_organisation_name", "contact_name", "contact_phone")
PERSONAL_FIELDS = {"contact_name": mask_name, "contact_phone": mask_phone}


def resident_reveal(*, actor: Any, resident: Resident, request: HttpRequest | None = None) -> Resident:
    """查看明文: record that ``actor`` saw this resident's unmasked personal data, and return it."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="resident.reveal_personal_data",
            target=resident,
            detail={"fields": ["name", "phone", "id_number"]},
            request=request,
        )
    return resident


# --- 驻区单位: resident units ------------------------------------------------------------------------------------


def contact_phone_normalise(raw: str) -> str:
    """A mobile number as 11 digits (+86, spaces and dashes dropped); anything else with its spaces dropped."""
    mobile = phone_normalise(raw)
    return mobile if phone_is_valid(mobile) else re.sub(r"\s", "", raw or "")


@dataclass(frozen=True)
class UnitValues:
    """A resident unit's values as a form gives them; ``normalised()`` is what is checked and saved."""

    credit_code: str
    name: str
    kind: str
    place: Place | None
    party_organisation_name: str = ""
    contact_name: str = ""
    contact_phone: str = ""

    def normalised(self) -> UnitValues:
        return UnitValues(
            credit_code=credit_code_normalise(self.credit_code),
            name=self.name.strip(),
            kind=self.kind,
            place=self.place,
            party_organisation_name=self.party_organisation_name.strip(),
            contact_name=self.contact_name.strip(),
            contact_phone=contact_phone_normalise(self.contact_phone),
        )

    def of_field(self, field: str) -> Any:
        """The value of ``field`` as the model holds it (the place by its id)."""
        return self.place.pk if field == "place" and self.place is not None else getattr(self, field)


def _in_scope(actor: Any, place: Place, perm: str) -> bool:
    try:
        place_require_scope(actor=actor, place=place, perm=perm)
    except PermissionDenied:
        return False
    return True


def resident_unit_errors(*, actor: Any, values: UnitValues, unit: ResidentUnit | None = None) -> dict[str, str]:
    """What is wrong with these (normalised) values for a resident unit, field by field. ``unit`` is the unit being
    edited (its own credit code is not a duplicate)."""
    credit_code, name, kind, place = values.credit_code, values.name, values.kind, values.place
    party_organisation_name, contact_name, contact_phone = (
        values.party_organisation_name,
        values.contact_name,
        values.contact_phone,
    )
    errors: dict[str, str] = {}
    problem = credit_code_problem(credit_code)
    if problem:
        errors["credit_code"] = problem
    else:
        taken = ResidentUnit.objects.filter(credit_code=credit_code)
        if unit is not None:
            taken = taken.exclude(pk=unit.pk)
        if taken.exists():
            errors["credit_code"] = _("A unit with this credit code is already registered.")
    if not name:
        errors["name"] = _("Enter the unit's name.")
    elif len(name) > MAX_UNIT_NAME:
        errors["name"] = _("The name is longer than %(max)d characters.") % {"max": MAX_UNIT_NAME}
    if kind not in ResidentUnitKind.values:
        errors["kind"] = _("Choose what kind of unit this is.")
    if place is None:
        errors["place"] = _("Choose the community or street where the unit sits.")
    elif place.level not in UNIT_PLACE_LEVELS:
        errors["place"] = _("A unit sits in a community or a street, not a %(level)s.") % {
            "level": level_label(place.level)
        }
    elif not _in_scope(actor, place, Perm.MANAGE_PARTY):
        errors["place"] = _("This place is outside the units you may manage.")
    if len(party_organisation_name) > MAX_PARTY_ORGANISATION:
        errors["party_organisation_name"] = _("The name is longer than %(max)d characters.") % {
            "max": MAX_PARTY_ORGANISATION
        }
    if len(contact_name) > MAX_CONTACT_NAME:
        errors["contact_name"] = _("The name is longer than %(max)d characters.") % {"max": MAX_CONTACT_NAME}
    if contact_phone and not (phone_is_valid(contact_phone) or LANDLINE_RE.fullmatch(contact_phone)):
        errors["contact_phone"] = _(
            "Enter a mobile number of 11 digits (13812345678) or a landline with its area code (0851-85551234)."
        )
    if contact_phone and not contact_name:
        errors["contact_name"] = _("Say whom the phone number reaches.")
    return errors


def _audit_values(unit: ResidentUnit) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in UNIT_FIELDS:
        value = unit.place.code if field == "place" else getattr(unit, field)
        values[field] = PERSONAL_FIELDS[field](value) if field in PERSONAL_FIELDS else value
    return values


def _save_or_duplicate(unit: ResidentUnit, **save: Any) -> None:
    """Save; a credit code taken by a concurrent write is the credit code's error, not a crash."""
    try:
        with transaction.atomic():
            unit.save(**save)
    except IntegrityError as error:
        if ResidentUnit.objects.filter(credit_code=unit.credit_code).exclude(pk=unit.pk).exists():
            raise ValidationError({"credit_code": _("A unit with this credit code is already registered.")}) from error
        raise


def resident_unit_create(*, actor: Any, values: UnitValues, request: HttpRequest | None = None) -> ResidentUnit:
    """登记驻区单位: register a unit sitting in a community or street the actor manages (MANAGE_PARTY); audited."""
    values = values.normalised()
    with transaction.atomic():
        errors = resident_unit_errors(actor=actor, values=values)
        if errors:
            raise ValidationError(errors)
        unit = ResidentUnit(**{field: getattr(values, field) for field in UNIT_FIELDS})
        _save_or_duplicate(unit)
        audit_record(
            actor=actor,
            action="resident_unit.create",
            target=unit,
            detail={"after": _audit_values(unit)},
            request=request,
        )
    return unit


def resident_unit_update(
    *,
    actor: Any,
    unit: ResidentUnit,
    values: UnitValues,
    keep_contact: bool = False,
    request: HttpRequest | None = None,
) -> ResidentUnit:
    """Edit a unit the actor manages (MANAGE_PARTY over where it sits now and where it is moved to).

    ``keep_contact`` keeps the unit's contact name and phone whatever ``values`` says (an editor who may not see them
    unmasked leaves them as they are). Saves only the fields that change; the audit row holds their values before
    and after."""
    with transaction.atomic():
        unit = ResidentUnit.objects.select_for_update().select_related("place").get(pk=unit.pk)
        place_require_scope(actor=actor, place=unit.place, perm=Perm.MANAGE_PARTY)
        values = values.normalised()
        if keep_contact:
            values = replace(values, contact_name=unit.contact_name, contact_phone=unit.contact_phone)
        errors = resident_unit_errors(actor=actor, values=values, unit=unit)
        if errors:
            raise ValidationError(errors)
        current = {field: unit.place_id if field == "place" else getattr(unit, field) for field in UNIT_FIELDS}
        changed = [field for field in UNIT_FIELDS if current[field] != values.of_field(field)]
        if not changed:
            return unit
        before = _audit_values(unit)
        for field in changed:
            setattr(unit, field, getattr(values, field))
        _save_or_duplicate(unit, update_fields=changed)
        after = _audit_values(unit)
        audit_record(
            actor=actor,
            action="resident_unit.update",
            target=unit,
            detail={
                "changed": changed,
                "before": {field: before[field] for field in changed},
                "after": {field: after[field] for field in changed},
            },
            request=request,
        )
    return unit
