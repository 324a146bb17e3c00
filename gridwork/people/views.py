"""Staff pages of residents. Personal data is masked unless revealed, and a reveal is audited. (Resident units:
``unit_views``.)"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gridwork.accounts.roles import Perm
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.people.selectors import resident_get, resident_list, resident_may_reveal
from gridwork.people.services import resident_reveal


@staff_view(Perm.VIEW_PEOPLE)
def resident_list_view(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    page, query = paginate(request, resident_list(user=request.user, search=search))
    return render(
        request,
        "people/resident_list.html",
        {"page_obj": page, "query": query, "search": search, "breadcrumbs": [{"label": _("Residents"), "url": ""}]},
    )


@staff_view(Perm.VIEW_PEOPLE)
@require_http_methods(["GET", "POST"])
def resident_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    resident = resident_get(user=request.user, pk=pk)
    may_reveal = resident_may_reveal(user=request.user, resident=resident)
    revealed = False
    if request.method == "POST":
        if not may_reveal:
            raise PermissionDenied
        resident_reveal(actor=request.user, resident=resident, request=request)
        revealed = True
    return render(
        request,
        "people/resident_detail.html",
        {
            "resident": resident,
            "may_reveal": may_reveal,
            "revealed": revealed,
            "breadcrumbs": [
                {"label": _("Residents"), "url": reverse("people:resident-list")},
                {"label": _("Resident"), "url": ""},
            ],
        },
    )
