"""Public pages of owners' committees, at /estates/: the estates with an active committee (search by name or
community) and an estate's page with its committee — kind, term, party leadership, the sitting members' names and
roles (never phones or accounts) — and its public duty notices (履职公示). Anything else is not found."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from gridwork.common.permissions import public_view
from gridwork.estates import selectors

PAGE_SIZE = 30


@public_view
@require_GET
def estate_list_view(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:50]
    page = Paginator(selectors.public_estates(q=q), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "estates/public/list.html", {"page_obj": page, "q": q})


@public_view
@require_GET
def estate_view(request: HttpRequest, pk: int) -> HttpResponse:
    committee = selectors.public_committee_of(pk)
    return render(
        request,
        "estates/public/estate.html",
        {
            "estate": committee.estate,
            "committee": committee,
            "members": selectors.public_members(committee),
            "notices": selectors.public_notices(committee),
        },
    )
