"""Staff pages of estates, at /staff/estates/: the list (by community, by search), an estate's page (its current
committee and those before it), creating and editing an estate (grids of its community only).

Reads through ``estates.selectors`` (VIEW_ACTORS, 404 outside the user's units), writes through ``estates.services``
(MANAGE_ACTORS). A refused form answers 400 with the field and why.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gridwork.accounts.roles import Perm
from gridwork.common.forms import add_service_errors
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.estates import selectors, services
from gridwork.estates.forms import EstateForm
from gridwork.estates.models import Estate
from gridwork.places.models import Place

BAD_REQUEST = 400


def crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Estates"), "url": reverse("estates:estate-list")}, *extra]


def estate_crumbs(estate: Estate, *extra: dict[str, str]) -> list[dict[str, str]]:
    return crumbs({"label": estate.name, "url": reverse("estates:estate-detail", args=[estate.pk])}, *extra)


@staff_view(Perm.VIEW_ACTORS)
@require_GET
def estate_list_view(request: HttpRequest) -> HttpResponse:
    """The estates of the user's units: name, community, kind, households, whether a committee is current."""
    user: Any = request.user
    q = request.GET.get("q", "")[:50]
    communities = selectors.community_choices(user=user)
    community: Place | None = None
    with contextlib.suppress(ValueError):
        community = communities.filter(pk=int(request.GET.get("community") or 0)).first()
    page, query = paginate(request, selectors.estate_list(user=user, q=q, community=community))
    return render(
        request,
        "estates/estate_list.html",
        {
            "page_obj": page,
            "query": query,
            "q": q,
            "community": community,
            "communities": communities,
            "may_create": selectors.community_choices(user=user, perm=Perm.MANAGE_ACTORS).exists(),
            "breadcrumbs": crumbs(),
        },
    )


def _community_of_form(request: HttpRequest, communities: Any, estate: Estate | None) -> Place | None:
    """The community whose grids the form offers: the one posted (if the user may choose it), else the estate's."""
    posted = request.POST.get("community") if request.method == "POST" else request.GET.get("community")
    if posted:
        with contextlib.suppress(ValueError):
            chosen = communities.filter(pk=int(posted)).first()
            if chosen is not None:
                return chosen
    if estate is not None:
        return estate.community
    return communities.first() if communities.count() == 1 else None


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def estate_create_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    communities = selectors.community_choices(user=user, perm=Perm.MANAGE_ACTORS)
    grids = selectors.grid_choices(_community_of_form(request, communities, None))
    status = 200
    if request.method == "POST":
        form = EstateForm(request.POST, communities=communities, grids=grids)
        if form.is_valid():
            try:
                estate = services.estate_create(actor=user, values=form.to_input())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Estate “%(name)s” created.") % {"name": estate.name})
                return redirect("estates:estate-detail", pk=estate.pk)
        status = BAD_REQUEST
    else:
        community = _community_of_form(request, communities, None)
        form = EstateForm(
            initial={"is_active": True, "community": community.pk if community else None},
            communities=communities,
            grids=grids,
        )
    return render(
        request,
        "estates/estate_form.html",
        {"form": form, "title": _("New estate"), "breadcrumbs": crumbs({"label": _("New estate"), "url": ""})},
        status=status,
    )


@staff_view(Perm.VIEW_ACTORS)
@require_GET
def estate_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    estate = selectors.estate_get(user=user, pk=pk)
    committees = list(selectors.estate_committees(estate))
    current = next((c for c in committees if c.state in ("forming", "active")), None)
    return render(
        request,
        "estates/estate_detail.html",
        {
            "estate": estate,
            "grids": estate.grids.order_by("path"),
            "current": current,
            "past": [c for c in committees if c is not current],
            "may_manage": services.manages_estate(user, estate),
            "breadcrumbs": estate_crumbs(estate),
        },
    )


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def estate_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    estate = selectors.estate_get(user=user, pk=pk, perm=Perm.MANAGE_ACTORS)
    communities = selectors.community_choices(user=user, perm=Perm.MANAGE_ACTORS)
    grids = selectors.grid_choices(_community_of_form(request, communities, estate))
    status = 200
    if request.method == "POST":
        form = EstateForm(request.POST, communities=communities, grids=grids)
        if form.is_valid():
            try:
                services.estate_update(actor=user, estate=estate, values=form.to_input())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Estate saved."))
                return redirect("estates:estate-detail", pk=estate.pk)
        status = BAD_REQUEST
    else:
        form = EstateForm(initial=EstateForm.initial_of(estate), communities=communities, grids=grids)
    title = _("Edit the estate")
    return render(
        request,
        "estates/estate_form.html",
        {
            "form": form,
            "estate": estate,
            "title": title,
            "breadcrumbs": estate_crumbs(estate, {"label": title, "url": ""}),
        },
        status=status,
    )
