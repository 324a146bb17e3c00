"""Staff pages of resident units (驻区单位) at /staff/people/units/: the list (contact masked unless the viewer may
see personal data where the unit sits), one unit with its registrations, part-time members, contact accounts and
co-construction lists, and registering and editing a unit (MANAGE_PARTY where it sits; a unit outside is not
found)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gridwork.accounts.roles import Perm
from gridwork.common.forms import add_service_errors
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.party.contacts import unit_contacts_of
from gridwork.party.parttime_selectors import part_time_of_unit, term_status
from gridwork.people.forms import UnitForm
from gridwork.people.models import ResidentUnitKind
from gridwork.people.selectors import (
    resident_unit_for_edit,
    resident_unit_get,
    resident_unit_list,
    resident_unit_may_manage,
    resident_unit_may_see_personal_data,
    unit_place_choices,
)
from gridwork.people.services import resident_unit_create, resident_unit_update
from gridwork.people.unit_page import cobuild_sections, unit_registrations


def _crumbs(*extra: tuple[str, str]) -> list[dict[str, str]]:
    return [
        {"label": _("Resident units"), "url": reverse("people:unit-list") if extra else ""},
        *({"label": label, "url": url} for label, url in extra),
    ]


@staff_view(Perm.VIEW_PEOPLE)
@require_GET
def unit_list_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    search = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    kind = kind if kind in ResidentUnitKind.values else ""
    page, query = paginate(request, resident_unit_list(user=user, search=search, kind=kind))
    return render(
        request,
        "people/unit_list.html",
        {
            "page_obj": page,
            "query": query,
            "search": search,
            "kind": kind,
            "kinds": ResidentUnitKind.choices,
            "may_create": user.has_perm_anywhere(Perm.MANAGE_PARTY),
            "breadcrumbs": _crumbs(),
        },
    )


@staff_view(Perm.VIEW_PEOPLE)
@require_GET
def unit_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    unit = resident_unit_get(user=user, pk=pk)
    today = timezone.localdate()
    terms = [(term, term_status(term, today)) for term in part_time_of_unit(user=user, unit=unit)]
    return render(
        request,
        "people/unit_detail.html",
        {
            "unit": unit,
            "may_manage": resident_unit_may_manage(user=user, unit=unit),
            "personal_data": resident_unit_may_see_personal_data(user=user, unit=unit),
            "registrations": unit_registrations(user=user, unit=unit),
            "terms": terms,
            "contacts": unit_contacts_of(unit=unit),
            "sections": cobuild_sections(user=user, unit=unit),
            "breadcrumbs": _crumbs((unit.name, "")),
        },
    )


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def unit_create_view(request: HttpRequest) -> HttpResponse:
    """登记驻区单位 in a community or street of the user's area."""
    user: Any = request.user
    form = UnitForm(request.POST or None, places=unit_place_choices(user=user))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                unit = resident_unit_create(actor=user, values=form.values(), request=request)
            except ValidationError as invalid:
                add_service_errors(form, invalid)
            else:
                messages.success(request, _("%(unit)s is registered.") % {"unit": unit.name})
                return redirect("people:unit-detail", pk=unit.pk)
    return render(
        request,
        "people/unit_form.html",
        {"form": form, "title": _("Register a resident unit"), "breadcrumbs": _crumbs((_("Register"), ""))},
        status=status,
    )


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def unit_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a unit; an editor who may not see personal data sees the contact masked and keeps it unless they type a
    new one."""
    user: Any = request.user
    unit = resident_unit_for_edit(user=user, pk=pk)
    unmasked = bool(getattr(unit, "unmasked", False))
    form = UnitForm(request.POST or None, places=unit_place_choices(user=user), unit=unit, contact_unmasked=unmasked)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                resident_unit_update(
                    actor=user, unit=unit, values=form.values(), keep_contact=form.keeps_contact(), request=request
                )
            except ValidationError as invalid:
                add_service_errors(form, invalid)
            else:
                messages.success(request, _("%(unit)s is saved.") % {"unit": unit.name})
                return redirect("people:unit-detail", pk=unit.pk)
    return render(
        request,
        "people/unit_form.html",
        {
            "form": form,
            "unit": unit,
            "title": _("Edit %(unit)s") % {"unit": unit.name},
            "breadcrumbs": _crumbs((unit.name, reverse("people:unit-detail", args=[unit.pk])), (_("Edit"), "")),
        },
        status=status,
    )
