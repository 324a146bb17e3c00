"""Staff pages of organisations, at /staff/social-orgs/: the list (filters: community or street, kind, active or
dissolved, filing status, words), an organisation's page (members, incubations), creating, editing and dissolving it.

Reads through ``socialorgs.selectors`` (VIEW_ACTORS, 404 outside the user's units), writes through
``socialorgs.services`` (MANAGE_ACTORS). A refused form answers 400 with the field and why.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gridwork.accounts.roles import Perm
from gridwork.common.forms import add_service_errors
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.socialorgs import selectors, services
from gridwork.socialorgs.forms import DissolveForm, OrganisationForm
from gridwork.socialorgs.models import FilingStatus, Organisation, OrgKind
from gridwork.socialorgs.views.common import BAD_REQUEST, crumbs, organisation_crumbs


@staff_view(Perm.VIEW_ACTORS)
@require_GET
def organisation_list_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    places = selectors.filter_place_choices(user=user)
    code = request.GET.get("place", "")
    place = places.filter(code=code).first() if code else None
    filters = selectors.OrganisationFilters(
        place=place,
        kind=request.GET.get("kind", ""),
        status=request.GET.get("status", selectors.ACTIVE),
        filing=request.GET.get("filing", ""),
        q=request.GET.get("q", "")[:50],
    )
    organisations = selectors.organisation_list(user=user, filters=filters)
    page, query = paginate(request, organisations)
    rows = [
        {"organisation": org, "phone": selectors.shown_phone(user, org, org.contact_phone)} for org in page.object_list
    ]
    return render(
        request,
        "socialorgs/organisation_list.html",
        {
            "page_obj": page,
            "rows": rows,
            "query": query,
            "filters": filters,
            "places": places,
            "kinds": OrgKind.choices,
            "filings": FilingStatus.choices,
            "statuses": [(selectors.ACTIVE, _("Active")), (selectors.DISSOLVED, _("Dissolved")), ("all", _("All"))],
            "may_create": selectors.organisation_place_choices(user=user).exists(),
            "breadcrumbs": crumbs(),
        },
    )


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def organisation_create_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    places = selectors.organisation_place_choices(user=user)
    status = 200
    if request.method == "POST":
        form = OrganisationForm(request.POST, places=places)
        if form.is_valid():
            try:
                organisation = services.organisation_create(actor=user, values=form.to_input())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Organisation “%(name)s” recorded.") % {"name": organisation.name})
                return redirect("socialorgs:organisation-detail", pk=organisation.pk)
        status = BAD_REQUEST
    else:
        form = OrganisationForm(places=places, initial={"filing": FilingStatus.FILED})
    title = _("New organisation")
    return render(
        request,
        "socialorgs/organisation_form.html",
        {"form": form, "title": title, "breadcrumbs": crumbs({"label": title, "url": ""})},
        status=status,
    )


@staff_view(Perm.VIEW_ACTORS)
@require_GET
def organisation_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    organisation = selectors.organisation_get(user=user, pk=pk)
    members = selectors.organisation_members(user=user, organisation=organisation)
    return render(
        request,
        "socialorgs/organisation_detail.html",
        {
            "organisation": organisation,
            "phone": selectors.shown_phone(user, organisation, organisation.contact_phone),
            "members": members,
            "member_count": sum(1 for row in members if row.member.left_on is None),
            "incubations": selectors.organisation_incubations(organisation),
            "may_manage": services.holds(user, Perm.MANAGE_ACTORS, organisation.place),
            "breadcrumbs": organisation_crumbs(organisation),
        },
    )


def _manageable(request: HttpRequest, pk: int) -> Organisation:
    return selectors.organisation_get(user=request.user, pk=pk, perm=Perm.MANAGE_ACTORS)


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def organisation_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    organisation = _manageable(request, pk)
    places = selectors.organisation_place_choices(user=user)
    masked = not selectors.sees_personal_data(user, organisation)
    status = 200
    if request.method == "POST":
        form = OrganisationForm(request.POST, places=places, phone_on_record=organisation.contact_phone, masked=masked)
        if form.is_valid():
            try:
                services.organisation_update(actor=user, organisation=organisation, values=form.to_input())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Organisation saved."))
                return redirect("socialorgs:organisation-detail", pk=organisation.pk)
        status = BAD_REQUEST
    else:
        form = OrganisationForm(initial=OrganisationForm.initial_of(organisation, masked=masked), places=places)
    title = _("Edit the organisation")
    return render(
        request,
        "socialorgs/organisation_form.html",
        {
            "form": form,
            "organisation": organisation,
            "title": title,
            "breadcrumbs": organisation_crumbs(organisation, {"label": title, "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def organisation_dissolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    organisation = _manageable(request, pk)
    status = 200
    if request.method == "POST":
        form = DissolveForm(request.POST)
        if form.is_valid():
            try:
                services.organisation_dissolve(
                    actor=user,
                    organisation=organisation,
                    dissolved_on=form.cleaned_data["dissolved_on"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The organisation is recorded as dissolved."))
                return redirect("socialorgs:organisation-detail", pk=organisation.pk)
        status = BAD_REQUEST
    else:
        form = DissolveForm(initial={"dissolved_on": timezone.localdate()})
    title = _("Dissolve the organisation")
    return render(
        request,
        "socialorgs/simple_form.html",
        {
            "form": form,
            "title": title,
            "intro": _(
                "A dissolved organisation is kept with its date and reason; it no longer counts toward the target "
                "and no longer changes. An open incubation is withdrawn."
            ),
            "back": organisation_crumbs(organisation)[-1]["url"],
            "testid": "dissolve-form",
            "breadcrumbs": organisation_crumbs(organisation, {"label": title, "url": ""}),
        },
        status=status,
    )
