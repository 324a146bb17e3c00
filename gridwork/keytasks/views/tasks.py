"""Staff pages of key tasks, at /staff/key-tasks/: the list (filters), defining and editing a task, its page (project
list with milestones and progress bars, figures, history, moves), the overview of figures per task, and the Excel
export of the project list (项目清单).

Reads through ``keytasks.selectors`` (VIEW_KEY_TASKS; 404 outside), writes through ``keytasks.services``. A refused
form answers 400 with the field and why; a stale page 409.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.accounts.roles import Perm
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.forms import add_service_errors
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.keytasks import exports, selectors, services
from gridwork.keytasks.figures import DEFINITIONS, task_figures
from gridwork.keytasks.flows import ACTION_LABELS, TASK_FLOW, TaskAction
from gridwork.keytasks.forms import MoveForm, TaskForm
from gridwork.keytasks.models import KeyTask, TaskState

BAD_REQUEST = 400
CONFLICT = 409


def crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Key tasks"), "url": reverse("keytasks:task-list")}, *extra]


def task_crumbs(task: KeyTask, *extra: dict[str, str]) -> list[dict[str, str]]:
    return crumbs({"label": task.number, "url": reverse("keytasks:task-detail", args=[task.pk])}, *extra)


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


@staff_view(Perm.VIEW_KEY_TASKS)
@require_GET
def task_list_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    filters = selectors.TaskFilters(
        q=request.GET.get("q", "")[:50],
        state=request.GET.get("state", ""),
        place=_int(request.GET.get("place", "")),
        overdue_only=request.GET.get("overdue") == "1",
    )
    page, query = paginate(request, selectors.task_list(user=user, filters=filters, today=timezone.localdate()))
    return render(
        request,
        "keytasks/task_list.html",
        {
            "page_obj": page,
            "query": query,
            "filters": filters,
            "states": TaskState.choices,
            "places": selectors.filter_place_choices(user=user),
            "may_create": selectors.owner_choices(user=user).exists(),
            "breadcrumbs": crumbs(),
        },
    )


def _task_form(request: HttpRequest, user: Any, task: KeyTask | None = None) -> TaskForm:
    kwargs: dict[str, Any] = {
        "places": selectors.owner_choices(user=user),
        "leaders": selectors.leader_choices(user=user),
    }
    if request.method == "POST":
        return TaskForm(request.POST, **kwargs)
    if task is None:
        return TaskForm(initial={"leader": user.pk, "starts_on": timezone.localdate()}, **kwargs)
    initial = {
        "title": task.title,
        "description": task.description,
        "place": task.place_id,
        "leader": task.leader_id,
        "starts_on": task.starts_on,
        "target_on": task.target_on,
    }
    return TaskForm(initial=initial, **kwargs)


@staff_view(Perm.MANAGE_KEY_TASKS)
@require_http_methods(["GET", "POST"])
def task_create_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = _task_form(request, user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                task = services.key_task_create(actor=user, values=form.to_input())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Key task %(number)s defined: add its project list.") % {"number": task.number}
                )
                return redirect("keytasks:task-detail", pk=task.pk)
        status = BAD_REQUEST
    return render(
        request,
        "keytasks/task_form.html",
        {"form": form, "title": _("New key task"), "breadcrumbs": crumbs({"label": _("New key task"), "url": ""})},
        status=status,
    )


@staff_view(Perm.MANAGE_KEY_TASKS)
@require_http_methods(["GET", "POST"])
def task_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    task = selectors.task_get(user=user, pk=pk, perm=Perm.MANAGE_KEY_TASKS)
    form = _task_form(request, user, task)
    form.fields["place"].disabled = True
    form.fields["place"].required = False
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.key_task_update(
                    actor=user,
                    task=task,
                    values=form.to_input(),
                    expected_version=_int(request.POST.get("version", "")) or 0,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except StaleState as error:
                form.add_error(None, str(error))
                status = CONFLICT
            else:
                messages.success(request, _("Key task saved."))
                return redirect("keytasks:task-detail", pk=task.pk)
        status = status if status == CONFLICT else BAD_REQUEST
    return render(
        request,
        "keytasks/task_form.html",
        {
            "form": form,
            "task": task,
            "title": _("Edit key task"),
            "breadcrumbs": task_crumbs(task, {"label": _("Edit"), "url": ""}),
        },
        status=status,
    )


def _detail_context(request: HttpRequest, task: KeyTask) -> dict[str, Any]:
    user: Any = request.user
    items = list(selectors.task_items(user=user, task=task))
    today = timezone.localdate()
    may_manage = services.manages_task(user, task)
    return {
        "task": task,
        "items": items,
        "today": today,
        "figures": task_figures(items, today=today),
        "definitions": DEFINITIONS,
        "events": [
            {"event": event, "label": ACTION_LABELS.get(event.action, event.action)}
            for event in task.events.order_by("sequence")
        ],
        "may_manage": may_manage,
        "moves": [(action, TASK_FLOW.action_label(action)) for action in TASK_FLOW.allowed(task.state)]
        if may_manage
        else [],
        "move_form": MoveForm(initial={"version": task.version}),
        "editable": may_manage and task.state in (TaskState.DRAFT, TaskState.ACTIVE),
        "breadcrumbs": task_crumbs(task),
    }


@staff_view(Perm.VIEW_KEY_TASKS)
@require_GET
def task_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(user=request.user, pk=pk)
    return render(request, "keytasks/task_detail.html", _detail_context(request, task))


@staff_view(Perm.MANAGE_KEY_TASKS)
@require_POST
def task_move_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    task = selectors.task_get(user=user, pk=pk, perm=Perm.MANAGE_KEY_TASKS)
    if action not in (TaskAction.ACTIVATE, TaskAction.COMPLETE, TaskAction.CANCEL):
        raise Http404
    form = MoveForm(request.POST)
    status = BAD_REQUEST
    if form.is_valid():
        try:
            services.key_task_move(
                actor=user,
                task=task,
                action=action,
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data.get("note") or "",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except (StaleState, MoveRefused) as error:
            form.add_error(None, str(error))
            status = CONFLICT
        except PermissionDenied:
            raise
        else:
            messages.success(request, str(ACTION_LABELS.get(action, action)))
            return redirect("keytasks:task-detail", pk=task.pk)
    context = _detail_context(request, task)
    context["move_form"] = form
    return render(request, "keytasks/task_detail.html", context, status=status)


@staff_view(Perm.VIEW_KEY_TASKS)
@require_GET
def overview_view(request: HttpRequest) -> HttpResponse:
    """Figures per task (items done and overdue, milestones on time), over the items the user may see."""
    user: Any = request.user
    today = timezone.localdate()
    tasks = list(selectors.task_list(user=user).exclude(state=TaskState.CANCELLED)[:200])
    items_by_task: dict[int, list[Any]] = {task.pk: [] for task in tasks}
    for item in selectors.visible_items(user=user).filter(task__in=tasks).prefetch_related("milestones"):
        items_by_task[item.task_id].append(item)
    rows = [{"task": task, "figures": task_figures(items_by_task[task.pk], today=today)} for task in tasks]
    return render(
        request,
        "keytasks/overview.html",
        {
            "rows": rows,
            "definitions": DEFINITIONS,
            "breadcrumbs": crumbs({"label": _("Figures per task"), "url": ""}),
        },
    )


@staff_view(Perm.VIEW_KEY_TASKS)
@require_GET
def task_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    task = selectors.task_get(user=user, pk=pk)
    items = list(selectors.task_items(user=user, task=task))
    about = [(_("Exported at"), timezone.now()), (_("Exported by"), str(user)), (_("Items"), len(items))]
    return exports.xlsx_response(
        exports.project_list_xlsx(task, items, about=about),
        ascii_name=f"project-list-{task.number}.xlsx",
        display_name=_("Project list %(number)s.xlsx") % {"number": task.number},
    )
