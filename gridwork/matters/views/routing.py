"""Staff pages of the routing rules (分流规则): the list with a "test a rule" box, create, edit and delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gridwork.accounts.roles import Perm
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.matters.forms.staff import RoutingRuleForm, RoutingTestForm
from gridwork.matters.models import Category, RoutingRule
from gridwork.matters.routing import routing_rule_create, routing_rule_delete, routing_rule_update
from gridwork.matters.selectors import (
    RouteExplanation,
    routing_area_choices,
    routing_explain,
    routing_grid_choices,
    routing_rule_get,
    routing_rule_list,
    routing_test_grid,
    routing_unit_choices,
    unit_key,
)
from gridwork.matters.units import Unit


def _crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [
        {"label": _("Matters"), "url": reverse("matters:queue")},
        {"label": _("Routing rules"), "url": reverse("matters:routing-list") if extra else ""},
        *extra,
    ]


@staff_view(Perm.MANAGE_ROUTING)
@require_GET
def routing_list_view(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    page, query = paginate(request, routing_rule_list(user=request.user, search=search))
    test_form = RoutingTestForm(request.GET if "grid" in request.GET else None)
    explanation: RouteExplanation | None = None
    if test_form.is_bound and test_form.is_valid():
        grid = routing_test_grid(user=request.user, code=test_form.cleaned_data["grid"])
        category_id = test_form.cleaned_data.get("test_category")
        category = Category.objects.filter(pk=category_id).first() if category_id else None
        if grid is None:
            test_form.add_error("grid", _("Choose a grid in your area."))
        else:
            explanation = routing_explain(grid=grid, category=category)
    return render(
        request,
        "matters/staff/routing_list.html",
        {
            "page_obj": page,
            "query": query,
            "search": search,
            "test_form": test_form,
            "explanation": explanation,
            "grids": routing_grid_choices(user=request.user),
            "breadcrumbs": _crumbs(),
        },
    )


def _rule_form(request: HttpRequest, rule: RoutingRule | None = None) -> RoutingRuleForm:
    initial = {}
    if rule is not None:
        initial = {
            "area": rule.place_id,
            "category": str(rule.category_id or ""),
            "lead_unit": unit_key(Unit(place_id=rule.lead_place_id, department_id=rule.lead_department_id)),
        }
    return RoutingRuleForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        area_choices=routing_area_choices(user=request.user),
        unit_choices=routing_unit_choices(user=request.user),
    )


@staff_view(Perm.MANAGE_ROUTING)
@require_http_methods(["GET", "POST"])
def routing_create_view(request: HttpRequest) -> HttpResponse:
    form = _rule_form(request)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            lead_place, lead_department = form.cleaned_data["lead_unit"]
            try:
                routing_rule_create(
                    actor=request.user,
                    area=form.cleaned_data["area"],
                    category=form.cleaned_data["category"],
                    lead_place=lead_place,
                    lead_department=lead_department,
                    request=request,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("The routing rule has been added."))
                return redirect("matters:routing-list")
    return render(
        request,
        "matters/staff/routing_form.html",
        {"form": form, "rule": None, "breadcrumbs": _crumbs({"label": _("New rule"), "url": ""})},
        status=status,
    )


@staff_view(Perm.MANAGE_ROUTING)
@require_http_methods(["GET", "POST"])
def routing_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    rule = routing_rule_get(user=request.user, pk=pk)
    form = _rule_form(request, rule)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            lead_place, lead_department = form.cleaned_data["lead_unit"]
            try:
                routing_rule_update(
                    actor=request.user,
                    rule=rule,
                    area=form.cleaned_data["area"],
                    category=form.cleaned_data["category"],
                    lead_place=lead_place,
                    lead_department=lead_department,
                    request=request,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The routing rule has been changed."))
                return redirect("matters:routing-list")
    return render(
        request,
        "matters/staff/routing_form.html",
        {"form": form, "rule": rule, "breadcrumbs": _crumbs({"label": str(rule), "url": ""})},
        status=status,
    )


@staff_view(Perm.MANAGE_ROUTING)
@require_http_methods(["GET", "POST"])
def routing_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    rule = routing_rule_get(user=request.user, pk=pk)
    if request.method == "POST":
        routing_rule_delete(actor=request.user, rule=rule, request=request)
        messages.success(request, _("The routing rule has been deleted."))
        return redirect("matters:routing-list")
    return render(
        request,
        "matters/staff/routing_delete.html",
        {"rule": rule, "breadcrumbs": _crumbs({"label": _("Delete"), "url": ""})},
    )
