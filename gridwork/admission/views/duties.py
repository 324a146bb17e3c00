"""Staff pages of the duty lists and the approving bodies: the lists a user works from (the city's and the district's
additions), their history, adding, editing, retiring and restoring items, and marking departments as approving bodies
(MANAGE_DUTY_LIST over the list's or the department's place; 404 outside)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.accounts.roles import Perm
from gridwork.admission import duties, selectors
from gridwork.admission.forms import BodyForm, DutyItemForm, VersionForm
from gridwork.admission.models import DutyKind
from gridwork.admission.views.requests import BAD_REQUEST, CONFLICT, crumbs
from gridwork.common.flows import StaleState
from gridwork.common.forms import add_service_errors
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view


def _duty_crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return crumbs({"label": _("Duty list"), "url": reverse("admission:duty-list")}, *extra)


@staff_view(Perm.VIEW_ADMISSION)
@require_GET
def duty_list_view(request: HttpRequest) -> HttpResponse:
    """The duty list and the assisting-duty list, the city's items first, then the districts' additions."""
    user: Any = request.user
    retired = request.GET.get("retired") == "1"
    items = list(selectors.duty_items(user=user, retired=retired))
    return render(
        request,
        "admission/duty_list.html",
        {
            "duties": [item for item in items if item.kind == DutyKind.DUTY],
            "assisting": [item for item in items if item.kind == DutyKind.ASSISTING],
            "retired": retired,
            "may_manage": selectors.may_manage_duties(user),
            "managed": set(selectors.duty_items_managed(user=user).values_list("pk", flat=True)),
            "breadcrumbs": _duty_crumbs(),
        },
    )


@staff_view(Perm.VIEW_ADMISSION)
@require_GET
def duty_history_view(request: HttpRequest) -> HttpResponse:
    page, query = paginate(request, selectors.duty_changes(user=request.user))
    return render(
        request,
        "admission/duty_history.html",
        {"page_obj": page, "query": query, "breadcrumbs": _duty_crumbs({"label": _("History"), "url": ""})},
    )


@staff_view(Perm.MANAGE_DUTY_LIST)
@require_http_methods(["GET", "POST"])
def duty_create_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    places = selectors.duty_list_places(user=user)
    status = 200
    if request.method == "POST":
        form = DutyItemForm(request.POST, places=places)
        if form.is_valid():
            try:
                duties.duty_item_create(
                    actor=user, scope=form.cleaned_data["scope"], values=form.to_input(), request=request
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Item added to the list."))
                return redirect("admission:duty-list")
        status = BAD_REQUEST
    else:
        form = DutyItemForm(places=places, initial={"scope": places.first()})
    return render(
        request,
        "admission/duty_form.html",
        {"form": form, "title": _("New list item"), "breadcrumbs": _duty_crumbs({"label": _("New"), "url": ""})},
        status=status,
    )


@staff_view(Perm.MANAGE_DUTY_LIST)
@require_http_methods(["GET", "POST"])
def duty_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = selectors.duty_item_get(user=user, pk=pk)
    places = selectors.duty_list_places(user=user)
    status = 200
    if request.method == "POST":
        form = DutyItemForm(request.POST, places=places, editing=True)
        if form.is_valid():
            try:
                duties.duty_item_update(
                    actor=user,
                    item=item,
                    values=form.to_input(),
                    expected_version=form.cleaned_data.get("version") or 0,
                    request=request,
                )
            except StaleState as error:
                form.add_error(None, str(error))
                status = CONFLICT
            except ValidationError as error:
                add_service_errors(form, error)
                status = BAD_REQUEST
            else:
                messages.success(request, _("Item saved."))
                return redirect("admission:duty-list")
        else:
            status = BAD_REQUEST
    else:
        form = DutyItemForm(
            places=places,
            editing=True,
            initial={
                "kind": item.kind,
                "number": item.number,
                "title": item.title,
                "legal_basis": item.legal_basis,
                "assists": item.assists,
                "version": item.version,
            },
        )
    return render(
        request,
        "admission/duty_form.html",
        {
            "form": form,
            "item": item,
            "title": _("Edit the list item"),
            "breadcrumbs": _duty_crumbs({"label": str(item), "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.MANAGE_DUTY_LIST)
@require_POST
def duty_toggle_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Retire an item in force, or restore a retired one."""
    user: Any = request.user
    item = selectors.duty_item_get(user=user, pk=pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("The page is out of date: reload it."), status=BAD_REQUEST)
    try:
        duties.duty_item_set_active(
            actor=user,
            item=item,
            active=not item.is_active,
            expected_version=form.cleaned_data["version"],
            request=request,
        )
    except StaleState as error:
        return HttpResponse(str(error), status=CONFLICT)
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=BAD_REQUEST)
    messages.success(request, _("Item restored.") if item.is_active else _("Item retired."))
    return redirect(reverse("admission:duty-list") + ("" if item.is_active else "?retired=1"))


def _bodies(request: HttpRequest, *, form: BodyForm | None = None, status: int = 200) -> HttpResponse:
    user: Any = request.user
    manager = selectors.may_manage_duties(user)
    if form is None and manager:
        form = BodyForm(departments=selectors.body_department_choices(user=user))
    bodies = selectors.body_list(user=user)
    managed = set(bodies.filter(pk__in=selectors.body_managed(user=user)).values_list("pk", flat=True))
    return render(
        request,
        "admission/body_list.html",
        {
            "bodies": bodies,
            "form": form,
            "managed": managed,
            "breadcrumbs": crumbs({"label": _("Approving bodies"), "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.VIEW_ADMISSION)
@require_GET
def body_list_view(request: HttpRequest) -> HttpResponse:
    """The approving bodies over and under the user's units; those who keep the lists mark departments here."""
    return _bodies(request)


@staff_view(Perm.MANAGE_DUTY_LIST)
@require_POST
def body_add_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = BodyForm(request.POST, departments=selectors.body_department_choices(user=user))
    if form.is_valid():
        try:
            duties.approving_body_add(
                actor=user,
                department=form.cleaned_data["department"],
                note=form.cleaned_data.get("note") or "",
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Approving body marked."))
            return redirect("admission:body-list")
    return _bodies(request, form=form, status=BAD_REQUEST)


@staff_view(Perm.MANAGE_DUTY_LIST)
@require_POST
def body_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    body = selectors.body_get(user=user, pk=pk)
    try:
        duties.approving_body_remove(actor=user, body=body, request=request)
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=BAD_REQUEST)
    messages.success(request, _("%(name)s is no longer an approving body.") % {"name": body.department.name})
    return redirect("admission:body-list")
