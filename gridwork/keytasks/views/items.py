"""Staff pages of a key task's items: adding an item (its responsible unit and person), an item's page (milestones,
progress reports with their evidence), adding a milestone, reporting progress, cancelling an item, the evidence
download, and "my items" for a responsible person.

An item is found only through ``selectors.item_get`` (a sibling unit's item is 404); reporting needs
REPORT_KEY_TASKS over the item's unit, or being its responsible person (the service checks again).
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.accounts.roles import Perm
from gridwork.common.flows import StaleState
from gridwork.common.forms import add_service_errors
from gridwork.common.permissions import staff_view
from gridwork.keytasks import selectors, services
from gridwork.keytasks.forms import ItemCancelForm, ItemForm, MilestoneForm, ReportForm
from gridwork.keytasks.models import EvidenceKind, ItemState, ProjectItem, TaskState
from gridwork.keytasks.views.tasks import BAD_REQUEST, CONFLICT, crumbs, task_crumbs


def item_crumbs(item: ProjectItem, *extra: dict[str, str]) -> list[dict[str, str]]:
    return task_crumbs(item.task, {"label": str(item), "url": reverse("keytasks:item-detail", args=[item.pk])}, *extra)


@staff_view(Perm.MANAGE_KEY_TASKS)
@require_http_methods(["GET", "POST"])
def item_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    task = selectors.task_get(user=user, pk=pk, perm=Perm.MANAGE_KEY_TASKS)
    people = selectors.item_person_choices(task=task)
    status = 200
    if request.method == "POST":
        form = ItemForm(request.POST, task=task, people=people)
        if form.is_valid():
            try:
                item = services.item_create(actor=user, task=task, values=form.to_input())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Item added: give it its milestones."))
                return redirect("keytasks:item-detail", pk=item.pk)
        status = BAD_REQUEST
    else:
        form = ItemForm(task=task, people=people, initial={"deadline": task.target_on})
    return render(
        request,
        "keytasks/item_form.html",
        {"form": form, "task": task, "breadcrumbs": task_crumbs(task, {"label": _("New item"), "url": ""})},
        status=status,
    )


def _item_context(request: HttpRequest, item: ProjectItem, **extra: Any) -> dict[str, Any]:
    user: Any = request.user
    open_milestones = item.milestones.filter(done_on__isnull=True).order_by("due_on", "pk")
    may_report = (
        item.state == ItemState.OPEN and item.task.state == TaskState.ACTIVE and services.reports_item(user, item)
    )
    may_manage = services.manages_task(user, item.task)
    context: dict[str, Any] = {
        "item": item,
        "task": item.task,
        "today": timezone.localdate(),
        "milestones": item.milestones.order_by("due_on", "pk"),
        "reports": selectors.item_reports(item),
        "may_report": may_report,
        "may_manage": may_manage and item.state == ItemState.OPEN,
        "report_form": ReportForm(
            milestones=open_milestones, initial={"version": item.version, "percent": item.percent}
        ),
        "milestone_form": MilestoneForm(),
        "cancel_form": ItemCancelForm(initial={"version": item.version}),
        "breadcrumbs": item_crumbs(item),
    }
    context.update(extra)
    return context


@staff_view(Perm.VIEW_KEY_TASKS)
@require_GET
def item_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_get(user=request.user, pk=pk)
    return render(request, "keytasks/item_detail.html", _item_context(request, item))


@staff_view(Perm.REPORT_KEY_TASKS)
@require_POST
def item_report_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = selectors.item_get(user=user, pk=pk, perm=Perm.REPORT_KEY_TASKS)
    open_milestones = item.milestones.filter(done_on__isnull=True).order_by("due_on", "pk")
    form = ReportForm(request.POST, request.FILES, milestones=open_milestones)
    status = BAD_REQUEST
    if form.is_valid():
        try:
            services.progress_report(
                actor=user,
                item=item,
                percent=form.cleaned_data["percent"],
                text=form.cleaned_data["text"],
                reason=form.cleaned_data.get("reason") or "",
                milestones=form.milestone_ids(),
                files=form.cleaned_data.get("evidence") or [],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except StaleState as error:
            form.add_error(None, str(error))
            status = CONFLICT
        else:
            messages.success(request, _("Progress reported."))
            return redirect("keytasks:item-detail", pk=item.pk)
    return render(request, "keytasks/item_detail.html", _item_context(request, item, report_form=form), status=status)


@staff_view(Perm.MANAGE_KEY_TASKS)
@require_POST
def milestone_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = selectors.item_get(user=user, pk=pk, perm=Perm.MANAGE_KEY_TASKS)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            services.milestone_create(
                actor=user, item=item, title=form.cleaned_data["title"], due_on=form.cleaned_data["due_on"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Milestone added."))
            return redirect("keytasks:item-detail", pk=item.pk)
    return render(
        request, "keytasks/item_detail.html", _item_context(request, item, milestone_form=form), status=BAD_REQUEST
    )


@staff_view(Perm.MANAGE_KEY_TASKS)
@require_POST
def item_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = selectors.item_get(user=user, pk=pk, perm=Perm.MANAGE_KEY_TASKS)
    form = ItemCancelForm(request.POST)
    status = BAD_REQUEST
    if form.is_valid():
        try:
            services.item_cancel(
                actor=user, item=item, expected_version=form.cleaned_data["version"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except StaleState as error:
            form.add_error(None, str(error))
            status = CONFLICT
        else:
            messages.success(request, _("Item cancelled."))
            return redirect("keytasks:task-detail", pk=item.task_id)
    return render(request, "keytasks/item_detail.html", _item_context(request, item, cancel_form=form), status=status)


@staff_view(Perm.VIEW_KEY_TASKS)
@require_GET
def evidence_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The evidence's bytes, private to this user's browser: photos shown inline, documents only downloaded."""
    evidence = selectors.evidence_get(user=request.user, pk=pk)
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
    photo = evidence.kind == EvidenceKind.PHOTO and evidence.content_type.startswith("image/")
    response = FileResponse(
        handle,
        content_type=evidence.content_type or "application/octet-stream",
        as_attachment=not photo,
        filename=evidence.file.name.rsplit("/", 1)[-1],
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return cast(HttpResponse, response)


@staff_view(Perm.VIEW_KEY_TASKS)
@require_GET
def my_items_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    return render(
        request,
        "keytasks/my_items.html",
        {
            "items": selectors.my_items(user=user),
            "today": timezone.localdate(),
            "breadcrumbs": crumbs({"label": _("My items"), "url": ""}),
        },
    )
