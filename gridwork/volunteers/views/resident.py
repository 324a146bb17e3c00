"""Residents' pages of volunteer orders, at /orders/: the menu of my community, the order form and my orders; an
order's progress, cancelling it while no member has taken it, and rating it once done."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.forms import add_service_errors
from gridwork.common.masking import mask_name
from gridwork.common.permissions import signed_in_view
from gridwork.places.models import Place
from gridwork.volunteers import services
from gridwork.volunteers.flows import ORDER_FLOW, OrderAction
from gridwork.volunteers.forms import OrderForm, RateForm, ReasonForm
from gridwork.volunteers.models import ServiceOrder
from gridwork.volunteers.selectors import (
    building_get,
    building_search,
    community_of_building,
    resident_home_building,
    resident_order_get,
    resident_order_list,
    service_menu,
)
from gridwork.volunteers.views.common import move_failure, order_timeline

MINE_PAGE_SIZE = 20


def _resident(request: HttpRequest) -> Any:
    """Orders are placed by residents; staff accounts have the staff pages."""
    user: Any = request.user
    if getattr(user, "is_staff_member", False):
        raise PermissionDenied
    return user


def _building(request: HttpRequest) -> Place | None:
    code = (request.POST.get("building") if request.method == "POST" else request.GET.get("building")) or ""
    return building_get(code) if code else resident_home_building(user=request.user)


@signed_in_view
@require_http_methods(["GET", "POST"])
def home_view(request: HttpRequest) -> HttpResponse:
    """点单: choose the building (once), pick a service from its community's menu or say what is needed, and see my
    orders."""
    user = _resident(request)
    building = _building(request)
    community = community_of_building(building) if building is not None else None
    menu = service_menu(community=community) if community is not None else None
    search = request.GET.get("q", "").strip()[:50]
    form: OrderForm
    status = 200
    if request.method == "POST":
        form = OrderForm(request.POST, menu=menu)
        if form.is_valid():
            data = form.cleaned_data
            try:
                order = services.order_place(
                    actor=user,
                    building=building,
                    item=data["item"],
                    text=data["text"],
                    for_name=data["for_name"],
                    for_phone=data["for_phone"],
                    wanted_on=data["wanted_on"],
                    wanted_from=data["wanted_from"],
                    wanted_to=data["wanted_to"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your order is in. The community will pass it to a party member."))
                return redirect("resident_orders:detail", pk=order.pk)
        status = 400
    else:
        initial: dict[str, Any] = {
            "for_name": getattr(user, "full_name", ""),
            "for_phone": getattr(user, "phone", "") or "",
            "building": building.code if building is not None else "",
        }
        item = request.GET.get("item", "")
        if menu is not None and item.isdigit() and menu.filter(pk=int(item)).exists():
            initial["item"] = int(item)
        form = OrderForm(initial=initial, menu=menu)
    mine = Paginator(resident_order_list(user=user), MINE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteers/resident/home.html",
        {
            "building": building,
            "community": community,
            "menu": list(menu) if menu is not None else [],
            "form": form,
            "search": search,
            "found": list(building_search(query=search)) if search else [],
            "choosing": bool(search) or building is None or request.GET.get("change") == "1",
            "page_obj": mine,
        },
        status=status,
    )


def _detail(
    request: HttpRequest,
    order: ServiceOrder,
    *,
    rate_form: RateForm | None = None,
    cancel_form: ReasonForm | None = None,
    status: int = 200,
) -> HttpResponse:
    allowed = set(ORDER_FLOW.allowed(order.state))
    initial = {"version": order.version}
    return render(
        request,
        "volunteers/resident/detail.html",
        {
            "order": order,
            "taker_name": mask_name(order.taker.name) if order.taker is not None else "",
            "timeline": order_timeline(order, audience="resident"),
            "may_rate": OrderAction.RATE in allowed,
            "may_cancel": OrderAction.CANCEL in allowed,
            "rate_form": rate_form or RateForm(initial=initial),
            "cancel_form": cancel_form or ReasonForm(initial=initial),
        },
        status=status,
    )


@signed_in_view
@require_GET
def detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, resident_order_get(user=request.user, pk=pk))


def _refused(request: HttpRequest, pk: int, error: Exception) -> HttpResponse:
    message, status = move_failure(error)
    messages.error(request, message)
    return _detail(request, resident_order_get(user=request.user, pk=pk), status=status)


@signed_in_view
@require_POST
def rate_view(request: HttpRequest, pk: int) -> HttpResponse:
    """评价: one to five stars and a comment, once the member has done the service."""
    order = resident_order_get(user=request.user, pk=pk)
    form = RateForm(request.POST)
    if not form.is_valid():
        return _detail(request, order, rate_form=form, status=400)
    try:
        services.order_rate(
            actor=request.user,
            order=order,
            stars=form.cleaned_data["stars"],
            comment=form.cleaned_data["comment"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _detail(request, order, rate_form=form, status=400)
    except (MoveRefused, StaleState) as error:
        return _refused(request, pk, error)
    messages.success(request, _("Thank you. Your rating has been recorded."))
    return redirect("resident_orders:detail", pk=order.pk)


@signed_in_view
@require_POST
def cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    order = resident_order_get(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
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
    messages.success(request, _("Your order is cancelled."))
    return redirect("resident_orders:detail", pk=order.pk)
