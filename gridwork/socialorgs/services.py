"""Writes of the socialorgs app: organisations (create, edit, dissolve), their members (add, edit, leave), incubation
bases, and incubation records moved through ``socialorgs.flows``. Each write is one transaction with its audit row.

Who may: MANAGE_ACTORS over the organisation's (or base's) place, checked again here over the object itself. An
organisation lives at a community or a street; a base at a street, district or city; an organisation enters only a
base at or above its home place. Dissolved organisations are kept and no longer change: no edits, no new members, no
incubation (an open one is withdrawn with the dissolution). The database holds the rules that races could break — a
registration number used once, one active organisation of a name per place, one open incubation per organisation —
and its refusals come back as the same field errors as the checks here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.audit.services import audit_record
from gridwork.common.flows import flow_move, flow_start
from gridwork.common.scope import holds_over
from gridwork.places.models import Place, PlaceLevel
from gridwork.socialorgs.flows import INCUBATION_FLOW, IncubationAction
from gridwork.socialorgs.models import (
    OPEN_INCUBATION_STATES,
    FilingStatus,
    Incubation,
    IncubationBase,
    Member,
    MemberRole,
    Organisation,
    OrgKind,
    ServiceField,
)

ORG_LEVELS = frozenset({PlaceLevel.COMMUNITY, PlaceLevel.STREET})
BASE_LEVELS = frozenset({PlaceLevel.STREET, PlaceLevel.DISTRICT, PlaceLevel.CITY})
PHONE_RE = re.compile(r"^[0-9+\-() ]{5,20}$")
MAX_NAME = 120
MAX_PERSON = 50
MAX_NUMBER = 40
MAX_REASON = 300
MAX_ADDRESS = 200
MAX_MENTOR = 100
MAX_TEXT = 2000

Errors = dict[str, list[str]]


holds = holds_over  # the name the selectors and views use; the rule is common.scope.holds_over


def _require_organisation(actor: Any, organisation: Organisation) -> None:
    if not Organisation.objects.restrict(actor, Perm.MANAGE_ACTORS).filter(pk=organisation.pk).exists():
        raise PermissionDenied(_("This organisation is outside the units you manage."))


def _require_active(organisation: Organisation) -> None:
    if organisation.dissolved_on is not None:
        raise ValidationError({NON_FIELD_ERRORS: [_("The organisation is dissolved: it no longer changes.")]})


def _add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _text(errors: Errors, name: str, value: str, *, limit: int, required: str = "") -> None:
    if required and not value.strip():
        _add(errors, name, required)
    elif len(value.strip()) > limit:
        _add(errors, name, _("At most %(count)d characters.") % {"count": limit})


def _not_future(errors: Errors, name: str, value: date | None, today: date) -> None:
    if value is not None and value > today:
        _add(errors, name, _("This date has not come yet."))


# --- organisations --------------------------------------------------------------------------------------------------


@dataclass
class OrganisationInput:
    name: str
    kind: str
    service_field: str
    place: Place
    filing: str
    contact_name: str
    contact_phone: str
    registration_number: str = ""
    founded_on: date | None = None
    services: str = ""


def _organisation_errors(actor: Any, values: OrganisationInput, *, today: date, exclude: int | None = None) -> Errors:
    errors: Errors = {}
    _text(errors, "name", values.name, limit=MAX_NAME, required=_("Give the organisation's name."))
    if values.kind not in OrgKind.values:
        _add(errors, "kind", _("Choose the kind of organisation."))
    if values.service_field not in ServiceField.values:
        _add(errors, "service_field", _("Choose the service field."))
    if values.place.level not in ORG_LEVELS:
        _add(errors, "place", _("An organisation's home is a community or a street."))
    elif not holds_over(actor, Perm.MANAGE_ACTORS, values.place):
        _add(errors, "place", _("This place is outside the units you manage."))
    if values.filing not in FilingStatus.values:
        _add(errors, "filing", _("Choose the filing status."))
    number = values.registration_number.strip()
    if values.filing == FilingStatus.REGISTERED:
        if not number:
            _add(errors, "registration_number", _("A registered organisation has its registration number."))
        elif len(number) > MAX_NUMBER:
            _add(errors, "registration_number", _("At most %(count)d characters.") % {"count": MAX_NUMBER})
        elif Organisation.objects.filter(registration_number=number).exclude(pk=exclude or 0).exists():
            _add(errors, "registration_number", _("Another organisation holds this registration number."))
    _not_future(errors, "founded_on", values.founded_on, today)
    _text(errors, "contact_name", values.contact_name, limit=MAX_PERSON, required=_("Give the contact person."))
    if not PHONE_RE.match(values.contact_phone.strip()):
        _add(errors, "contact_phone", _("A phone number has digits only (and + - ( ) or spaces)."))
    _text(errors, "services", values.services, limit=MAX_TEXT)
    if (
        "name" not in errors
        and Organisation.objects.filter(place=values.place, name=values.name.strip(), dissolved_on__isnull=True)
        .exclude(pk=exclude or 0)
        .exists()
    ):
        _add(errors, "name", _("An active organisation of this name is there already."))
    return errors


def _organisation_fields(values: OrganisationInput) -> dict[str, Any]:
    registered = values.filing == FilingStatus.REGISTERED
    return {
        "name": values.name.strip(),
        "kind": values.kind,
        "service_field": values.service_field,
        "place": values.place,
        "filing": values.filing,
        "registration_number": values.registration_number.strip() if registered else "",
        "founded_on": values.founded_on,
        "contact_name": values.contact_name.strip(),
        "contact_phone": values.contact_phone.strip(),
        "services": values.services.strip(),
    }


def _integrity_error(error: IntegrityError) -> ValidationError:
    """The database's refusal as the field error the checks give (someone saved the same thing meanwhile)."""
    text = str(error)
    if "registration" in text or "registration_number" in text:
        return ValidationError({"registration_number": [_("Another organisation holds this registration number.")]})
    if "active_name" in text or "name" in text:
        return ValidationError({"name": [_("An active organisation of this name is there already.")]})
    raise error


def organisation_create(*, actor: Any, values: OrganisationInput, today: date | None = None) -> Organisation:
    """A new organisation at a community or street the actor manages; audited."""
    errors = _organisation_errors(actor, values, today=today or timezone.localdate())
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(**_organisation_fields(values))
            audit_record(
                actor=actor,
                action="socialorgs.organisation_create",
                target=organisation,
                detail={"place": values.place.code, "kind": values.kind, "filing": values.filing},
            )
    except IntegrityError as error:
        raise _integrity_error(error) from None
    return organisation


def organisation_update(
    *, actor: Any, organisation: Organisation, values: OrganisationInput, today: date | None = None
) -> Organisation:
    """Change an active organisation the actor manages (and may move it to another place they manage); audited with
    the fields changed."""
    _require_organisation(actor, organisation)
    _require_active(organisation)
    errors = _organisation_errors(actor, values, today=today or timezone.localdate(), exclude=organisation.pk)
    if errors:
        raise ValidationError(errors)
    changes = {
        name: value
        for name, value in _organisation_fields(values).items()
        if (organisation.place_id != value.pk if name == "place" else getattr(organisation, name) != value)
    }
    if not changes:
        return organisation
    try:
        with transaction.atomic():
            updated = Organisation.objects.filter(pk=organisation.pk, dissolved_on__isnull=True).update(
                **changes, updated_at=timezone.now()
            )
            if not updated:
                raise ValidationError({NON_FIELD_ERRORS: [_("The organisation is dissolved: it no longer changes.")]})
            audit_record(
                actor=actor,
                action="socialorgs.organisation_update",
                target=organisation,
                detail={"fields": sorted(changes)},
            )
    except IntegrityError as error:
        raise _integrity_error(error) from None
    for name, value in changes.items():
        setattr(organisation, name, value)
    return organisation


def organisation_dissolve(
    *, actor: Any, organisation: Organisation, dissolved_on: date, reason: str, at: datetime | None = None
) -> Organisation:
    """Mark the organisation dissolved on ``dissolved_on`` for ``reason`` (kept, never deleted). An open incubation is
    withdrawn in the same transaction. Compare-and-set: of two dissolutions at once one wins, the other is told."""
    _require_organisation(actor, organisation)
    at = at or timezone.now()
    today = timezone.localdate(at)
    errors: Errors = {}
    _text(errors, "reason", reason, limit=MAX_REASON, required=_("Say why the organisation was dissolved."))
    _not_future(errors, "dissolved_on", dissolved_on, today)
    if organisation.founded_on and dissolved_on < organisation.founded_on:
        _add(errors, "dissolved_on", _("An organisation is dissolved after it was founded."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        updated = Organisation.objects.filter(pk=organisation.pk, dissolved_on__isnull=True).update(
            dissolved_on=dissolved_on, dissolution_reason=reason.strip(), updated_at=at
        )
        if not updated:
            raise ValidationError({NON_FIELD_ERRORS: [_("The organisation is dissolved already.")]})
        for incubation in Incubation.objects.filter(organisation=organisation, state__in=OPEN_INCUBATION_STATES):
            flow_move(
                incubation,
                flow=INCUBATION_FLOW,
                action=IncubationAction.WITHDRAW,
                actor=actor,
                note=_("The organisation was dissolved."),
                changes={"ended_on": max(dissolved_on, incubation.entered_on)},
                at=at,
            )
        audit_record(
            actor=actor,
            action="socialorgs.organisation_dissolve",
            target=organisation,
            detail={"dissolved_on": dissolved_on.isoformat()},
        )
    organisation.dissolved_on = dissolved_on
    organisation.dissolution_reason = reason.strip()
    return organisation


# --- members --------------------------------------------------------------------------------------------------------


@dataclass
class MemberInput:
    name: str
    role: str
    joined_on: date
    is_party_member: bool = False
    phone: str = ""


def _member_errors(values: MemberInput, *, today: date) -> Errors:
    errors: Errors = {}
    _text(errors, "name", values.name, limit=MAX_PERSON, required=_("Give the member's name."))
    if values.role not in MemberRole.values:
        _add(errors, "role", _("Choose the member's role."))
    if values.phone.strip() and not PHONE_RE.match(values.phone.strip()):
        _add(errors, "phone", _("A phone number has digits only (and + - ( ) or spaces)."))
    _not_future(errors, "joined_on", values.joined_on, today)
    return errors


def _member_fields(values: MemberInput) -> dict[str, Any]:
    return {
        "name": values.name.strip(),
        "role": values.role,
        "is_party_member": bool(values.is_party_member),
        "phone": values.phone.strip(),
        "joined_on": values.joined_on,
    }


def member_add(*, actor: Any, organisation: Organisation, values: MemberInput, today: date | None = None) -> Member:
    """A new member of an active organisation the actor manages; audited (without the phone)."""
    _require_organisation(actor, organisation)
    _require_active(organisation)
    errors = _member_errors(values, today=today or timezone.localdate())
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        member = Member.objects.create(organisation=organisation, **_member_fields(values))
        audit_record(
            actor=actor, action="socialorgs.member_add", target=member, detail={"organisation": organisation.pk}
        )
    return member


def member_update(*, actor: Any, member: Member, values: MemberInput, today: date | None = None) -> Member:
    """Change a member's details; audited with the fields changed."""
    organisation = member.organisation
    _require_organisation(actor, organisation)
    _require_active(organisation)
    errors = _member_errors(values, today=today or timezone.localdate())
    if member.left_on is not None and values.joined_on > member.left_on:
        _add(errors, "joined_on", _("A member joins before they leave."))
    if errors:
        raise ValidationError(errors)
    changes = {name: value for name, value in _member_fields(values).items() if getattr(member, name) != value}
    if not changes:
        return member
    with transaction.atomic():
        Member.objects.filter(pk=member.pk).update(**changes)
        audit_record(actor=actor, action="socialorgs.member_update", target=member, detail={"fields": sorted(changes)})
    for name, value in changes.items():
        setattr(member, name, value)
    return member


def member_leave(*, actor: Any, member: Member, left_on: date, today: date | None = None) -> Member:
    """The member left on ``left_on`` (kept in the list as a former member). Compare-and-set on not having left."""
    _require_organisation(actor, member.organisation)
    errors: Errors = {}
    _not_future(errors, "left_on", left_on, today or timezone.localdate())
    if left_on < member.joined_on:
        _add(errors, "left_on", _("A member leaves after they joined."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if not Member.objects.filter(pk=member.pk, left_on__isnull=True).update(left_on=left_on):
            raise ValidationError({NON_FIELD_ERRORS: [_("This member has left already.")]})
        audit_record(
            actor=actor, action="socialorgs.member_leave", target=member, detail={"left_on": left_on.isoformat()}
        )
    member.left_on = left_on
    return member


# --- incubation bases -----------------------------------------------------------------------------------------------


@dataclass
class BaseInput:
    name: str
    place: Place
    address: str


def _base_errors(actor: Any, values: BaseInput, *, exclude: int | None = None) -> Errors:
    errors: Errors = {}
    _text(errors, "name", values.name, limit=MAX_NAME, required=_("Give the base's name."))
    _text(errors, "address", values.address, limit=MAX_ADDRESS, required=_("Give the base's address."))
    if values.place.level not in BASE_LEVELS:
        _add(errors, "place", _("An incubation base belongs to a street, a district or the city."))
    elif not holds_over(actor, Perm.MANAGE_ACTORS, values.place):
        _add(errors, "place", _("This place is outside the units you manage."))
    elif IncubationBase.objects.filter(place=values.place, name=values.name.strip()).exclude(pk=exclude or 0).exists():
        _add(errors, "name", _("A base of this name is there already."))
    return errors


def _base_taken(error: IntegrityError) -> ValidationError:
    return ValidationError({"name": [_("A base of this name is there already.")]})


def base_create(*, actor: Any, values: BaseInput) -> IncubationBase:
    errors = _base_errors(actor, values)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            base = IncubationBase.objects.create(
                name=values.name.strip(), place=values.place, address=values.address.strip()
            )
            audit_record(actor=actor, action="socialorgs.base_create", target=base, detail={"place": values.place.code})
    except IntegrityError as error:
        raise _base_taken(error) from None
    return base


def base_update(*, actor: Any, base: IncubationBase, values: BaseInput) -> IncubationBase:
    if not IncubationBase.objects.restrict(actor, Perm.MANAGE_ACTORS).filter(pk=base.pk).exists():
        raise PermissionDenied(_("This base is outside the units you manage."))
    errors = _base_errors(actor, values, exclude=base.pk)
    if errors:
        raise ValidationError(errors)
    fields: dict[str, Any] = {"name": values.name.strip(), "place": values.place, "address": values.address.strip()}
    changes = {
        name: value
        for name, value in fields.items()
        if (base.place_id != value.pk if name == "place" else getattr(base, name) != value)
    }
    if not changes:
        return base
    try:
        with transaction.atomic():
            IncubationBase.objects.filter(pk=base.pk).update(**changes)
            audit_record(actor=actor, action="socialorgs.base_update", target=base, detail={"fields": sorted(changes)})
    except IntegrityError as error:
        raise _base_taken(error) from None
    for name, value in changes.items():
        setattr(base, name, value)
    return base


# --- incubation -----------------------------------------------------------------------------------------------------


def base_serves(base: IncubationBase, organisation: Organisation) -> bool:
    """A base serves the organisations at or below its place."""
    return organisation.place.path.startswith(base.place.path)


def has_open_incubation(organisation: Organisation) -> bool:
    return Incubation.objects.filter(organisation=organisation, state__in=OPEN_INCUBATION_STATES).exists()


def _open_incubation_error() -> ValidationError:
    return ValidationError({"base": [_("The organisation is in incubation already: finish or withdraw that first.")]})


def incubation_enter(
    *,
    actor: Any,
    organisation: Organisation,
    base: IncubationBase,
    entered_on: date,
    mentor: str = "",
    notes: str = "",
    at: datetime | None = None,
) -> Incubation:
    """The organisation enters an incubation base serving its place; at most one open incubation per organisation
    (the database refuses a second even when two are entered at once)."""
    _require_organisation(actor, organisation)
    _require_active(organisation)
    at = at or timezone.now()
    errors: Errors = {}
    if not base_serves(base, organisation):
        _add(errors, "base", _("This base does not serve the organisation's community."))
    _not_future(errors, "entered_on", entered_on, timezone.localdate(at))
    if organisation.founded_on and entered_on < organisation.founded_on:
        _add(errors, "entered_on", _("An organisation enters a base after it was founded."))
    _text(errors, "mentor", mentor, limit=MAX_MENTOR)
    _text(errors, "notes", notes, limit=MAX_TEXT)
    if errors:
        raise ValidationError(errors)
    if has_open_incubation(organisation):
        raise _open_incubation_error()
    incubation = Incubation(
        organisation=organisation, base=base, entered_on=entered_on, mentor=mentor.strip(), notes=notes.strip()
    )
    try:
        with transaction.atomic():
            flow_start(
                incubation,
                flow=INCUBATION_FLOW,
                actor=actor,
                data={"base": base.pk, "entered_on": entered_on.isoformat()},
                at=at,
            )
            audit_record(
                actor=actor,
                action="socialorgs.incubation_enter",
                target=incubation,
                detail={"organisation": organisation.pk, "base": base.pk},
            )
    except IntegrityError:
        raise _open_incubation_error() from None
    return incubation


def incubation_move(
    *,
    actor: Any,
    incubation: Incubation,
    action: str,
    on: date,
    mentor: str = "",
    note: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Incubation:
    """Apply ``action`` (mentor, graduate, withdraw) as of ``on`` — the day mentoring started or the stay ended — by
    the flow's table and compare-and-set. ``MoveRefused`` for a move the state does not allow, ``StaleState`` when
    someone moved first; ``ValidationError`` for a wrong date or text."""
    _require_organisation(actor, incubation.organisation)
    at = at or timezone.now()
    errors: Errors = {}
    _not_future(errors, "on", on, timezone.localdate(at))
    earliest = incubation.mentoring_from or incubation.entered_on
    if on < earliest:
        _add(
            errors,
            "on",
            _("The date cannot be before %(date)s, the stay's last step.") % {"date": earliest.isoformat()},
        )
    _text(errors, "mentor", mentor, limit=MAX_MENTOR)
    _text(errors, "note", note, limit=MAX_TEXT)
    if action == IncubationAction.MENTOR and not (mentor.strip() or incubation.mentor):
        _add(errors, "mentor", _("Name the mentor."))
    if errors:
        raise ValidationError(errors)
    changes: dict[str, Any] = {}
    if action == IncubationAction.MENTOR:
        changes["mentoring_from"] = on
    else:
        changes["ended_on"] = on
    if mentor.strip():
        changes["mentor"] = mentor.strip()
    with transaction.atomic():
        flow_move(
            incubation,
            flow=INCUBATION_FLOW,
            action=action,
            actor=actor,
            note=note.strip(),
            data={"on": on.isoformat()},
            changes=changes,
            expected_version=expected_version,
            at=at,
        )
        audit_record(
            actor=actor,
            action=f"socialorgs.incubation_{action}",
            target=incubation,
            detail={"state": incubation.state},
        )
    return incubation
