"""A resident unit's contact's pages (mobile), at /unit/resources/: the resources of the units they speak for (list,
add, edit, used up / available again / withdraw), and the open needs of the communities where their units sit, to
see where they can help. Another unit's resource is not found (404)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.cobuild import services
from gridwork.cobuild.categories import ServiceField
from gridwork.cobuild.flows import RESOURCE_FLOW, ResourceAction
from gridwork.cobuild.forms import NoteForm, ReasonForm, ResourceForm
from gridwork.cobuild.models import Resource
from gridwork.cobuild.selectors import (
    contact_need_get,
    contact_needs,
    contact_resource_get,
    contact_resources,
    resource_events,
    resource_matches,
)
from gridwork.cobuild.views.common import move_failure, timeline
from gridwork.cobuild.views.resources import MOVE_DONE, resource_form_values, resource_initial, resource_move
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.forms import add_service_errors
from gridwork.party.access import unit_contact_view


@unit_contact_view
@require_GET
def resource_list_view(request: HttpRequest) -> HttpResponse:
    """Our resources, newest first."""
    return render(
        request,
        "cobuild/unit/resource_list.html",
        {"resources": contact_resources(user=request.user), "units": request.units},  # type: ignore[attr-defined]
    )


@unit_contact_view
@require_http_methods(["GET", "POST"])
def resource_create_view(request: HttpRequest) -> HttpResponse:
    units = request.units  # type: ignore[attr-defined]
    initial = {"unit": units.first().pk} if units.count() == 1 else {}
    form = ResourceForm(request.POST or None, initial=initial, units=units)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                resource = services.resource_publish(
                    actor=request.user, unit=form.cleaned_data["unit"], **resource_form_values(form)
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The resource is on your list; the communities around you see it."))
                return redirect("unit_cobuild:resource-detail", pk=resource.pk)
        status = 400
    return render(request, "cobuild/unit/resource_form.html", {"form": form, "resource": None}, status=status)


def _detail(
    request: HttpRequest, resource: Resource, *, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    allowed = set(RESOURCE_FLOW.allowed(resource.state))
    initial = {"version": resource.version}
    forms = forms or {}
    return render(
        request,
        "cobuild/unit/resource_detail.html",
        {
            "resource": resource,
            "matches": resource_matches(resource),
            "timeline": timeline(resource_events(resource), flow=RESOURCE_FLOW, with_actors=False),
            "may_edit": ResourceAction.EDIT in allowed,
            "may_use_up": ResourceAction.USE_UP in allowed,
            "may_restore": ResourceAction.RESTORE in allowed,
            "may_withdraw": ResourceAction.WITHDRAW in allowed,
            "use_up_form": forms.get("use_up") or NoteForm(initial=initial, prefix="use_up"),
            "restore_form": forms.get("restore") or NoteForm(initial=initial, prefix="restore"),
            "withdraw_form": forms.get("withdraw") or ReasonForm(initial=initial, prefix="withdraw"),
        },
        status=status,
    )


@unit_contact_view
@require_GET
def resource_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, contact_resource_get(user=request.user, pk=pk))


@unit_contact_view
@require_http_methods(["GET", "POST"])
def resource_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    resource = contact_resource_get(user=request.user, pk=pk)
    form = ResourceForm(request.POST or None, initial=resource_initial(resource), editing=True)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.resource_update(
                    actor=request.user,
                    resource=resource,
                    expected_version=form.cleaned_data["version"],
                    **resource_form_values(form),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except (MoveRefused, StaleState) as error:
                message, status = move_failure(error)
                form.add_error(None, message)
                return render(
                    request, "cobuild/unit/resource_form.html", {"form": form, "resource": resource}, status=status
                )
            else:
                messages.success(request, _("The resource is saved."))
                return redirect("unit_cobuild:resource-detail", pk=resource.pk)
        status = 400
    return render(request, "cobuild/unit/resource_form.html", {"form": form, "resource": resource}, status=status)


def _contact_move(request: HttpRequest, pk: int, prefix: str) -> HttpResponse:
    resource = contact_resource_get(user=request.user, pk=pk)
    form, problem = resource_move(request, resource, prefix=prefix)
    if isinstance(problem, ValidationError):
        return _detail(request, resource, forms={prefix: form}, status=400)
    if problem is not None:
        message, status = move_failure(problem)
        messages.error(request, message)
        return _detail(request, contact_resource_get(user=request.user, pk=pk), status=status)
    messages.success(request, MOVE_DONE[prefix])
    return redirect("unit_cobuild:resource-detail", pk=resource.pk)


@unit_contact_view
@require_POST
def resource_use_up_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _contact_move(request, pk, "use_up")


@unit_contact_view
@require_POST
def resource_restore_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _contact_move(request, pk, "restore")


@unit_contact_view
@require_POST
def resource_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _contact_move(request, pk, "withdraw")


# --- the needs around us ----------------------------------------------------------------------------------------------


@unit_contact_view
@require_GET
def need_list_view(request: HttpRequest) -> HttpResponse:
    """The open needs of the communities where our units sit (or registered), those wanted soonest first."""
    field = request.GET.get("field", "")
    if field not in ServiceField.values:
        field = ""
    return render(
        request,
        "cobuild/unit/need_list.html",
        {"needs": contact_needs(user=request.user, field=field)[:200], "field": field, "fields": ServiceField.choices},
    )


@unit_contact_view
@require_GET
def need_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "cobuild/unit/need_detail.html", {"need": contact_need_get(user=request.user, pk=pk)})
