"""Staff pages of incubation: the bases of the user's units (list, page, create, edit), an organisation entering a
base, an incubation's page with its history and its moves (start mentoring, graduate, withdraw).

Reads VIEW_ACTORS (404 outside the user's units), writes MANAGE_ACTORS. A refused form answers 400 with the field; a
move the state does not allow, or made on a stale page, answers 409 with the message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.accounts.roles import Perm
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.forms import add_service_errors
from gridwork.common.permissions import staff_view
from gridwork.socialorgs import selectors, services
from gridwork.socialorgs.flows import ACTION_LABELS, INCUBATION_FLOW, IncubationAction
from gridwork.socialorgs.forms import BaseForm, EnterForm, MoveForm
from gridwork.socialorgs.models import Incubation, IncubationBase
from gridwork.socialorgs.views.common import BAD_REQUEST, CONFLICT, crumbs, organisation_crumbs


def base_crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return crumbs({"label": _("Incubation bases"), "url": reverse("socialorgs:base-list")}, *extra)


@staff_view(Perm.VIEW_ACTORS)
@require_GET
def base_list_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    return render(
        request,
        "socialorgs/base_list.html",
        {
            "bases": selectors.base_list(user=user),
            "may_create": selectors.base_place_choices(user=user).exists(),
            "breadcrumbs": base_crumbs(),
        },
    )


@staff_view(Perm.VIEW_ACTORS)
@require_GET
def base_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    base = selectors.base_get(user=user, pk=pk)
    return render(
        request,
        "socialorgs/base_detail.html",
        {
            "base": base,
            "incubations": selectors.base_incubations(user=user, base=base),
            "may_manage": services.holds(user, Perm.MANAGE_ACTORS, base.place),
            "breadcrumbs": base_crumbs({"label": base.name, "url": ""}),
        },
    )


def _base_form(request: HttpRequest, base: IncubationBase | None) -> HttpResponse:
    user: Any = request.user
    places = selectors.base_place_choices(user=user)
    status = 200
    if request.method == "POST":
        form = BaseForm(request.POST, places=places)
        if form.is_valid():
            try:
                if base is None:
                    base = services.base_create(actor=user, values=form.to_input())
                else:
                    services.base_update(actor=user, base=base, values=form.to_input())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Incubation base saved."))
                return redirect("socialorgs:base-detail", pk=base.pk)
        status = BAD_REQUEST
    elif base is None:
        form = BaseForm(places=places)
    else:
        form = BaseForm(places=places, initial={"name": base.name, "place": base.place_id, "address": base.address})
    title = _("New incubation base") if base is None else _("Edit the incubation base")
    back = reverse("socialorgs:base-list") if base is None else reverse("socialorgs:base-detail", args=[base.pk])
    return render(
        request,
        "socialorgs/simple_form.html",
        {
            "form": form,
            "title": title,
            "back": back,
            "testid": "base-form",
            "breadcrumbs": base_crumbs({"label": title, "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def base_create_view(request: HttpRequest) -> HttpResponse:
    return _base_form(request, None)


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def base_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _base_form(request, selectors.base_get(user=request.user, pk=pk, perm=Perm.MANAGE_ACTORS))


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def incubation_enter_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    organisation = selectors.organisation_get(user=user, pk=pk, perm=Perm.MANAGE_ACTORS)
    bases = selectors.bases_serving(organisation)
    status = 200
    if request.method == "POST":
        form = EnterForm(request.POST, bases=bases)
        if form.is_valid():
            data = form.cleaned_data
            try:
                incubation = services.incubation_enter(
                    actor=user,
                    organisation=organisation,
                    base=data["base"],
                    entered_on=data["entered_on"],
                    mentor=data["mentor"],
                    notes=data["notes"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The organisation entered %(base)s.") % {"base": incubation.base.name})
                return redirect("socialorgs:incubation-detail", pk=incubation.pk)
        status = BAD_REQUEST
    else:
        form = EnterForm(bases=bases, initial={"entered_on": timezone.localdate()})
    title = _("Enter an incubation base")
    return render(
        request,
        "socialorgs/simple_form.html",
        {
            "form": form,
            "title": title,
            "back": organisation_crumbs(organisation)[-1]["url"],
            "testid": "enter-form",
            "breadcrumbs": organisation_crumbs(organisation, {"label": title, "url": ""}),
        },
        status=status,
    )


def _detail(
    request: HttpRequest,
    incubation: Incubation,
    *,
    status: int = 200,
    refusal: str = "",
    bound: MoveForm | None = None,
) -> HttpResponse:
    user: Any = request.user
    may_manage = services.holds(user, Perm.MANAGE_ACTORS, incubation.organisation.place)
    moves = []
    if may_manage:
        for action in INCUBATION_FLOW.allowed(incubation.state):
            if bound is not None and bound.data.get("action") == action:
                form = bound
            else:
                form = MoveForm(
                    initial={"action": action, "version": incubation.version, "on": timezone.localdate()},
                    auto_id=f"{action}-%s",
                )
            moves.append(
                {
                    "action": action,
                    "label": INCUBATION_FLOW.action_label(action),
                    "form": form,
                    "asks_mentor": action == IncubationAction.MENTOR,
                }
            )
    events = [
        {"event": event, "label": ACTION_LABELS.get(event.action, event.action)}
        for event in selectors.incubation_history(incubation)
    ]
    return render(
        request,
        "socialorgs/incubation_detail.html",
        {
            "incubation": incubation,
            "moves": moves,
            "events": events,
            "refusal": refusal,
            "breadcrumbs": organisation_crumbs(incubation.organisation, {"label": incubation.base.name, "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.VIEW_ACTORS)
@require_GET
def incubation_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.incubation_get(user=request.user, pk=pk))


@staff_view(Perm.MANAGE_ACTORS)
@require_POST
def incubation_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    incubation = selectors.incubation_get(user=user, pk=pk, perm=Perm.MANAGE_ACTORS)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _detail(request, incubation, status=BAD_REQUEST, bound=form)
    data = form.cleaned_data
    try:
        services.incubation_move(
            actor=user,
            incubation=incubation,
            action=data["action"],
            on=data["on"],
            mentor=data["mentor"],
            note=data["note"],
            expected_version=data["version"],
        )
    except (StaleState, MoveRefused) as error:
        fresh = selectors.incubation_get(user=user, pk=pk)
        return _detail(request, fresh, status=CONFLICT, refusal=str(error))
    except ValidationError as error:
        add_service_errors(form, error)
        return _detail(request, incubation, status=BAD_REQUEST, bound=form)
    messages.success(request, str(ACTION_LABELS[data["action"]]))
    return redirect("socialorgs:incubation-detail", pk=incubation.pk)
