"""A member's pages of volunteer orders, at /member/orders/: the orders issued to me (take one), the orders I have in
hand (complete with the hours, or give back), and those done.

Until a member takes an order, the person served shows masked and without a phone; the taker sees both, to arrange
the visit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.forms import add_service_errors
from gridwork.common.masking import mask_name
from gridwork.party.access import member_view
from gridwork.volunteers import services
from gridwork.volunteers.flows import ORDER_FLOW, OrderAction
from gridwork.volunteers.forms import CompleteForm, ReasonForm, VersionForm
from gridwork.volunteers.models import OrderState, ServiceOrder
from gridwork.volunteers.selectors import member_order_get, member_orders
from gridwork.volunteers.views.common import move_failure, order_timeline


def _member(request: HttpRequest) -> Any:
    return request.member  # type: ignore[attr-defined]


@member_view
@require_GET
def list_view(request: HttpRequest) -> HttpResponse:
    orders = member_orders(member=_member(request))
    return render(
        request,
        "volunteers/member/list.html",
        {"orders": orders},
    )


def _detail(
    request: HttpRequest,
    order: ServiceOrder,
    *,
    complete_form: CompleteForm | None = None,
    give_back_form: ReasonForm | None = None,
    status: int = 200,
) -> HttpResponse:
    member = _member(request)
    mine = order.taker_id == member.pk
    allowed = set(ORDER_FLOW.allowed(order.state))
    initial = {"version": order.version}
    sees_contact = mine and order.state in (OrderState.TAKEN, OrderState.COMPLETED, OrderState.RATED)
    return render(
        request,
        "volunteers/member/detail.html",
        {
            "order": order,
            "for_name": order.for_name if sees_contact else mask_name(order.for_name),
            "for_phone": order.for_phone if sees_contact else "",
            "mine": mine,
            "timeline": order_timeline(order, audience="member"),
            "may_take": OrderAction.TAKE in allowed,
            "may_complete": mine and OrderAction.COMPLETE in allowed,
            "may_give_back": mine and OrderAction.GIVE_BACK in allowed,
            "take_form": VersionForm(initial=initial),
            "complete_form": complete_form or CompleteForm(initial=initial),
            "give_back_form": give_back_form or ReasonForm(initial=initial, prefix="give_back"),
        },
        status=status,
    )


@member_view
@require_GET
def detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, member_order_get(member=_member(request), pk=pk))


def _refused(request: HttpRequest, pk: int, error: Exception) -> HttpResponse:
    message, status = move_failure(error)
    messages.error(request, message)
    return _detail(request, member_order_get(member=_member(request), pk=pk), status=status)


@member_view
@require_POST
def take_view(request: HttpRequest, pk: int) -> HttpResponse:
    """接单: of two members taking at once, one gets the order and the other is told someone was first."""
    order = member_order_get(member=_member(request), pk=pk)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        services.order_take(actor=request.user, order=order, expected_version=version)
    except (MoveRefused, StaleState) as error:
        return _refused(request, pk, error)
    messages.success(request, _("The order is yours. Call the resident to arrange the visit."))
    return redirect("member_orders:detail", pk=order.pk)


@member_view
@require_POST
def give_back_view(request: HttpRequest, pk: int) -> HttpResponse:
    order = member_order_get(member=_member(request), pk=pk)
    form = ReasonForm(request.POST, prefix="give_back")
    if not form.is_valid():
        return _detail(request, order, give_back_form=form, status=400)
    try:
        services.order_give_back(
            actor=request.user,
            order=order,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _detail(request, order, give_back_form=form, status=400)
    except (MoveRefused, StaleState) as error:
        return _refused(request, pk, error)
    messages.success(request, _("The order is given back; the other members it was issued to may take it."))
    return redirect("member_orders:list")


@member_view
@require_POST
def complete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The service is done: the hours (more than 0, at most 24) earn points by the hour rule."""
    order = member_order_get(member=_member(request), pk=pk)
    form = CompleteForm(request.POST)
    if not form.is_valid():
        return _detail(request, order, complete_form=form, status=400)
    try:
        done = services.order_complete(
            actor=request.user,
            order=order,
            hours=form.cleaned_data["hours"],
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _detail(request, order, complete_form=form, status=400)
    except (MoveRefused, StaleState) as error:
        return _refused(request, pk, error)
    if done.points is not None:
        messages.success(
            request, _("Thank you. The hours are recorded: %(points)d points.") % {"points": done.points.points}
        )
    else:
        messages.success(request, _("Thank you. The hours are recorded."))
    return redirect("member_orders:detail", pk=order.pk)
