"""Staff pages of party organisations and members."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.party.models import PartyOrgKind
from gridwork.party.selectors import (
    part_time_member_list,
    party_member_list,
    party_organisation_get,
    party_organisation_list,
)


@staff_view(Perm.VIEW_PARTY)
def organisation_list_view(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in PartyOrgKind.values:
        kind = ""
    search = request.GET.get("q", "").strip()
    page, query = paginate(request, party_organisation_list(user=request.user, kind=kind or None, search=search))
    return render(
        request,
        "party/organisation_list.html",
        {
            "page_obj": page,
            "query": query,
            "kinds": PartyOrgKind.choices,
            "kind": kind,
            "search": search,
            "breadcrumbs": [{"label": _("Party organisations"), "url": ""}],
        },
    )


@staff_view(Perm.VIEW_PARTY)
def organisation_detail_view(request: HttpRequest, code: str) -> HttpResponse:
    organisation = party_organisation_get(user=request.user, code=code)
    page, query = paginate(request, party_member_list(user=request.user, organisation=organisation))
    return render(
        request,
        "party/organisation_detail.html",
        {
            "organisation": organisation,
            "page_obj": page,
            "query": query,
            "children": party_organisation_list(user=request.user).filter(parent=organisation),
            "part_time_members": part_time_member_list(user=request.user, organisation=organisation),
            "breadcrumbs": [
                {"label": _("Party organisations"), "url": reverse("party:organisation-list")},
                {"label": organisation.name, "url": ""},
            ],
        },
    )


@staff_view(Perm.VIEW_PARTY)
def member_list_view(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    in_service = {"1": True, "0": False}.get(request.GET.get("in_service", ""))
    page, query = paginate(request, party_member_list(user=request.user, search=search, in_service=in_service))
    return render(
        request,
        "party/member_list.html",
        {
            "page_obj": page,
            "query": query,
            "search": search,
            "in_service": request.GET.get("in_service", ""),
            "breadcrumbs": [{"label": _("Party members"), "url": ""}],
        },
    )
