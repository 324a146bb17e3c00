"""Writing the registrations (双报到): an in-service party member (在职党员) registers with the community where they
live, their employer's party organisation registers with a community (单位报到), and the community confirms or
rejects each. Every state change goes through the tables of ``gridwork.party.flows``, so each writes its event in the
same transaction; a contact added to a unit is audited.

A member holds one confirmed registration at a time and one awaiting confirmation at a time (two partial unique
constraints back this). Moving house is a new registration linked to the confirmed one by ``transferred_from``: the
old one holds until the new community confirms, and then ends (``transferred``) in the same transaction. A move
that is rejected or withdrawn drops the link (its events keep it), so the old registration can be moved again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.models import User
from gridwork.accounts.roles import Perm
from gridwork.accounts.services import phone_is_valid, phone_normalise
from gridwork.audit.services import audit_record
from gridwork.common.flows import StaleState, flow_move, flow_start
from gridwork.party.flows import REGISTRATION_FLOW, UNIT_REGISTRATION_FLOW, RegistrationAction
from gridwork.party.models import (
    MemberRegistration,
    RegistrationState,
    UnitContact,
    UnitRegistration,
)
from gridwork.party.selectors import registration_pending_of
from gridwork.party.services import MAX_EMPLOYER, MAX_PERSON_NAME
from gridwork.party.skills import Skill
from gridwork.people.models import ResidentUnit
from gridwork.places.models import Place, PlaceLevel
from gridwork.places.services import level_label, place_require_scope

MAX_REASON = 500
MAX_OFFERS = 2000


def _require_signed_in(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."))


def _in_scope(actor: Any, place: Place, perm: str) -> bool:
    try:
        place_require_scope(actor=actor, place=place, perm=perm)
    except PermissionDenied:
        return False
    return True


def _reason_errors(reason: str) -> dict[str, str]:
    if not reason:
        return {"reason": _("Say why, so that the applicant knows what to change.")}
    if len(reason) > MAX_REASON:
        return {"reason": _("The reason is longer than %(max)d characters.") % {"max": MAX_REASON}}
    return {}


def _community_errors(community: Place | None) -> dict[str, str]:
    if community is None:
        return {"community": _("Choose the community.")}
    if community.level != PlaceLevel.COMMUNITY:
        return {"community": _("Choose a community, not a %(level)s.") % {"level": level_label(community.level)}}
    return {}


# --- 双报到: a member's registration ---------------------------------------------------------------------------------


def registration_errors(
    *,
    name: str,
    phone: str,
    employer: str,
    employer_party_organisation: str,
    community: Place | None,
    building: Place | None,
    skills: list[str],
) -> dict[str, str]:
    """What is wrong with these values for a member's registration, field by field; ``phone`` is normalised."""
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Enter your name.")
    elif len(name) > MAX_PERSON_NAME:
        errors["name"] = _("The name is longer than %(max)d characters.") % {"max": MAX_PERSON_NAME}
    if not phone_is_valid(phone):
        errors["phone"] = _("Enter a mainland mobile number of 11 digits, such as 13812345678.")
    if not employer:
        errors["employer"] = _("Enter the name of your employer.")
    elif len(employer) > MAX_EMPLOYER:
        errors["employer"] = _("The employer is longer than %(max)d characters.") % {"max": MAX_EMPLOYER}
    if not employer_party_organisation:
        errors["employer_party_organisation"] = _("Enter the party organisation you belong to at work.")
    elif len(employer_party_organisation) > MAX_EMPLOYER:
        errors["employer_party_organisation"] = _("The name is longer than %(max)d characters.") % {"max": MAX_EMPLOYER}
    errors.update(_community_errors(community))
    if building is None:
        errors["building"] = _("Choose the building where you live.")
    elif building.level != PlaceLevel.MICROGRID:
        errors["building"] = _("Choose a building (micro-grid), not a %(level)s.") % {
            "level": level_label(building.level)
        }
    elif community is not None and "community" not in errors and not building.path.startswith(community.path):
        errors["building"] = _("This building is not in %(community)s; choose one of its buildings.") % {
            "community": community.name
        }
    unknown = [code for code in skills if code not in Skill.values]
    if unknown:
        errors["skills"] = _("Unknown skill “%(skill)s”; choose from the list.") % {"skill": unknown[0]}
    return errors


def _skills_in_order(skills: Iterable[str]) -> list[str]:
    """The skills chosen, each once, known ones in the list's order (unknown ones kept, for the error)."""
    chosen = [str(code) for code in skills]
    known = [code for code in Skill.values if code in chosen]
    return known + [code for code in dict.fromkeys(chosen) if code not in Skill.values]


def registration_submit(
    *,
    actor: Any,
    name: str,
    phone: str,
    employer: str,
    employer_party_organisation: str,
    employer_unit: ResidentUnit | None,
    community: Place | None,
    building: Place | None,
    skills: Iterable[str],
) -> MemberRegistration:
    """双报到: the signed-in member registers themselves with ``community`` at ``building``.

    Refused while another registration of theirs awaits confirmation. A member already registered elsewhere is
    moving: the new registration names the old one (``transferred_from``), which holds until the new one is
    confirmed. Raises ValidationError (field by field) or PermissionDenied (not signed in)."""
    _require_signed_in(actor)
    name, employer, employer_party_organisation = name.strip(), employer.strip(), employer_party_organisation.strip()
    phone = phone_normalise(phone.strip())
    chosen = _skills_in_order(skills)
    errors = registration_errors(
        name=name,
        phone=phone,
        employer=employer,
        employer_party_organisation=employer_party_organisation,
        community=community,
        building=building,
        skills=chosen,
    )
    pending_error = _(
        "Your registration with %(community)s is awaiting confirmation. Wait for the community's answer, or "
        "withdraw it first."
    )
    with transaction.atomic():
        # One submission of a member at a time: the pending check and the insert cannot interleave.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        pending = registration_pending_of(actor)
        if pending is not None:
            errors[NON_FIELD_ERRORS] = pending_error % {"community": pending.community.name}
        current = (
            MemberRegistration.objects.filter(user=actor, state=RegistrationState.CONFIRMED)
            .select_related("community")
            .first()
        )
        if current is not None and community is not None and current.community_id == community.pk:
            errors.setdefault(
                "community",
                _("You are already registered with %(community)s. To move, choose your new community.")
                % {"community": community.name},
            )
        if errors or community is None or building is None:
            raise ValidationError(errors)
        registration = MemberRegistration(
            user=actor,
            name=name,
            phone=phone,
            employer=employer,
            employer_party_organisation=employer_party_organisation,
            employer_unit=employer_unit,
            community=community,
            building=building,
            skills=chosen,
            transferred_from=current,
        )
        data: dict[str, Any] = {"community": community.code, "building": building.code}
        if current is not None:
            data["moved_from"] = current.pk
        try:
            with transaction.atomic():
                flow_start(registration, flow=REGISTRATION_FLOW, actor=actor, data=data)
        except IntegrityError as error:  # a submission of the same member in another process won
            raise ValidationError({NON_FIELD_ERRORS: pending_error % {"community": community.name}}) from error
    return registration


def _require_manage(actor: Any, community_id: int) -> Place:
    community = Place.objects.get(pk=community_id)
    place_require_scope(actor=actor, place=community, perm=Perm.MANAGE_PARTY)
    return community


def _check_move(subject: Any, *, flow: Any, action: str, expected_version: int | None) -> None:
    """Refuse a stale page or a move the table does not allow before anything is written."""
    if expected_version is not None and expected_version != subject.version:
        raise StaleState
    flow.target(subject.state, action)


def registration_confirm(*, actor: Any, registration: MemberRegistration, expected_version: int) -> MemberRegistration:
    """The community confirms the registration (MANAGE_PARTY over its community). A member registered elsewhere
    is moving: that registration ends (``transferred``) in the same transaction and the new one names it.
    Raises PermissionDenied, StaleState or MoveRefused."""
    with transaction.atomic():
        community = _require_manage(actor, registration.community_id)
        _check_move(
            registration, flow=REGISTRATION_FLOW, action=RegistrationAction.CONFIRM, expected_version=expected_version
        )
        previous = (
            MemberRegistration.objects.select_for_update()
            .filter(user_id=registration.user_id, state=RegistrationState.CONFIRMED)
            .exclude(pk=registration.pk)
            .first()
        )
        changes: dict[str, Any] = {"confirmed_at": timezone.now()}
        data: dict[str, Any] = {}
        if previous is not None:
            flow_move(
                previous,
                flow=REGISTRATION_FLOW,
                action=RegistrationAction.TRANSFER_OUT,
                actor=actor,
                note=community.name,
                data={"to_registration": registration.pk, "to_community": community.code},
            )
            changes["transferred_from"] = previous
            data["moved_from"] = previous.pk
        flow_move(
            registration,
            flow=REGISTRATION_FLOW,
            action=RegistrationAction.CONFIRM,
            actor=actor,
            changes=changes,
            data=data,
            expected_version=expected_version,
        )
    return registration


def _drop_move(registration: MemberRegistration) -> tuple[dict[str, Any], dict[str, Any]]:
    """The changes and event data that end a pending move: the link goes, the event keeps where it came from."""
    if registration.state != RegistrationState.PENDING or registration.transferred_from_id is None:
        return {}, {}
    return {"transferred_from": None}, {"moved_from": registration.transferred_from_id}


def registration_reject(
    *, actor: Any, registration: MemberRegistration, reason: str, expected_version: int
) -> MemberRegistration:
    """The community rejects the registration with a reason, which the member sees."""
    reason = reason.strip()
    with transaction.atomic():
        _require_manage(actor, registration.community_id)
        errors = _reason_errors(reason)
        if errors:
            raise ValidationError(errors)
        changes, data = _drop_move(registration)
        flow_move(
            registration,
            flow=REGISTRATION_FLOW,
            action=RegistrationAction.REJECT,
            actor=actor,
            note=reason,
            data=data,
            changes={"reason": reason, **changes},
            expected_version=expected_version,
        )
    return registration


def registration_withdraw(
    *, actor: Any, registration: MemberRegistration, expected_version: int | None = None
) -> MemberRegistration:
    """The member withdraws their own registration, awaiting confirmation or confirmed."""
    _require_signed_in(actor)
    if registration.user_id != actor.pk:
        raise PermissionDenied(_("Only the member may withdraw their registration."))
    with transaction.atomic():
        changes, data = _drop_move(registration)
        flow_move(
            registration,
            flow=REGISTRATION_FLOW,
            action=RegistrationAction.WITHDRAW,
            actor=actor,
            data=data,
            changes=changes,
            expected_version=expected_version,
        )
    return registration


# --- 单位报到: a unit's registration ----------------------------------------------------------------------------------


def unit_is_contact(*, user: Any, unit: ResidentUnit) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and UnitContact.objects.filter(unit=unit, user=user).exists()


def unit_registration_submit(
    *, actor: Any, unit: ResidentUnit, community: Place | None, offers: str = ""
) -> UnitRegistration:
    """单位报到: ``unit``'s party organisation registers with ``community``, saying what it offers.

    By a contact of the unit (any community), or by staff holding MANAGE_PARTY over both the unit's place and the
    community (recording a registration brought to the office). One registration of a unit with a community
    awaiting confirmation or confirmed at a time."""
    _require_signed_in(actor)
    offers = offers.strip()
    with transaction.atomic():
        unit = ResidentUnit.objects.select_for_update().select_related("place").get(pk=unit.pk)
        is_contact = unit_is_contact(user=actor, unit=unit)
        if not is_contact:
            place_require_scope(actor=actor, place=unit.place, perm=Perm.MANAGE_PARTY)
        errors = _community_errors(community)
        if (
            not errors
            and not is_contact
            and community is not None
            and not _in_scope(actor, community, Perm.MANAGE_PARTY)
        ):
            errors["community"] = _("This community is outside the units you may manage.")
        if len(offers) > MAX_OFFERS:
            errors["offers"] = _("The text is longer than %(max)d characters.") % {"max": MAX_OFFERS}
        active = [RegistrationState.PENDING, RegistrationState.CONFIRMED]
        if not errors and UnitRegistration.objects.filter(unit=unit, community=community, state__in=active).exists():
            errors["community"] = _("%(unit)s is already registered with %(community)s, or awaits its answer.") % {
                "unit": unit.name,
                "community": community.name if community else "",
            }
        if errors or community is None:
            raise ValidationError(errors)
        registration = UnitRegistration(unit=unit, community=community, offers=offers)
        flow_start(
            registration,
            flow=UNIT_REGISTRATION_FLOW,
            actor=actor,
            data={"unit": unit.pk, "community": community.code, "by_contact": is_contact},
        )
    return registration


def unit_registration_confirm(*, actor: Any, registration: UnitRegistration, expected_version: int) -> UnitRegistration:
    """The community confirms the unit's registration (MANAGE_PARTY over the community)."""
    with transaction.atomic():
        _require_manage(actor, registration.community_id)
        flow_move(
            registration,
            flow=UNIT_REGISTRATION_FLOW,
            action=RegistrationAction.CONFIRM,
            actor=actor,
            expected_version=expected_version,
        )
    return registration


def unit_registration_reject(
    *, actor: Any, registration: UnitRegistration, reason: str, expected_version: int
) -> UnitRegistration:
    """The community rejects the unit's registration with a reason, which the unit's contacts see."""
    reason = reason.strip()
    with transaction.atomic():
        _require_manage(actor, registration.community_id)
        errors = _reason_errors(reason)
        if errors:
            raise ValidationError(errors)
        flow_move(
            registration,
            flow=UNIT_REGISTRATION_FLOW,
            action=RegistrationAction.REJECT,
            actor=actor,
            note=reason,
            changes={"reason": reason},
            expected_version=expected_version,
        )
    return registration


def unit_registration_withdraw(
    *, actor: Any, registration: UnitRegistration, expected_version: int | None = None
) -> UnitRegistration:
    """The unit withdraws its registration: by one of its contacts, or by staff holding MANAGE_PARTY over the
    unit's place or the community."""
    _require_signed_in(actor)
    with transaction.atomic():
        unit = ResidentUnit.objects.select_related("place").get(pk=registration.unit_id)
        community = Place.objects.get(pk=registration.community_id)
        allowed = (
            unit_is_contact(user=actor, unit=unit)
            or _in_scope(actor, unit.place, Perm.MANAGE_PARTY)
            or _in_scope(actor, community, Perm.MANAGE_PARTY)
        )
        if not allowed:
            raise PermissionDenied(_("Only the unit or its community may withdraw this registration."))
        flow_move(
            registration,
            flow=UNIT_REGISTRATION_FLOW,
            action=RegistrationAction.WITHDRAW,
            actor=actor,
            expected_version=expected_version,
        )
    return registration


def unit_contact_add(*, actor: Any, unit: ResidentUnit, user: User | None) -> UnitContact:
    """Let ``user`` speak for ``unit`` (the employer's side: its members' records and evaluations). By staff holding
    MANAGE_PARTY over the unit's place; audited."""
    with transaction.atomic():
        unit = ResidentUnit.objects.select_related("place").get(pk=unit.pk)
        place_require_scope(actor=actor, place=unit.place, perm=Perm.MANAGE_PARTY)
        if user is None:
            raise ValidationError(
                {"account": _("No account has this mobile number. Ask the person to sign in once with it first.")}
            )
        if not user.is_active:
            raise ValidationError({"account": _("This account is disabled.")})
        if UnitContact.objects.filter(unit=unit, user=user).exists():
            raise ValidationError({"account": _("This account already speaks for %(unit)s.") % {"unit": unit.name}})
        contact = UnitContact.objects.create(unit=unit, user=user)
        audit_record(
            actor=actor,
            action="unit_contact.add",
            target=contact,
            detail={"unit": unit.pk, "unit_name": unit.name, "user": user.pk},
        )
    return contact
