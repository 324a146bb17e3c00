"""Staff pages of the resources list (资源清单), at /staff/cobuild/resources/: the resources of the units in the
user's area and the Excel export, a resource with its matches and timeline, and entering or changing a resource on a
unit's behalf (used up / available again / withdrawn)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.accounts.roles import Perm
from gridwork.cobuild import services
from gridwork.cobuild.exports import day_name, resource_headers, resource_rows, table_xlsx, xlsx_response
from gridwork.cobuild.flows import RESOURCE_FLOW, ResourceAction
from gridwork.cobuild.forms import ListFilterForm, NoteForm, ReasonForm, ResourceForm
from gridwork.cobuild.models import Resource, ResourceState
from gridwork.cobuild.selectors import (
    may_at,
    resource_events,
    resource_get,
    resource_list,
    resource_matches,
    unit_choices,
)
from gridwork.cobuild.views.common import move_failure, timeline
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.forms import add_service_errors
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view


def crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Resources"), "url": reverse("cobuild:resource-list")}, *extra]


def _filters(request: HttpRequest) -> tuple[ListFilterForm, dict[str, str]]:
    bound = any(request.GET.get(name) for name in ("state", "field", "kind", "q"))
    form = ListFilterForm(request.GET if bound else None, subject="resource")
    return form, form.values()


def _listed(user: Any, values: dict[str, str]) -> Any:
    return resource_list(
        user=user, state=values["state"], kind=values["kind"], field=values["field"], search=values["q"]
    )


@staff_view(Perm.VIEW_PARTY)
@require_GET
def resource_list_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form, values = _filters(request)
    page, query = paginate(request, _listed(user, values))
    return render(
        request,
        "cobuild/resource_list.html",
        {
            "form": form,
            "page_obj": page,
            "query": query,
            "may_manage": user.has_perm_anywhere(Perm.MANAGE_PARTY),
            "breadcrumbs": [{"label": _("Resources"), "url": ""}],
        },
    )


@staff_view(Perm.VIEW_PARTY)
@require_GET
def resource_export_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    _form, values = _filters(request)
    export = table_xlsx(
        title=_("Resources"),
        headers=resource_headers(),
        rows=resource_rows(_listed(user, values)),
        about=[
            (_("State"), ResourceState(values["state"]).label if values["state"] else _("All states")),
            (_("Words"), values["q"]),
            (_("Exported at"), timezone.now()),
            (_("Exported by"), str(user)),
        ],
    )
    today = day_name(timezone.localdate())
    return xlsx_response(
        export.content, ascii_name=f"resources-{today}.xlsx", display_name=f"{_('Resources')}-{today}.xlsx"
    )


def resource_form_values(form: ResourceForm) -> dict[str, Any]:
    names = (
        "kind",
        "field",
        "title",
        "description",
        "quantity",
        "quantity_unit",
        "available_from",
        "available_to",
        "availability",
    )
    return {name: form.cleaned_data[name] for name in names}


def resource_initial(resource: Resource) -> dict[str, Any]:
    return {
        "kind": resource.kind,
        "field": resource.field,
        "title": resource.title,
        "description": resource.description,
        "quantity": resource.quantity,
        "quantity_unit": resource.quantity_unit,
        "available_from": resource.available_from,
        "available_to": resource.available_to,
        "availability": resource.availability,
        "version": resource.version,
    }


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def resource_create_view(request: HttpRequest) -> HttpResponse:
    """Enter a resource on a unit's behalf (a unit in the user's area)."""
    user: Any = request.user
    units = unit_choices(user=user)
    form = ResourceForm(request.POST or None, units=units)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                resource = services.resource_publish(
                    actor=user, unit=form.cleaned_data["unit"], **resource_form_values(form)
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The resource is on the list."))
                return redirect("cobuild:resource-detail", pk=resource.pk)
        status = 400
    return render(
        request,
        "cobuild/resource_form.html",
        {"form": form, "resource": None, "breadcrumbs": crumbs({"label": _("New resource"), "url": ""})},
        status=status,
    )


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def resource_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    resource = resource_get(user=user, pk=pk, perm=Perm.MANAGE_PARTY)
    form = ResourceForm(request.POST or None, initial=resource_initial(resource), editing=True)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.resource_update(
                    actor=user,
                    resource=resource,
                    expected_version=form.cleaned_data["version"],
                    **resource_form_values(form),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except (MoveRefused, StaleState) as error:
                message, status = move_failure(error)
                form.add_error(None, message)
                return _resource_form(request, form, resource, status)
            else:
                messages.success(request, _("The resource is saved."))
                return redirect("cobuild:resource-detail", pk=resource.pk)
        status = 400
    return _resource_form(request, form, resource, status)


def _resource_form(request: HttpRequest, form: ResourceForm, resource: Resource, status: int) -> HttpResponse:
    return render(
        request,
        "cobuild/resource_form.html",
        {
            "form": form,
            "resource": resource,
            "breadcrumbs": crumbs(
                {"label": resource.title, "url": reverse("cobuild:resource-detail", args=[resource.pk])},
                {"label": _("Edit"), "url": ""},
            ),
        },
        status=status,
    )


def _detail(
    request: HttpRequest, resource: Resource, *, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user: Any = request.user
    may_manage = may_at(user, Perm.MANAGE_PARTY, resource.unit.place.path)
    allowed = set(RESOURCE_FLOW.allowed(resource.state)) if may_manage else set()
    initial = {"version": resource.version}
    forms = forms or {}
    return render(
        request,
        "cobuild/resource_detail.html",
        {
            "resource": resource,
            "matches": resource_matches(resource),
            "timeline": timeline(resource_events(resource), flow=RESOURCE_FLOW),
            "may_edit": ResourceAction.EDIT in allowed,
            "may_use_up": ResourceAction.USE_UP in allowed,
            "may_restore": ResourceAction.RESTORE in allowed,
            "may_withdraw": ResourceAction.WITHDRAW in allowed,
            "use_up_form": forms.get("use_up") or NoteForm(initial=initial, prefix="use_up"),
            "restore_form": forms.get("restore") or NoteForm(initial=initial, prefix="restore"),
            "withdraw_form": forms.get("withdraw") or ReasonForm(initial=initial, prefix="withdraw"),
            "breadcrumbs": crumbs({"label": resource.title, "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.VIEW_PARTY)
@require_GET
def resource_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, resource_get(user=request.user, pk=pk))


def resource_move(request: HttpRequest, resource: Resource, *, prefix: str) -> tuple[Any, Exception | None]:
    """Apply the move ``prefix`` (use_up, restore, withdraw) from the posted form; the form and what went wrong."""
    form: NoteForm | ReasonForm = (ReasonForm if prefix == "withdraw" else NoteForm)(request.POST, prefix=prefix)
    if not form.is_valid():
        return form, ValidationError({})
    version = form.cleaned_data["version"]
    try:
        if prefix == "use_up":
            services.resource_use_up(
                actor=request.user, resource=resource, expected_version=version, note=form.cleaned_data["note"]
            )
        elif prefix == "restore":
            services.resource_restore(
                actor=request.user, resource=resource, expected_version=version, note=form.cleaned_data["note"]
            )
        else:
            services.resource_withdraw(
                actor=request.user, resource=resource, expected_version=version, reason=form.cleaned_data["reason"]
            )
    except ValidationError as error:
        add_service_errors(form, error)
        return form, error
    except (MoveRefused, StaleState) as error:
        return form, error
    return form, None


MOVE_DONE = {
    "use_up": gettext_lazy("The resource is marked as used up."),
    "restore": gettext_lazy("The resource is available again."),
    "withdraw": gettext_lazy("The resource is withdrawn."),
}


def _staff_move(request: HttpRequest, pk: int, prefix: str) -> HttpResponse:
    user: Any = request.user
    resource = resource_get(user=user, pk=pk, perm=Perm.MANAGE_PARTY)
    form, problem = resource_move(request, resource, prefix=prefix)
    if isinstance(problem, ValidationError):
        return _detail(request, resource, forms={prefix: form}, status=400)
    if problem is not None:
        message, status = move_failure(problem)
        messages.error(request, message)
        return _detail(request, resource_get(user=user, pk=pk), status=status)
    messages.success(request, MOVE_DONE[prefix])
    return redirect("cobuild:resource-detail", pk=resource.pk)


@staff_view(Perm.MANAGE_PARTY)
@require_POST
def resource_use_up_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_move(request, pk, "use_up")


@staff_view(Perm.MANAGE_PARTY)
@require_POST
def resource_restore_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_move(request, pk, "restore")


@staff_view(Perm.MANAGE_PARTY)
@require_POST
def resource_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_move(request, pk, "withdraw")
