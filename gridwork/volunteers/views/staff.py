"""Staff pages of volunteer orders, at /staff/volunteers/: the queue (waiting first), an order with the ranked
suggestions and their reasons, issue / decline / cancel, the Excel export; and the service menu."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.accounts.roles import Perm
from gridwork.audit.services import audit_record
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.forms import add_service_errors
from gridwork.common.masking import mask_name, mask_phone
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.party.skills import skill_labels
from gridwork.volunteers import services
from gridwork.volunteers.exports import order_rows, orders_xlsx, xlsx_response
from gridwork.volunteers.flows import ORDER_FLOW, OrderAction
from gridwork.volunteers.forms import IssueForm, QueueFilterForm, ReasonForm, ServiceItemForm
from gridwork.volunteers.models import OrderState, ServiceOrder
from gridwork.volunteers.selectors import (
    may_at,
    menu_place_choices,
    order_get,
    order_issued_members,
    order_may_manage,
    order_queue,
    order_state_counts,
    service_item_get,
    service_item_list,
)
from gridwork.volunteers.suggestions import RankedMember, order_candidates, order_suggestions
from gridwork.volunteers.views.common import move_failure, order_timeline

SUGGESTIONS_SHOWN = 50


def _crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Volunteer orders"), "url": reverse("volunteers:order-list")}, *extra]


def _filters(request: HttpRequest) -> tuple[QueueFilterForm, str, str]:
    form = QueueFilterForm(request.GET if any(request.GET.get(k) for k in ("state", "q")) else None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["state"], form.cleaned_data["q"].strip()
    return form, "", ""


@staff_view(Perm.VIEW_PARTY)
@require_GET
def order_list_view(request: HttpRequest) -> HttpResponse:
    """The orders of the user's units: those waiting for the branch first, then those waiting for a member."""
    form, state, search = _filters(request)
    page, query = paginate(request, order_queue(user=request.user, state=state, search=search))
    counts = order_state_counts(user=request.user)
    return render(
        request,
        "volunteers/staff/queue.html",
        {
            "form": form,
            "page_obj": page,
            "query": query,
            "state_counts": [(value, label, counts.get(value, 0)) for value, label in OrderState.choices],
            "state": state,
            "breadcrumbs": [{"label": _("Volunteer orders"), "url": ""}],
        },
    )


def _member_row(ranked: RankedMember, user: Any, issued: set[int], checked: set[str]) -> dict[str, Any]:
    member = ranked.member
    visible = may_at(user, Perm.VIEW_PERSONAL_DATA, member.community.path)
    return {
        "id": member.pk,
        "name": member.name if visible else mask_name(member.name),
        "phone": member.phone if visible else mask_phone(member.phone),
        "community": member.community.name,
        "building": member.building.name,
        "skills": skill_labels(list(member.skills or [])),
        "score": ranked.suggestion.score,
        "tier": ranked.suggestion.tier,
        "reasons": ranked.suggestion.reasons,
        "issued": member.pk in issued,
        "checked": str(member.pk) in checked,
    }


def _detail(
    request: HttpRequest,
    order: ServiceOrder,
    *,
    issue_form: IssueForm | None = None,
    decline_form: ReasonForm | None = None,
    cancel_form: ReasonForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user: Any = request.user
    may_manage = order_may_manage(user=user, order=order)
    allowed = set(ORDER_FLOW.allowed(order.state)) if may_manage else set()
    issued_members = list(order_issued_members(order))
    issued_ids = {member.pk for member in issued_members}
    initial = {"version": order.version}
    issue_form = issue_form or IssueForm(initial=initial)
    checked = set(request.POST.getlist("members")) if issue_form.is_bound else set()
    suggestions = []
    if OrderAction.ISSUE in allowed:
        suggestions = [
            _member_row(ranked, user, issued_ids, checked)
            for ranked in order_suggestions(order, limit=SUGGESTIONS_SHOWN)
        ]
    visible = bool(getattr(order, "personal_visible", False))
    return render(
        request,
        "volunteers/staff/detail.html",
        {
            "order": order,
            "for_name": order.for_name if visible else mask_name(order.for_name),
            "for_phone": order.for_phone if visible else mask_phone(order.for_phone),
            "taker_name": (order.taker.name if visible else mask_name(order.taker.name)) if order.taker else "",
            "issued_names": [m.name if visible else mask_name(m.name) for m in issued_members],
            "skill": skill_labels([order.item.skill])[0] if order.item and order.item.skill else "",
            "timeline": order_timeline(order, audience="staff"),
            "suggestions": suggestions,
            "may_issue": OrderAction.ISSUE in allowed,
            "may_decline": OrderAction.DECLINE in allowed,
            "may_cancel": OrderAction.CANCEL in allowed,
            "issue_form": issue_form,
            "stars": "★" * (order.rating or 0),
            "decline_form": decline_form or ReasonForm(initial=initial, prefix="decline"),
            "cancel_form": cancel_form or ReasonForm(initial=initial, prefix="cancel"),
            "breadcrumbs": _crumbs({"label": _("Order %(number)d") % {"number": order.pk}, "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.VIEW_PARTY)
@require_GET
def order_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, order_get(user=request.user, pk=pk))


def _refused(request: HttpRequest, pk: int, error: Exception) -> HttpResponse:
    message, status = move_failure(error)
    messages.error(request, message)
    return _detail(request, order_get(user=request.user, pk=pk), status=status)


@staff_view(Perm.MANAGE_PARTY)
@require_POST
def order_issue_view(request: HttpRequest, pk: int) -> HttpResponse:
    """下单: offer the order to the members ticked among the suggestions."""
    order = order_get(user=request.user, pk=pk)
    candidates = {member.pk: member for member in order_candidates(order)}
    form = IssueForm(request.POST, member_ids=list(candidates))
    if not form.is_valid():
        return _detail(request, order, issue_form=form, status=400)
    try:
        services.order_issue(
            actor=request.user,
            order=order,
            members=[candidates[pk] for pk in form.cleaned_data["members"]],
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _detail(request, order, issue_form=form, status=400)
    except (MoveRefused, StaleState) as error:
        return _refused(request, pk, error)
    messages.success(request, _("The order is issued. The members see it on their orders page."))
    return redirect("volunteers:order-detail", pk=order.pk)


@staff_view(Perm.MANAGE_PARTY)
@require_POST
def order_decline_view(request: HttpRequest, pk: int) -> HttpResponse:
    order = order_get(user=request.user, pk=pk)
    form = ReasonForm(request.POST, prefix="decline")
    if not form.is_valid():
        return _detail(request, order, decline_form=form, status=400)
    try:
        services.order_decline(
            actor=request.user,
            order=order,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _detail(request, order, decline_form=form, status=400)
    except (MoveRefused, StaleState) as error:
        return _refused(request, pk, error)
    messages.success(request, _("The order is declined; the resident sees your reason."))
    return redirect("volunteers:order-detail", pk=order.pk)


@staff_view(Perm.MANAGE_PARTY)
@require_POST
def order_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    order = order_get(user=request.user, pk=pk)
    form = ReasonForm(request.POST, prefix="cancel")
    if not form.is_valid():
        return _detail(request, order, cancel_form=form, status=400)
    try:
        services.order_cancel(
            actor=request.user,
            order=order,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _detail(request, order, cancel_form=form, status=400)
    except (MoveRefused, StaleState) as error:
        return _refused(request, pk, error)
    messages.success(request, _("The order is cancelled; the resident sees your reason."))
    return redirect("volunteers:order-detail", pk=order.pk)


@staff_view(Perm.VIEW_PARTY)
@require_GET
def order_export_view(request: HttpRequest) -> HttpResponse:
    """The queue's orders (with its filters) as an .xlsx; names masked unless the user may see them unmasked."""
    user: Any = request.user
    _form, state, search = _filters(request)
    export = orders_xlsx(
        order_rows(order_queue(user=user, state=state, search=search)),
        about=[
            (_("State"), OrderState(state).label if state else _("All states")),
            (_("Service"), search),
            (_("Exported at"), timezone.now()),
            (_("Exported by"), str(user)),
        ],
    )
    if export.unmasked:
        with transaction.atomic():
            audit_record(
                actor=user,
                action="service_order.export_unmasked",
                detail={"rows": export.rows, "unmasked": export.unmasked, "state": state, "q": search},
                request=request,
            )
    today = timezone.localdate()
    return xlsx_response(
        export.content,
        ascii_name=f"volunteer-orders-{today:%Y%m%d}.xlsx",
        display_name=f"{_('Volunteer orders')}-{today:%Y%m%d}.xlsx",
    )


# --- the menu ---------------------------------------------------------------------------------------------------------


def _menu_crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Service menu"), "url": reverse("volunteers:menu-list")}, *extra]


@staff_view(Perm.VIEW_PARTY)
@require_GET
def menu_list_view(request: HttpRequest) -> HttpResponse:
    """The services offered by the menus of the user's units (withdrawn ones last)."""
    user: Any = request.user
    page, query = paginate(request, service_item_list(user=user))
    rows = [
        (
            item,
            skill_labels([item.skill])[0] if item.skill else "",
            may_at(user, Perm.MANAGE_PARTY, item.place.path),
        )
        for item in page
    ]
    return render(
        request,
        "volunteers/staff/menu_list.html",
        {
            "page_obj": page,
            "rows": rows,
            "query": query,
            "may_manage": user.has_perm_anywhere(Perm.MANAGE_PARTY),
            "breadcrumbs": [{"label": _("Service menu"), "url": ""}],
        },
    )


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def menu_create_view(request: HttpRequest) -> HttpResponse:
    places = menu_place_choices(user=request.user)
    form = ServiceItemForm(request.POST or None, places=places)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.service_item_create(
                    actor=request.user,
                    place=form.cleaned_data["place"],
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    skill=form.cleaned_data["skill"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The service is on the menu."))
                return redirect("volunteers:menu-list")
        status = 400
    return render(
        request,
        "volunteers/staff/menu_form.html",
        {"form": form, "item": None, "breadcrumbs": _menu_crumbs({"label": _("New service"), "url": ""})},
        status=status,
    )


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def menu_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = service_item_get(user=request.user, pk=pk, perm=Perm.MANAGE_PARTY)
    initial = {"name": item.name, "description": item.description, "skill": item.skill, "active": item.active}
    form = ServiceItemForm(request.POST or None, initial=initial, editing=True)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.service_item_update(
                    actor=request.user,
                    item=item,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    skill=form.cleaned_data["skill"],
                    active=form.cleaned_data["active"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The service is saved."))
                return redirect("volunteers:menu-list")
        status = 400
    return render(
        request,
        "volunteers/staff/menu_form.html",
        {"form": form, "item": item, "breadcrumbs": _menu_crumbs({"label": item.name, "url": ""})},
        status=status,
    )


@staff_view(Perm.MANAGE_PARTY)
@require_POST
def menu_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = service_item_get(user=request.user, pk=pk, perm=Perm.MANAGE_PARTY)
    services.service_item_withdraw(actor=request.user, item=item)
    messages.success(request, _("“%(name)s” is off the menu.") % {"name": item.name})
    return redirect("volunteers:menu-list")
