"""The accounts that speak for a resident unit (``UnitContact``), made and removed by staff.

Staff holding MANAGE_PARTY over the place where the unit sits give a mobile number: the account with that number
becomes a contact of the unit, and when there is none a resident account is made for it, exactly as the first
sign-in by code would make it (``gridwork.accounts.services.phone_code_verify``). The person then signs in with a
code sent to that phone and lands on the unit's pages. A staff account cannot be a unit's contact (staff sign in with
a password and see by their posts), nor can a disabled one. Removing a contact ends what the account sees of the
unit at once; the account itself stays (it may be a resident's). Both are audited, the phone masked.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from gridwork.accounts.models import User, UserKind
from gridwork.accounts.roles import Perm
from gridwork.accounts.services import phone_is_valid, phone_normalise, resident_account_create
from gridwork.audit.services import audit_record
from gridwork.common.masking import mask_phone
from gridwork.party.models import UnitContact
from gridwork.people.models import ResidentUnit
from gridwork.places.services import place_require_scope

MAX_FULL_NAME = 100


def _account_for(phone: str, full_name: str, actor: Any) -> tuple[User, bool]:
    """The account of ``phone``, made as a resident's when there is none; (account, made now)."""
    user = User.objects.select_for_update().filter(phone=phone).first()
    if user is not None:
        if user.kind != UserKind.RESIDENT:
            raise ValidationError(
                {"phone": _("This number belongs to a staff account; staff cannot speak for a unit.")}
            )
        if not user.is_active:
            raise ValidationError({"phone": _("The account with this number is disabled.")})
        return user, False
    try:
        return resident_account_create(phone=phone, full_name=full_name, actor=actor), True
    except IntegrityError as error:
        # Someone signed in with this number a moment ago: use that account.
        existing = User.objects.filter(phone=phone, kind=UserKind.RESIDENT, is_active=True).first()
        if existing is None:
            raise ValidationError({"phone": _("An account for this number could not be made; try again.")}) from error
        return existing, False


def unit_contact_account_create(
    *, actor: Any, unit: ResidentUnit, phone: str, full_name: str = "", request: HttpRequest | None = None
) -> UnitContact:
    """Make the account of ``phone`` (found, or made as a resident's) a contact of ``unit``; audited."""
    phone = phone_normalise(phone)
    full_name = full_name.strip()
    with transaction.atomic():
        unit = ResidentUnit.objects.select_for_update().select_related("place").get(pk=unit.pk)
        place_require_scope(actor=actor, place=unit.place, perm=Perm.MANAGE_PARTY)
        errors: dict[str, str] = {}
        if not phone_is_valid(phone):
            errors["phone"] = _("Enter a mainland mobile number of 11 digits, such as 13812345678.")
        if len(full_name) > MAX_FULL_NAME:
            errors["full_name"] = _("The name is longer than %(max)d characters.") % {"max": MAX_FULL_NAME}
        if errors:
            raise ValidationError(errors)
        user, made = _account_for(phone, full_name, actor)
        if UnitContact.objects.filter(unit=unit, user=user).exists():
            raise ValidationError({"phone": _("This account already speaks for %(unit)s.") % {"unit": unit.name}})
        contact = UnitContact.objects.create(unit=unit, user=user)
        audit_record(
            actor=actor,
            action="unit_contact.add",
            target=contact,
            detail={
                "unit": unit.pk,
                "unit_name": unit.name,
                "user": user.pk,
                "phone": mask_phone(phone),
                "account_made": made,
            },
            request=request,
        )
    return contact


def unit_contact_remove(*, actor: Any, contact: UnitContact, request: HttpRequest | None = None) -> None:
    """The account no longer speaks for the unit (MANAGE_PARTY over the unit's place); audited."""
    with transaction.atomic():
        contact = UnitContact.objects.select_for_update().select_related("unit__place", "user").get(pk=contact.pk)
        place_require_scope(actor=actor, place=contact.unit.place, perm=Perm.MANAGE_PARTY)
        audit_record(
            actor=actor,
            action="unit_contact.remove",
            target=contact,
            detail={
                "unit": contact.unit_id,
                "unit_name": contact.unit.name,
                "user": contact.user_id,
                "phone": mask_phone(contact.user.phone),
            },
            request=request,
        )
        contact.delete()


# --- reads --------------------------------------------------------------------------------------------------------


def unit_contacts_of(*, unit: ResidentUnit) -> QuerySet[UnitContact]:
    """The contacts of a unit (its page: the unit is in the viewer's scope)."""
    return UnitContact.objects.filter(unit=unit).select_related("user").order_by("created_at", "id")


def unit_for_contacts(*, user: Any, pk: int) -> ResidentUnit:
    """A unit whose contacts the user may change (MANAGE_PARTY where it sits); any other is not found."""
    unit = ResidentUnit.objects.restrict(user, Perm.MANAGE_PARTY).filter(pk=pk).select_related("place").first()
    if unit is None:
        raise Http404
    return unit


def unit_contact_get(*, unit: ResidentUnit, pk: int) -> UnitContact:
    contact = UnitContact.objects.filter(unit=unit, pk=pk).select_related("user").first()
    if contact is None:
        raise Http404
    return contact
