"""The mediators' roster at /staff/mediation/mediators/: the mediators serving the user's area with their load
(open cases against their most), adding one and changing one (availability included). Reads through
``mediation.selectors_documents``, writes through ``mediation.services.mediators`` (MANAGE_DISPUTES over the
mediator's place)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gridwork.accounts.roles import Perm
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.mediation import selectors_documents as selectors
from gridwork.mediation.forms_documents import MediatorFilterForm, MediatorForm
from gridwork.mediation.models import DisputeType, Mediator
from gridwork.mediation.services.mediators import mediator_create, mediator_update
from gridwork.mediation.views.documents import run_service


def _crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Mediators"), "url": reverse("mediation:mediator-list")}, *extra]


@staff_view(Perm.VIEW_DISPUTES)
@require_GET
def mediator_list_view(request: HttpRequest) -> HttpResponse:
    """人民调解员名册: the mediators serving the user's area, their kind, what they serve, and their load."""
    user: Any = request.user
    form = MediatorFilterForm(request.GET or None)
    values = form.cleaned_data if form.is_bound and form.is_valid() else {}
    availability = values.get("available") or ""
    roster = selectors.mediator_roster(
        user,
        kind=values.get("kind") or "",
        available={"yes": True, "no": False}.get(availability),
        search=(values.get("q") or "").strip(),
    )
    page, query = paginate(request, roster)
    mediators: list[Mediator] = list(page)
    for mediator in mediators:
        mediator.can_edit = selectors.holds(user, Perm.MANAGE_DISPUTES, mediator.place)  # type: ignore[attr-defined]
        mediator.full = mediator.open_cases >= mediator.max_open_cases  # type: ignore[attr-defined]
    return render(
        request,
        "mediation/mediators/list.html",
        {
            "form": form,
            "page_obj": page,
            "mediators": mediators,
            "query": query,
            "may_add": user.has_perm_anywhere(Perm.MANAGE_DISPUTES),
            "dispute_types": DisputeType.choices,
            "breadcrumbs": _crumbs(),
        },
    )


def _form(request: HttpRequest, **kwargs: Any) -> MediatorForm:
    user: Any = request.user
    return MediatorForm(
        request.POST or None,
        places=selectors.mediator_place_choices(user),
        communities=selectors.mediator_community_choices(user),
        **kwargs,
    )


@staff_view(Perm.MANAGE_DISPUTES)
@require_http_methods(["GET", "POST"])
def mediator_create_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = _form(request)
    status, refusal = 200, ""
    if request.method == "POST":
        status, refusal, mediator = run_service(form, lambda: mediator_create(actor=user, **form.service_fields()))
        if mediator is not None:
            messages.success(request, _("%(name)s is on the roster.") % {"name": mediator.name})
            return redirect("mediation:mediator-list")
    return render(
        request,
        "mediation/mediators/form.html",
        {
            "form": form,
            "mediator": None,
            "refusal": refusal,
            "breadcrumbs": _crumbs({"label": _("Add a mediator"), "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.MANAGE_DISPUTES)
@require_http_methods(["GET", "POST"])
def mediator_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    mediator = selectors.mediator_get(user=user, pk=pk, perm=Perm.MANAGE_DISPUTES)
    form = _form(
        request,
        initial={
            "name": mediator.name,
            "kind": mediator.kind,
            "phone": mediator.phone,
            "organisation": mediator.organisation,
            "place": mediator.place,
            "communities": list(mediator.communities.all()),
            "dispute_types": list(mediator.dispute_types or []),
            "available": mediator.available,
            "max_open_cases": mediator.max_open_cases,
            "username": mediator.user.get_username() if mediator.user is not None else "",
            "note": mediator.note,
        },
    )
    status, refusal = 200, ""
    if request.method == "POST":
        status, refusal, saved = run_service(
            form, lambda: mediator_update(actor=user, mediator=mediator, **form.service_fields())
        )
        if saved is not None:
            messages.success(request, _("%(name)s is updated.") % {"name": saved.name})
            return redirect("mediation:mediator-list")
    return render(
        request,
        "mediation/mediators/form.html",
        {
            "form": form,
            "mediator": mediator,
            "refusal": refusal,
            "breadcrumbs": _crumbs({"label": mediator.name, "url": ""}),
        },
        status=status,
    )
