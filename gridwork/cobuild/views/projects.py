"""Staff pages of the matches and the projects list (项目清单), at /staff/cobuild/matches/ and /staff/cobuild/projects/:
the matches made (each to turn into a project, or a contract clause on the contracts' page) and their export; the
projects, their export, create (directly or from a match), edit, milestones, start / done / cancel."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.accounts.roles import Perm
from gridwork.cobuild import services
from gridwork.cobuild.exports import (
    day_name,
    match_headers,
    match_rows,
    project_headers,
    project_rows,
    table_xlsx,
    xlsx_response,
)
from gridwork.cobuild.flows import PROJECT_FLOW, ProjectAction
from gridwork.cobuild.forms import (
    ListFilterForm,
    MilestoneDoneForm,
    MilestoneForm,
    NoteForm,
    ProjectForm,
    ReasonForm,
)
from gridwork.cobuild.models import Match, Milestone, Project, ProjectState
from gridwork.cobuild.selectors import (
    alliance_choices,
    community_choices,
    match_get,
    match_list,
    may_at,
    party_choices,
    project_events,
    project_get,
    project_list,
)
from gridwork.cobuild.views.common import clause_from_match_url, move_failure, timeline
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.forms import add_service_errors
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view


def crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Projects"), "url": reverse("cobuild:project-list")}, *extra]


# --- matches ----------------------------------------------------------------------------------------------------------


@staff_view(Perm.VIEW_PARTY)
@require_GET
def match_list_view(request: HttpRequest) -> HttpResponse:
    """The matches made for the needs of the user's communities, newest first."""
    user: Any = request.user
    page, query = paginate(request, match_list(user=user))
    rows = [
        {
            "match": match,
            "project": getattr(match, "project", None),
            "clause_url": clause_from_match_url(match),
            "may_manage": may_at(user, Perm.MANAGE_PARTY, match.need.community.path),
        }
        for match in page
    ]
    return render(
        request,
        "cobuild/match_list.html",
        {"page_obj": page, "rows": rows, "query": query, "breadcrumbs": [{"label": _("Matches"), "url": ""}]},
    )


@staff_view(Perm.VIEW_PARTY)
@require_GET
def match_export_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    export = table_xlsx(
        title=_("Matches"),
        headers=match_headers(),
        rows=match_rows(match_list(user=user)),
        about=[(_("Exported at"), timezone.now()), (_("Exported by"), str(user))],
    )
    today = day_name(timezone.localdate())
    return xlsx_response(
        export.content, ascii_name=f"matches-{today}.xlsx", display_name=f"{_('Matches')}-{today}.xlsx"
    )


# --- the list ---------------------------------------------------------------------------------------------------------


def _filters(request: HttpRequest) -> tuple[ListFilterForm, dict[str, str]]:
    bound = any(request.GET.get(name) for name in ("state", "field", "q"))
    form = ListFilterForm(request.GET if bound else None, subject="project")
    return form, form.values()


@staff_view(Perm.VIEW_PARTY)
@require_GET
def project_list_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form, values = _filters(request)
    projects = project_list(user=user, state=values["state"], field=values["field"], search=values["q"])
    page, query = paginate(request, projects)
    return render(
        request,
        "cobuild/project_list.html",
        {
            "form": form,
            "page_obj": page,
            "query": query,
            "may_manage": user.has_perm_anywhere(Perm.MANAGE_PARTY),
            "breadcrumbs": [{"label": _("Projects"), "url": ""}],
        },
    )


@staff_view(Perm.VIEW_PARTY)
@require_GET
def project_export_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    _form, values = _filters(request)
    projects = project_list(user=user, state=values["state"], field=values["field"], search=values["q"])
    export = table_xlsx(
        title=_("Projects"),
        headers=project_headers(),
        rows=project_rows(projects),
        about=[
            (_("State"), ProjectState(values["state"]).label if values["state"] else _("All states")),
            (_("Words"), values["q"]),
            (_("Exported at"), timezone.now()),
            (_("Exported by"), str(user)),
        ],
    )
    today = day_name(timezone.localdate())
    return xlsx_response(
        export.content, ascii_name=f"projects-{today}.xlsx", display_name=f"{_('Projects')}-{today}.xlsx"
    )


# --- create and edit --------------------------------------------------------------------------------------------------


def _values(form: ProjectForm) -> dict[str, Any]:
    return {
        "title": form.cleaned_data["title"],
        "goal": form.cleaned_data["goal"],
        "field": form.cleaned_data["field"],
        "units": list(form.cleaned_data["units"]),
        "budget": form.cleaned_data["budget"],
        "starts_on": form.cleaned_data["starts_on"],
        "ends_on": form.cleaned_data["ends_on"],
        "alliance": form.cleaned_data.get("alliance"),
    }


def _create(request: HttpRequest, *, match: Match | None) -> HttpResponse:
    user: Any = request.user
    extra = [match.resource.unit_id] if match is not None else []
    initial: dict[str, Any] = {}
    if match is not None:
        initial = {
            "title": match.need.title,
            "goal": match.need.description or match.need.title,
            "field": match.need.field,
            "units": [match.resource.unit_id],
            "starts_on": timezone.localdate(),
            "ends_on": match.need.wanted_by or match.resource.available_to,
        }
    form = ProjectForm(
        request.POST or None,
        initial=initial,
        communities=community_choices(user=user),
        units=party_choices(user=user, extra_ids=extra),
        alliances=alliance_choices(user=user),
        with_community=match is None,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                project = services.project_create(
                    actor=user,
                    community=form.cleaned_data.get("community") if match is None else None,
                    match=match,
                    **_values(form),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The project is on the list. Add its milestones."))
                return redirect("cobuild:project-detail", pk=project.pk)
        status = 400
    return render(
        request,
        "cobuild/project_form.html",
        {
            "form": form,
            "project": None,
            "match": match,
            "breadcrumbs": crumbs({"label": _("New project"), "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def project_create_view(request: HttpRequest) -> HttpResponse:
    """立项 directly: a project of one of the user's communities."""
    return _create(request, match=None)


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def match_project_view(request: HttpRequest, pk: int) -> HttpResponse:
    """立项 from a match: the need's community, the resource's unit among the parties."""
    match = match_get(user=request.user, pk=pk, perm=Perm.MANAGE_PARTY)
    if getattr(match, "project", None) is not None:
        messages.info(request, _("A project was already made from this match."))
        return redirect("cobuild:project-detail", pk=match.project.pk)
    return _create(request, match=match)


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def project_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    project = project_get(user=user, pk=pk, perm=Perm.MANAGE_PARTY)
    extra = [unit.pk for unit in project.units.all()]
    if project.match is not None:
        extra.append(project.match.resource.unit_id)
    initial = {
        "title": project.title,
        "goal": project.goal,
        "field": project.field,
        "units": [unit.pk for unit in project.units.all()],
        "budget": project.budget,
        "starts_on": project.starts_on,
        "ends_on": project.ends_on,
        "alliance": project.alliance_id,
        "version": project.version,
    }
    form = ProjectForm(
        request.POST or None,
        initial=initial,
        units=party_choices(user=user, extra_ids=extra),
        alliances=alliance_choices(user=user),
        editing=True,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.project_update(
                    actor=user, project=project, expected_version=form.cleaned_data["version"], **_values(form)
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except (MoveRefused, StaleState) as error:
                message, status = move_failure(error)
                form.add_error(None, message)
                return _edit_page(request, form, project, status)
            else:
                messages.success(request, _("The project is saved."))
                return redirect("cobuild:project-detail", pk=project.pk)
        status = 400
    return _edit_page(request, form, project, status)


def _edit_page(request: HttpRequest, form: ProjectForm, project: Project, status: int) -> HttpResponse:
    return render(
        request,
        "cobuild/project_form.html",
        {
            "form": form,
            "project": project,
            "match": project.match,
            "breadcrumbs": crumbs(
                {"label": project.title, "url": reverse("cobuild:project-detail", args=[project.pk])},
                {"label": _("Edit"), "url": ""},
            ),
        },
        status=status,
    )


# --- a project --------------------------------------------------------------------------------------------------------


def _detail(
    request: HttpRequest, project: Project, *, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user: Any = request.user
    may_manage = may_at(user, Perm.MANAGE_PARTY, project.community.path)
    allowed = set(PROJECT_FLOW.allowed(project.state)) if may_manage else set()
    initial = {"version": project.version}
    forms = forms or {}
    done_form = forms.get("done")
    done_for = int(request.POST.get("milestone", 0) or 0) if done_form is not None else 0
    milestones = [
        {
            "milestone": milestone,
            "form": done_form
            if milestone.pk == done_for
            else MilestoneDoneForm(initial={**initial, "done_on": timezone.localdate()}, prefix=f"done{milestone.pk}"),
            "late": milestone.done_on is None and milestone.due_on < timezone.localdate(),
        }
        for milestone in project.milestones.all()
    ]
    return render(
        request,
        "cobuild/project_detail.html",
        {
            "project": project,
            "units": list(project.units.all()),
            "milestones": milestones,
            "timeline": timeline(project_events(project), flow=PROJECT_FLOW),
            "may_edit": ProjectAction.EDIT in allowed,
            "may_add_milestone": ProjectAction.ADD_MILESTONE in allowed,
            "may_mark_done": ProjectAction.MILESTONE_DONE in allowed,
            "may_start": ProjectAction.START in allowed,
            "may_finish": ProjectAction.FINISH in allowed,
            "may_cancel": ProjectAction.CANCEL in allowed,
            "milestone_form": forms.get("milestone") or MilestoneForm(initial=initial, prefix="milestone"),
            "start_form": forms.get("start") or NoteForm(initial=initial, prefix="start"),
            "finish_form": forms.get("finish") or NoteForm(initial=initial, prefix="finish"),
            "cancel_form": forms.get("cancel") or ReasonForm(initial=initial, prefix="cancel"),
            "breadcrumbs": crumbs({"label": project.title, "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.VIEW_PARTY)
@require_GET
def project_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, project_get(user=request.user, pk=pk))


def _refused(request: HttpRequest, pk: int, error: Exception) -> HttpResponse:
    message, status = move_failure(error)
    messages.error(request, message)
    return _detail(request, project_get(user=request.user, pk=pk), status=status)


@staff_view(Perm.MANAGE_PARTY)
@require_POST
def milestone_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    project = project_get(user=user, pk=pk, perm=Perm.MANAGE_PARTY)
    form = MilestoneForm(request.POST, prefix="milestone")
    if not form.is_valid():
        return _detail(request, project, forms={"milestone": form}, status=400)
    try:
        services.milestone_add(
            actor=user,
            project=project,
            title=form.cleaned_data["title"],
            due_on=form.cleaned_data["due_on"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _detail(request, project, forms={"milestone": form}, status=400)
    except (MoveRefused, StaleState) as error:
        return _refused(request, pk, error)
    messages.success(request, _("The milestone is added."))
    return redirect("cobuild:project-detail", pk=project.pk)


@staff_view(Perm.MANAGE_PARTY)
@require_POST
def milestone_done_view(request: HttpRequest, pk: int, milestone_id: int) -> HttpResponse:
    user: Any = request.user
    project = project_get(user=user, pk=pk, perm=Perm.MANAGE_PARTY)
    milestone = Milestone.objects.filter(project=project, pk=milestone_id).first()
    if milestone is None:
        raise Http404
    form = MilestoneDoneForm(request.POST, prefix=f"done{milestone.pk}")
    if not form.is_valid():
        return _detail(request, project, forms={"done": form}, status=400)
    try:
        services.milestone_done(
            actor=user,
            project=project,
            milestone=milestone,
            done_on=form.cleaned_data["done_on"],
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _detail(request, project, forms={"done": form}, status=400)
    except (MoveRefused, StaleState) as error:
        return _refused(request, pk, error)
    messages.success(request, _("The milestone is done."))
    return redirect("cobuild:project-detail", pk=project.pk)


MOVES = {"start": services.project_start, "finish": services.project_finish}


def _move(request: HttpRequest, pk: int, prefix: str, done: str) -> HttpResponse:
    user: Any = request.user
    project = project_get(user=user, pk=pk, perm=Perm.MANAGE_PARTY)
    form: NoteForm | ReasonForm = (ReasonForm if prefix == "cancel" else NoteForm)(request.POST, prefix=prefix)
    if not form.is_valid():
        return _detail(request, project, forms={prefix: form}, status=400)
    version = form.cleaned_data["version"]
    try:
        if prefix == "cancel":
            services.project_cancel(
                actor=user, project=project, reason=form.cleaned_data["reason"], expected_version=version
            )
        else:
            MOVES[prefix](actor=user, project=project, note=form.cleaned_data["note"], expected_version=version)
    except ValidationError as error:
        add_service_errors(form, error)
        return _detail(request, project, forms={prefix: form}, status=400)
    except (MoveRefused, StaleState) as error:
        return _refused(request, pk, error)
    messages.success(request, done)
    return redirect("cobuild:project-detail", pk=project.pk)


@staff_view(Perm.MANAGE_PARTY)
@require_POST
def project_start_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _move(request, pk, "start", _("The project is under way."))


@staff_view(Perm.MANAGE_PARTY)
@require_POST
def project_finish_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _move(request, pk, "finish", _("The project is done."))


@staff_view(Perm.MANAGE_PARTY)
@require_POST
def project_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _move(request, pk, "cancel", _("The project is cancelled."))
