"""Staff pages of the monthly service day, at /staff/service-day/: the cycles of the user's communities (late stages in
red, an Excel export), one cycle with a panel per stage, and the forms that do each stage's work: record an opinion,
pull matters in, make, change and drop items, record the service day's results, complete the stage.

Pages read with VIEW_DELIBERATION; forms need MANAGE_DELIBERATION over the cycle's community (community staff and
above). A cycle outside the user's area is not found (404). A refused form answers 400 with the reason on its field; a
stale page or a move the cycle's state does not allow answers 409.
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
from django.views.decorators.http import require_GET, require_http_methods

from gridwork.accounts.roles import Perm
from gridwork.analytics.views.exports import xlsx_response
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.forms import add_service_errors
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.serviceday import selectors
from gridwork.serviceday.calendar import completable_from, current_stage, cycle_dates, late_stages
from gridwork.serviceday.exports import cycles_xlsx
from gridwork.serviceday.figures import DEFINITIONS, cycle_figures
from gridwork.serviceday.flows import COMPLETES, CYCLE_ACTION_LABELS, CYCLE_FLOW, ITEM_ACTION_LABELS
from gridwork.serviceday.forms import (
    CompleteForm,
    CycleFilterForm,
    DropForm,
    ItemForm,
    MatterPullForm,
    OpinionForm,
    ResultForm,
)
from gridwork.serviceday.models import STAGE_LABELS, STAGES, CycleEvent, CycleState, Item, ItemState, ServiceCycle
from gridwork.serviceday.services import cycles as cycle_services
from gridwork.serviceday.services import items as item_services
from gridwork.serviceday.services import opinions as opinion_services
from gridwork.serviceday.services.common import may_manage
from gridwork.serviceday.services.items import PREPARING, ItemInput

BAD_REQUEST = 400
CONFLICT = 409
EXPORT_LIMIT = 5000


def _crumbs(cycle: ServiceCycle | None = None, *tail: str) -> list[dict[str, str]]:
    crumbs = [{"label": _("Service days"), "url": reverse("serviceday:cycle-list")}]
    if cycle is not None:
        crumbs.append(
            {
                "label": f"{cycle.community.name} {cycle.period}",
                "url": reverse("serviceday:cycle-detail", args=[cycle.pk]),
            }
        )
    crumbs.extend({"label": label, "url": ""} for label in tail)
    return crumbs


# --- the list -----------------------------------------------------------------------------------------------------


def _filtered(request: HttpRequest) -> tuple[CycleFilterForm, list[ServiceCycle], bool]:
    user: Any = request.user
    bound = any(request.GET.get(key) for key in CycleFilterForm.base_fields)
    form = CycleFilterForm(request.GET if bound else None, communities=selectors.cycle_communities(user=user))
    values = form.cleaned_data if bound and form.is_valid() else {}
    month = values.get("month")
    filters = selectors.CycleFilters(
        year=month[0] if month else None,
        month=month[1] if month else None,
        community=values.get("community"),
        state=values.get("state", ""),
    )
    cycles = selectors.cycle_list(user=user, filters=filters)
    today = timezone.localdate()
    chosen = [cycle for cycle in cycles if late_stages(cycle, today)] if values.get("late") else list(cycles)
    return form, chosen, bool(bound and form.errors)


@staff_view(Perm.VIEW_DELIBERATION)
@require_GET
def cycle_list_view(request: HttpRequest) -> HttpResponse:
    """The cycles of the user's communities, newest month first: where each stands, the stage open on the calendar,
    the late stages (red), the counts; filters by month, community, state, late."""
    form, cycles, refused = _filtered(request)
    page, query = paginate(request, cycles)  # type: ignore[arg-type]
    today = timezone.localdate()
    rows = [
        {
            "cycle": cycle,
            "calendar": current_stage(cycle, today),
            "late": [STAGE_LABELS[stage] for stage in late_stages(cycle, today)],
        }
        for cycle in page
    ]
    late_total = sum(len(late_stages(cycle, today)) for cycle in cycles)
    return render(
        request,
        "serviceday/staff/list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": rows,
            "query": query,
            "stage_labels": STAGE_LABELS,
            "totals": {"cycles": len(cycles), "late": late_total},
            "breadcrumbs": _crumbs(),
        },
        status=BAD_REQUEST if refused else 200,
    )


@staff_view(Perm.VIEW_DELIBERATION)
@require_GET
def cycle_export_view(request: HttpRequest) -> HttpResponse:
    """The list as filtered, as an Excel workbook (no personal data), with the figures' definitions."""
    form, cycles, refused = _filtered(request)
    if refused:
        return render(
            request,
            "serviceday/staff/list.html",
            {"form": form, "rows": [], "totals": {}, "breadcrumbs": _crumbs()},
            status=BAD_REQUEST,
        )
    today = timezone.localdate()
    content = cycles_xlsx(
        [(cycle, cycle_figures(cycle, on=today), late_stages(cycle, today)) for cycle in cycles[:EXPORT_LIMIT]],
        about=[(_("Exported at"), timezone.now()), (_("Exported by"), str(request.user))],
    )
    return xlsx_response(content, ascii_name=f"service-days-{today:%Y%m%d}.xlsx", display_name=_("Service days.xlsx"))


# --- one cycle ----------------------------------------------------------------------------------------------------


def _stage_panels(cycle: ServiceCycle) -> list[dict[str, Any]]:
    today = timezone.localdate()
    dates = cycle_dates(cycle)
    late = set(late_stages(cycle, today))
    position = STAGES.index(cycle.state) if cycle.state in STAGES else len(STAGES)
    return [
        {
            "stage": stage,
            "label": STAGE_LABELS[stage],
            "window": dates.window(stage),
            "done_on": getattr(cycle, f"{stage}_done_on"),
            "late": stage in late,
            "current": stage == cycle.state,
            "done": index < position,
        }
        for index, stage in enumerate(STAGES)
    ]


def _detail_context(request: HttpRequest, cycle: ServiceCycle) -> dict[str, Any]:
    user: Any = request.user
    today = timezone.localdate()
    manage = may_manage(user, cycle)
    items = list(selectors.item_list(cycle))
    return {
        "cycle": cycle,
        "panels": _stage_panels(cycle),
        "calendar": current_stage(cycle, today),
        "service_day": cycle_dates(cycle).service_day,
        "opinions": selectors.opinion_rows(user=user, cycle=cycle),
        "items": items,
        "figures": cycle_figures(cycle, on=today),
        "definitions": DEFINITIONS,
        "may_manage": manage,
        "collecting": cycle.state == CycleState.COLLECT,
        "preparing": cycle.state in PREPARING,
        "serving": cycle.state == CycleState.SERVE,
        "completes": CYCLE_FLOW.action_label(COMPLETES[cycle.state]) if cycle.state in COMPLETES else "",
        "events": [
            {"event": event, "label": CYCLE_ACTION_LABELS.get(event.action, event.action)}
            for event in CycleEvent.objects.filter(subject=cycle).order_by("sequence")
        ],
        "breadcrumbs": _crumbs(cycle),
    }


@staff_view(Perm.VIEW_DELIBERATION)
@require_GET
def cycle_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One cycle: the five stages with their dates (late in red), the opinions (contacts masked unless the user may
    see them), the items with their helpers, activity, result and ratings, the feedback, the summary and figures."""
    cycle = selectors.cycle_get(user=request.user, pk=pk)
    return render(request, "serviceday/staff/detail.html", _detail_context(request, cycle))


def _manage_cycle(request: HttpRequest, pk: int) -> ServiceCycle:
    return selectors.cycle_get(user=request.user, pk=pk, perm=Perm.MANAGE_DELIBERATION)


def _form_page(
    request: HttpRequest,
    template: str,
    cycle: ServiceCycle,
    context: dict[str, Any],
    *,
    title: str,
    status: int = 200,
    refusal: str = "",
) -> HttpResponse:
    return render(
        request,
        template,
        {"cycle": cycle, "title": title, "refusal": refusal, "breadcrumbs": _crumbs(cycle, title), **context},
        status=status,
    )


# --- completing a stage -------------------------------------------------------------------------------------------


@staff_view(Perm.MANAGE_DELIBERATION)
@require_http_methods(["GET", "POST"])
def cycle_complete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Complete the stage the cycle is at: close the collection, finish sorting, finish the service day, publish the
    feedback (its text), publish the summary (its text; the figures are kept with it)."""
    cycle = _manage_cycle(request, pk)
    title = CYCLE_FLOW.action_label(COMPLETES[cycle.state]) if cycle.state in COMPLETES else _("Closed")
    context: dict[str, Any] = {
        "earliest": completable_from(cycle, cycle.state) if cycle.state in COMPLETES else None,
        "figures": cycle_figures(cycle, on=timezone.localdate()),
        "definitions": DEFINITIONS,
    }
    if cycle.state not in COMPLETES:
        return _form_page(request, "serviceday/staff/complete.html", cycle, {**context, "form": None}, title=title)
    if request.method != "POST":
        form = CompleteForm(initial={"version": cycle.version}, stage=cycle.state)
        return _form_page(request, "serviceday/staff/complete.html", cycle, {**context, "form": form}, title=title)
    form = CompleteForm(request.POST, stage=cycle.state)
    if form.is_valid():
        try:
            cycle_services.cycle_complete_stage(
                actor=request.user,
                cycle=cycle,
                expected_version=form.cleaned_data["version"],
                text=form.cleaned_data.get("text", ""),
            )
        except (StaleState, MoveRefused) as error:
            fresh = _manage_cycle(request, pk)
            return _form_page(
                request,
                "serviceday/staff/complete.html",
                fresh,
                {**context, "form": None},
                title=title,
                status=CONFLICT,
                refusal=str(error),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Done: %(move)s.") % {"move": title})
            return redirect("serviceday:cycle-detail", pk=cycle.pk)
    return _form_page(
        request, "serviceday/staff/complete.html", cycle, {**context, "form": form}, title=title, status=BAD_REQUEST
    )


# --- opinions -----------------------------------------------------------------------------------------------------


@staff_view(Perm.MANAGE_DELIBERATION)
@require_http_methods(["GET", "POST"])
def opinion_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an opinion heard at a door, on the phone or at a meeting, while the cycle collects."""
    cycle = _manage_cycle(request, pk)
    title = _("Record an opinion")
    template = "serviceday/staff/opinion_form.html"
    if request.method != "POST":
        return _form_page(request, template, cycle, {"form": OpinionForm()}, title=title)
    form = OpinionForm(request.POST)
    if form.is_valid():
        try:
            opinion_services.opinion_record(actor=request.user, cycle=cycle, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The opinion is recorded."))
            return redirect("serviceday:cycle-detail", pk=cycle.pk)
    return _form_page(request, template, cycle, {"form": form}, title=title, status=BAD_REQUEST)


@staff_view(Perm.MANAGE_DELIBERATION)
@require_http_methods(["GET", "POST"])
def opinion_matters_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Pull matters of the community (open, or filed recently) into the cycle's opinions."""
    cycle = _manage_cycle(request, pk)
    title = _("Opinions from matters")
    template = "serviceday/staff/matters_form.html"
    candidates = selectors.matter_candidates(user=request.user, cycle=cycle, on=timezone.localdate())
    pullable = opinion_services.pullable_matters(actor=request.user, cycle=cycle)
    if request.method != "POST":
        form = MatterPullForm(initial={"topic": "other"}, candidates=pullable)
        return _form_page(request, template, cycle, {"form": form, "candidates": candidates}, title=title)
    form = MatterPullForm(request.POST, candidates=pullable)
    if form.is_valid():
        try:
            pulled = opinion_services.opinions_from_matters(
                actor=request.user,
                cycle=cycle,
                matters=list(form.cleaned_data["matters"]),
                topic=form.cleaned_data["topic"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(count)d matters are among the opinions now.") % {"count": len(pulled)})
            return redirect("serviceday:cycle-detail", pk=cycle.pk)
    return _form_page(
        request, template, cycle, {"form": form, "candidates": candidates}, title=title, status=BAD_REQUEST
    )


# --- items --------------------------------------------------------------------------------------------------------


def _item_form(request: HttpRequest, cycle: ServiceCycle, *args: Any, **kwargs: Any) -> ItemForm:
    return ItemForm(
        *args,
        opinions=cycle.opinions.order_by("created_at", "id"),
        members=selectors.volunteer_choices(cycle),
        units=selectors.unit_choices(cycle),
        activities=selectors.activity_choices(user=request.user, cycle=cycle),
        **kwargs,
    )


def _item_input(form: ItemForm) -> ItemInput:
    values = form.cleaned_data
    return ItemInput(
        title=values["title"],
        topic=values["topic"],
        description=values.get("description", ""),
        opinions=list(values.get("opinions") or []),
        members=list(values.get("members") or []),
        units=list(values.get("units") or []),
        activity=values.get("activity"),
    )


@staff_view(Perm.MANAGE_DELIBERATION)
@require_http_methods(["GET", "POST"])
def item_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Make an item of the cycle's opinions, with its helpers and activity."""
    cycle = _manage_cycle(request, pk)
    title = _("Make an item")
    template = "serviceday/staff/item_form.html"
    if request.method != "POST":
        return _form_page(request, template, cycle, {"form": _item_form(request, cycle)}, title=title)
    form = _item_form(request, cycle, request.POST)
    if form.is_valid():
        try:
            item_services.item_create(actor=request.user, cycle=cycle, data=_item_input(form))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The item is made."))
            return redirect("serviceday:cycle-detail", pk=cycle.pk)
    return _form_page(request, template, cycle, {"form": form}, title=title, status=BAD_REQUEST)


def _item_closed(item: Item) -> str:
    """Why a planned item's edit or drop form is not offered now, or ""."""
    if item.cycle.state not in PREPARING:
        return _("Items are made and changed while the cycle sorts the opinions or prepares the service day.")
    if item.state != ItemState.PLANNED:
        return _("Only a planned item is changed or dropped: this one is “%(state)s”.") % {
            "state": item.get_state_display()
        }
    return ""


def _item_initial(item: Item) -> dict[str, Any]:
    return {
        "title": item.title,
        "topic": item.topic,
        "description": item.description,
        "activity": item.activity_id,
        "opinions": list(item.opinions.values_list("pk", flat=True)),
        "members": list(item.members.values_list("pk", flat=True)),
        "units": list(item.units.values_list("pk", flat=True)),
        "version": item.version,
    }


def _item_refused(
    request: HttpRequest, template: str, item: Item, *, title: str, error: Exception, context: dict[str, Any]
) -> HttpResponse:
    fresh = selectors.item_get(user=request.user, pk=item.pk)
    return _form_page(
        request,
        template,
        fresh.cycle,
        {**context, "item": fresh, "form": None},
        title=title,
        status=CONFLICT,
        refusal=str(error),
    )


@staff_view(Perm.MANAGE_DELIBERATION)
@require_http_methods(["GET", "POST"])
def item_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a planned item while the cycle sorts or prepares the day."""
    item = selectors.item_get(user=request.user, pk=pk)
    cycle = item.cycle
    title = _("Change the item")
    template = "serviceday/staff/item_form.html"
    if request.method != "POST":
        closed = _item_closed(item)
        form = None if closed else _item_form(request, cycle, initial=_item_initial(item))
        return _form_page(request, template, cycle, {"form": form, "item": item}, title=title, refusal=closed)
    form = _item_form(request, cycle, request.POST)
    if form.is_valid():
        try:
            item_services.item_edit(
                actor=request.user,
                item=item,
                expected_version=form.cleaned_data.get("version") or 0,
                data=_item_input(form),
            )
        except (StaleState, MoveRefused) as error:
            return _item_refused(request, template, item, title=title, error=error, context={})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The item is changed."))
            return redirect("serviceday:cycle-detail", pk=cycle.pk)
    return _form_page(request, template, cycle, {"form": form, "item": item}, title=title, status=BAD_REQUEST)


@staff_view(Perm.MANAGE_DELIBERATION)
@require_http_methods(["GET", "POST"])
def item_drop_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Drop a planned item, with the reason."""
    item = selectors.item_get(user=request.user, pk=pk)
    title = _("Drop the item")
    template = "serviceday/staff/item_drop.html"
    if request.method != "POST":
        closed = _item_closed(item)
        form = None if closed else DropForm(initial={"version": item.version})
        return _form_page(request, template, item.cycle, {"form": form, "item": item}, title=title, refusal=closed)
    form = DropForm(request.POST)
    if form.is_valid():
        try:
            item_services.item_drop(
                actor=request.user,
                item=item,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except (StaleState, MoveRefused) as error:
            return _item_refused(request, template, item, title=title, error=error, context={})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The item is dropped."))
            return redirect("serviceday:cycle-detail", pk=item.cycle_id)
    return _form_page(request, template, item.cycle, {"form": form, "item": item}, title=title, status=BAD_REQUEST)


@staff_view(Perm.MANAGE_DELIBERATION)
@require_http_methods(["GET", "POST"])
def item_result_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The service day's result of an item: done, or not done with the reason."""
    item = selectors.item_get(user=request.user, pk=pk)
    title = _("Result of the item")
    template = "serviceday/staff/item_result.html"
    context = {
        "item": item,
        "service_day": cycle_dates(item.cycle).service_day,
        "events": [
            {"event": event, "label": ITEM_ACTION_LABELS.get(event.action, event.action)}
            for event in selectors.item_events(item)
        ],
    }
    if request.method != "POST":
        initial: dict[str, Any] = {"version": item.version, "note": item.result_note}
        if item.state in (ItemState.DONE, ItemState.NOT_DONE):
            initial["done"] = "yes" if item.state == ItemState.DONE else "no"
        closed = (
            _("Results are recorded while the cycle is at its service day.")
            if item.cycle.state != CycleState.SERVE or item.state == ItemState.DROPPED
            else ""
        )
        form = None if closed else ResultForm(initial=initial)
        return _form_page(request, template, item.cycle, {**context, "form": form}, title=title, refusal=closed)
    form = ResultForm(request.POST)
    if form.is_valid():
        try:
            item_services.item_record_result(
                actor=request.user,
                item=item,
                expected_version=form.cleaned_data["version"],
                done=form.cleaned_data["done"],
                note=form.cleaned_data.get("note", ""),
            )
        except (StaleState, MoveRefused) as error:
            return _item_refused(request, template, item, title=title, error=error, context=context)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The result is recorded."))
            return redirect("serviceday:cycle-detail", pk=item.cycle_id)
    return _form_page(request, template, item.cycle, {**context, "form": form}, title=title, status=BAD_REQUEST)
