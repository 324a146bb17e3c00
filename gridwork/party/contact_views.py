"""Staff pages that make and remove the accounts speaking for a resident unit (its contacts), at
/staff/party/units/<pk>/contacts/…. Both need MANAGE_PARTY over the place where the unit sits; a unit outside it,
or a contact of another unit, is not found. Both lead back to the unit's page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gridwork.accounts.roles import Perm
from gridwork.common.forms import add_service_errors
from gridwork.common.masking import mask_name, mask_phone
from gridwork.common.permissions import staff_view
from gridwork.party import contacts
from gridwork.party.parttime_forms import ContactAccountForm
from gridwork.people.models import ResidentUnit
from gridwork.people.selectors import resident_unit_may_see_personal_data


def _crumbs(unit: ResidentUnit, label: str) -> list[dict[str, str]]:
    return [
        {"label": _("Resident units"), "url": reverse("people:unit-list")},
        {"label": unit.name, "url": reverse("people:unit-detail", args=[unit.pk])},
        {"label": label, "url": ""},
    ]


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def unit_contact_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A contact account for the unit: the person's mobile number (an account is made when there is none)."""
    user: Any = request.user
    unit = contacts.unit_for_contacts(user=user, pk=pk)
    form = ContactAccountForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                contacts.unit_contact_account_create(
                    actor=user,
                    unit=unit,
                    phone=form.cleaned_data["phone"],
                    full_name=form.cleaned_data["full_name"],
                    request=request,
                )
            except ValidationError as invalid:
                add_service_errors(form, invalid)
            else:
                messages.success(
                    request,
                    _("The account of %(phone)s now speaks for %(unit)s; the person signs in with a code sent to it.")
                    % {"phone": mask_phone(form.cleaned_data["phone"]), "unit": unit.name},
                )
                return redirect("people:unit-detail", pk=unit.pk)
    return render(
        request,
        "party/unit_contact_form.html",
        {"form": form, "unit": unit, "breadcrumbs": _crumbs(unit, _("Add a contact account"))},
        status=status,
    )


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def unit_contact_remove_view(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    """Ask, then remove the contact: the account no longer sees the unit's pages."""
    user: Any = request.user
    unit = contacts.unit_for_contacts(user=user, pk=pk)
    contact = contacts.unit_contact_get(unit=unit, pk=contact_pk)
    if request.method == "POST":
        contacts.unit_contact_remove(actor=user, contact=contact, request=request)
        messages.success(request, _("The account no longer speaks for %(unit)s.") % {"unit": unit.name})
        return redirect("people:unit-detail", pk=unit.pk)
    unmasked = resident_unit_may_see_personal_data(user=user, unit=unit)
    account = contact.user
    return render(
        request,
        "party/unit_contact_remove.html",
        {
            "unit": unit,
            "contact": contact,
            "who": str(account) if unmasked else mask_name(account.full_name) or mask_phone(account.phone),
            "phone": account.phone if unmasked else mask_phone(account.phone),
            "breadcrumbs": _crumbs(unit, _("Remove a contact")),
        },
    )
