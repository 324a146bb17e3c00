"""Staff pages of the community workforce, at /staff/workforce/: workers (list, detail with history, new, edit, move,
regrade, leave, return), pay ladders (presets, pay table, 以星定酬), training courses and records, secretaries' hours
against the yearly minimum, the staffing check per community, the reserve pool per street, the standards; Excel
exports of workers, staffing and training.

Reading needs VIEW_WORKFORCE; changing needs MANAGE_WORKFORCE over the place (the services check the scope). Names,
phones and ID numbers are masked unless the viewer holds VIEW_PERSONAL_DATA over the worker's community.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.accounts.roles import Perm
from gridwork.audit.services import audit_record
from gridwork.common.flows import START, MoveRefused, StaleState
from gridwork.common.forms import add_service_errors
from gridwork.common.masking import mask_id_number, mask_name, mask_phone
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.places.models import Place, PlaceLevel
from gridwork.workforce import selectors, services
from gridwork.workforce.exports import (
    staffing_columns,
    staffing_rows,
    training_columns,
    training_rows,
    workbook_of,
    worker_columns,
    worker_rows,
    xlsx_response,
)
from gridwork.workforce.flows import WORKER_FLOW, WorkerAction
from gridwork.workforce.forms import (
    CandidateForm,
    CourseForm,
    LadderForm,
    LeaveForm,
    MoveForm,
    PayTableForm,
    PresetForm,
    ReasonForm,
    RecordForm,
    RegradeForm,
    RuleForm,
    StarRulesForm,
    WorkerCreateForm,
    WorkerDetailsForm,
    WorkerFilterForm,
)
from gridwork.workforce.models import PayLadder, ReserveCandidate, StaffingRule, Worker
from gridwork.workforce.presets import LADDER_PRESETS

# --- shared ---------------------------------------------------------------------------------------------------------


def _manage_paths(user: Any) -> list[str]:
    return list(user.scope_paths(Perm.MANAGE_WORKFORCE))


def _under(path: str, paths: list[str]) -> bool:
    return any(path.startswith(prefix) for prefix in paths)


@dataclass(frozen=True)
class Shown:
    """A worker as a page shows them: personal data masked unless the viewer may see it."""

    worker: Worker
    name: str
    phone: str
    id_number: str
    birth_date: date | None
    unmasked: bool
    manageable: bool


def _shown(worker: Worker, *, visible: list[str], manage: list[str]) -> Shown:
    unmasked = _under(worker.community.path, visible)
    return Shown(
        worker=worker,
        name=worker.name if unmasked else mask_name(worker.name),
        phone=worker.phone if unmasked else mask_phone(worker.phone),
        id_number=worker.id_number if unmasked else mask_id_number(worker.id_number),
        birth_date=worker.birth_date if unmasked else None,
        unmasked=unmasked,
        manageable=_under(worker.community.path, manage),
    )


def _namer(user: Any) -> Callable[[Worker], str]:
    visible = selectors.personal_data_paths(user=user)

    def label(worker: Worker) -> str:
        name = worker.name if _under(worker.community.path, visible) else mask_name(worker.name)
        return f"{worker.community.name} · {name}" + (f" ({worker.title})" if worker.title else "")

    return label


def _refused(request: HttpRequest, error: Exception) -> int:
    if isinstance(error, StaleState):
        messages.error(request, str(error))
        return 409
    messages.error(request, str(error))
    return 400


def _export(
    request: HttpRequest, export: Any, *, action: str, name: str, display: str, detail: dict[str, Any]
) -> HttpResponse:
    if export.unmasked:
        with transaction.atomic():
            audit_record(
                actor=request.user,
                action=action,
                detail={"rows": export.rows, "unmasked": export.unmasked, **detail},
                request=request,
            )
    today = timezone.localdate()
    return xlsx_response(
        export.content, ascii_name=f"{name}-{today:%Y%m%d}.xlsx", display_name=f"{display}-{today:%Y%m%d}.xlsx"
    )


# --- workers --------------------------------------------------------------------------------------------------------


def _worker_filters(request: HttpRequest) -> tuple[WorkerFilterForm, selectors.WorkerFilters]:
    communities = selectors.community_choices(user=request.user)
    keys = ("q", "community", "post", "secretary", "party_member", "certified", "state")
    form = WorkerFilterForm(request.GET if any(request.GET.get(key) for key in keys) else None, communities=communities)
    if not form.is_bound or not form.is_valid():
        return form, selectors.WorkerFilters()
    data = form.cleaned_data
    state = data["state"]
    return form, selectors.WorkerFilters(
        community=data["community"],
        post=data["post"],
        secretary=form.yes_no(data["secretary"]),
        party_member=form.yes_no(data["party_member"]),
        certified=form.yes_no(data["certified"]),
        active=None if state == "all" else state != "left",
        query=data["q"].strip(),
    )


@staff_view(Perm.VIEW_WORKFORCE)
@require_GET
def worker_list_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form, filters = _worker_filters(request)
    page, query = paginate(request, selectors.worker_list(user=user, filters=filters))
    visible, manage = selectors.personal_data_paths(user=user), _manage_paths(user)
    return render(
        request,
        "workforce/worker_list.html",
        {
            "form": form,
            "page_obj": page,
            "query": query,
            "rows": [_shown(worker, visible=visible, manage=manage) for worker in page],
            "may_manage": bool(manage),
            "breadcrumbs": [{"label": _("Workforce"), "url": ""}],
        },
    )


@staff_view(Perm.VIEW_WORKFORCE)
@require_GET
def worker_export_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    _form, filters = _worker_filters(request)
    workers = selectors.worker_list(user=user, filters=filters)
    export = workbook_of(
        _("Community workers"),
        worker_columns(),
        worker_rows(workers.iterator(chunk_size=2000), visible_paths=selectors.personal_data_paths(user=user)),
        about=[
            (_("Community"), filters.community.name if filters.community else _("All in your units")),
            (_("Exported at"), timezone.now()),
            (_("Exported by"), str(user)),
        ],
        personal=True,
    )
    return _export(
        request,
        export,
        action="worker.export_unmasked",
        name="community-workers",
        display=_("Community workers"),
        detail={"query": request.GET.urlencode()},
    )


@dataclass(frozen=True)
class Step:
    label: str
    at: Any
    who: str
    note: str
    data: dict[str, Any]


@staff_view(Perm.VIEW_WORKFORCE)
@require_GET
def worker_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    worker = selectors.worker_get(user=user, pk=pk)
    shown = _shown(worker, visible=selectors.personal_data_paths(user=user), manage=_manage_paths(user))
    year = timezone.localdate().year
    rule = StaffingRule.current()
    hours = selectors.training_hours(worker=worker, start=date(year, 1, 1), end=date(year, 12, 31))
    steps = [
        Step(
            label=_("Appointed") if event.action == START else WORKER_FLOW.action_label(event.action),
            at=event.at,
            who=event.actor_name,
            note=event.note,
            data=event.data,
        )
        for event in selectors.worker_events(worker)
    ]
    allowed = set(WORKER_FLOW.allowed(worker.state)) if shown.manageable else set()
    return render(
        request,
        "workforce/worker_detail.html",
        {
            "shown": shown,
            "worker": worker,
            "pay": selectors.current_pay_grade(worker),
            "appointments": selectors.worker_appointments(worker),
            "training": selectors.worker_training(worker),
            "year": year,
            "year_hours": hours,
            "minimum": rule.training_min_hours,
            "below": worker.is_secretary and worker.active and hours < rule.training_min_hours,
            "steps": steps,
            "may_edit": WorkerAction.EDIT in allowed,
            "may_move": WorkerAction.MOVE in allowed,
            "may_leave": WorkerAction.LEAVE in allowed,
            "may_return": WorkerAction.RETURN in allowed,
            "leave_form": LeaveForm(initial={"version": worker.version}),
            "breadcrumbs": [
                {"label": _("Workforce"), "url": reverse("workforce:worker-list")},
                {"label": shown.name, "url": ""},
            ],
        },
    )


def _ladders_for(user: Any, community: Place | None) -> QuerySet[PayLadder]:
    if community is not None:
        return selectors.ladder_choices_for(community)
    return selectors.ladder_list(user=user).filter(active=True)


@staff_view(Perm.MANAGE_WORKFORCE)
@require_http_methods(["GET", "POST"])
def worker_create_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    communities = selectors.community_choices(user=user, perm=Perm.MANAGE_WORKFORCE)
    form = WorkerCreateForm(
        request.POST or None,
        communities=communities,
        ladders=_ladders_for(user, None),
        initial={"social_work_cert": "none", "post": "worker"},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                worker = services.worker_create(
                    actor=user,
                    community=data["community"],
                    details=_details(data),
                    post=data["post"],
                    is_secretary=data["is_secretary"],
                    ladder=data["ladder"],
                    grade=data["grade"],
                    joined_on=data["joined_on"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The worker is appointed."))
                return redirect("workforce:worker-detail", pk=worker.pk)
        status = 400
    return render(
        request,
        "workforce/form.html",
        {
            "form": form,
            "heading": _("New community worker"),
            "back": reverse("workforce:worker-list"),
            "breadcrumbs": [
                {"label": _("Workforce"), "url": reverse("workforce:worker-list")},
                {"label": _("New community worker"), "url": ""},
            ],
        },
        status=status,
    )


def _details(data: dict[str, Any]) -> services.WorkerDetails:
    return services.WorkerDetails(
        name=data["name"],
        id_number=data["id_number"],
        phone=data["phone"],
        gender=data["gender"],
        birth_date=data["birth_date"],
        title=data["title"],
        party_member=data["party_member"],
        social_work_cert=data["social_work_cert"],
    )


def _worker_form_page(
    request: HttpRequest, worker: Worker, form: Any, heading: str, status: int, *, note: str = ""
) -> HttpResponse:
    shown = _shown(worker, visible=selectors.personal_data_paths(user=request.user), manage=[])
    return render(
        request,
        "workforce/form.html",
        {
            "form": form,
            "heading": f"{heading} · {shown.name}",
            "note": note,
            "back": reverse("workforce:worker-detail", args=[worker.pk]),
            "breadcrumbs": [
                {"label": _("Workforce"), "url": reverse("workforce:worker-list")},
                {"label": shown.name, "url": reverse("workforce:worker-detail", args=[worker.pk])},
                {"label": heading, "url": ""},
            ],
        },
        status=status,
    )


@staff_view(Perm.MANAGE_WORKFORCE)
@require_http_methods(["GET", "POST"])
def worker_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    worker = selectors.worker_get(user=user, pk=pk, perm=Perm.MANAGE_WORKFORCE)
    if not selectors.holds_personal_data(user=user, place=worker.community):
        note = _("You do not see this worker's personal data; the fields show what you may change.")
    else:
        note = ""
    initial = WorkerDetailsForm.initial_of(worker)
    if note:
        initial.update(name="", phone="", id_number="", birth_date=None)
    form = WorkerDetailsForm(request.POST or None, initial=initial)
    if note:
        # Who cannot read the personal data cannot rewrite it either: only the other fields are offered.
        for field in ("name", "phone", "id_number", "birth_date"):
            del form.fields[field]
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {**initial, **form.cleaned_data} if note else form.cleaned_data
            if note:
                data.update(
                    name=worker.name, phone=worker.phone, id_number=worker.id_number, birth_date=worker.birth_date
                )
            try:
                services.worker_update(
                    actor=user, worker=worker, details=_details(data), expected_version=form.cleaned_data["version"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except (MoveRefused, StaleState) as error:
                status = _refused(request, error)
                return _worker_form_page(request, worker, form, _("Edit"), status, note=note)
            else:
                messages.success(request, _("The worker's record is saved."))
                return redirect("workforce:worker-detail", pk=worker.pk)
        status = 400
    return _worker_form_page(request, worker, form, _("Edit"), status, note=note)


def _post_initial(worker: Worker) -> dict[str, Any]:
    return {
        "version": worker.version,
        "post": worker.post,
        "title": worker.title,
        "is_secretary": worker.is_secretary,
        "ladder": worker.ladder_id,
        "grade": worker.grade,
    }


@staff_view(Perm.MANAGE_WORKFORCE)
@require_http_methods(["GET", "POST"])
def worker_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    worker = selectors.worker_get(user=user, pk=pk, perm=Perm.MANAGE_WORKFORCE)
    communities = selectors.community_choices(user=user, perm=Perm.MANAGE_WORKFORCE).exclude(pk=worker.community_id)
    form = MoveForm(
        request.POST or None,
        communities=communities,
        ladders=_ladders_for(user, None),
        initial=_post_initial(worker),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.worker_move(
                    actor=user,
                    worker=worker,
                    community=data["community"],
                    post=data["post"],
                    title=data["title"],
                    is_secretary=data["is_secretary"],
                    ladder=data["ladder"],
                    grade=data["grade"],
                    on=data["on"],
                    reason=data["reason"],
                    expected_version=data["version"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except (MoveRefused, StaleState) as error:
                return _worker_form_page(request, worker, form, _("Move"), _refused(request, error))
            else:
                messages.success(request, _("The worker is moved; the history keeps the former appointment."))
                return redirect("workforce:worker-detail", pk=worker.pk)
        status = 400
    return _worker_form_page(request, worker, form, _("Move"), status)


@staff_view(Perm.MANAGE_WORKFORCE)
@require_http_methods(["GET", "POST"])
def worker_regrade_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    worker = selectors.worker_get(user=user, pk=pk, perm=Perm.MANAGE_WORKFORCE)
    form = RegradeForm(
        request.POST or None, ladders=_ladders_for(user, worker.community), initial=_post_initial(worker)
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.worker_regrade(
                    actor=user,
                    worker=worker,
                    post=data["post"],
                    title=data["title"],
                    is_secretary=data["is_secretary"],
                    ladder=data["ladder"],
                    grade=data["grade"],
                    on=data["on"],
                    reason=data["reason"],
                    expected_version=data["version"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except (MoveRefused, StaleState) as error:
                return _worker_form_page(request, worker, form, _("Change post or grade"), _refused(request, error))
            else:
                messages.success(request, _("The post and grade are changed; the history keeps the former ones."))
                return redirect("workforce:worker-detail", pk=worker.pk)
        status = 400
    return _worker_form_page(request, worker, form, _("Change post or grade"), status)


def _leave_or_return(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    worker = selectors.worker_get(user=user, pk=pk, perm=Perm.MANAGE_WORKFORCE)
    form = LeaveForm(request.POST)
    heading = _("Leave") if action == WorkerAction.LEAVE else _("Return to service")
    if not form.is_valid():
        return _worker_form_page(request, worker, form, heading, 400)
    service = services.worker_leave if action == WorkerAction.LEAVE else services.worker_return
    try:
        service(
            actor=user,
            worker=worker,
            on=form.cleaned_data["on"],
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _worker_form_page(request, worker, form, heading, 400)
    except (MoveRefused, StaleState) as error:
        return _worker_form_page(request, worker, form, heading, _refused(request, error))
    if action == WorkerAction.LEAVE:
        messages.success(request, _("The worker has left; their record and history are kept."))
    else:
        messages.success(request, _("The worker is back in service."))
    return redirect("workforce:worker-detail", pk=worker.pk)


@staff_view(Perm.MANAGE_WORKFORCE)
@require_POST
def worker_leave_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _leave_or_return(request, pk, WorkerAction.LEAVE)


@staff_view(Perm.MANAGE_WORKFORCE)
@require_POST
def worker_return_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _leave_or_return(request, pk, WorkerAction.RETURN)


# --- ladders --------------------------------------------------------------------------------------------------------


def _ladder_places(user: Any) -> QuerySet[Place]:
    return (
        Place.objects.restrict(user, Perm.MANAGE_WORKFORCE)
        .filter(level__in=[PlaceLevel.CITY, PlaceLevel.DISTRICT])
        .order_by("path")
    )


def _ladder_crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [
        {"label": _("Workforce"), "url": reverse("workforce:worker-list")},
        {"label": _("Pay ladders"), "url": reverse("workforce:ladder-list") if extra else ""},
        *extra,
    ]


@staff_view(Perm.VIEW_WORKFORCE)
@require_GET
def ladder_list_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    places = _ladder_places(user)
    manage = _manage_paths(user)
    ladders = list(selectors.ladder_list(user=user))
    return render(
        request,
        "workforce/ladder_list.html",
        {
            "rows": [(ladder, _under(ladder.place.path, manage)) for ladder in ladders],
            "presets": list(LADDER_PRESETS.values()),
            "preset_form": PresetForm(places=places) if places.exists() else None,
            "may_create": places.exists(),
            "breadcrumbs": _ladder_crumbs(),
        },
    )


@staff_view(Perm.MANAGE_WORKFORCE)
@require_POST
def ladder_preset_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = PresetForm(request.POST, places=_ladder_places(user))
    if form.is_valid():
        try:
            ladder = services.ladder_preset_install(
                actor=user, key=form.cleaned_data["key"], place=form.cleaned_data["place"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The ladder %(name)s is installed with example pay figures: set the real ones in its pay table.")
                % {"name": ladder.name},
            )
            return redirect("workforce:ladder-detail", pk=ladder.pk)
    manage = _manage_paths(user)
    return render(
        request,
        "workforce/ladder_list.html",
        {
            "rows": [(ladder, _under(ladder.place.path, manage)) for ladder in selectors.ladder_list(user=user)],
            "presets": list(LADDER_PRESETS.values()),
            "preset_form": form,
            "may_create": True,
            "breadcrumbs": _ladder_crumbs(),
        },
        status=400,
    )


@staff_view(Perm.MANAGE_WORKFORCE)
@require_http_methods(["GET", "POST"])
def ladder_create_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = LadderForm(request.POST or None, places=_ladder_places(user))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                ladder = services.ladder_create(
                    actor=user,
                    place=data["place"],
                    name=data["name"],
                    grades=data["grades"],
                    description=data["description"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The ladder is created: fill in its pay table."))
                return redirect("workforce:ladder-detail", pk=ladder.pk)
        status = 400
    return render(
        request,
        "workforce/form.html",
        {
            "form": form,
            "heading": _("New pay ladder"),
            "back": reverse("workforce:ladder-list"),
            "breadcrumbs": _ladder_crumbs({"label": _("New pay ladder"), "url": ""}),
        },
        status=status,
    )


def _ladder_page(
    request: HttpRequest,
    ladder: PayLadder,
    *,
    edit_form: LadderForm | None = None,
    pay_form: PayTableForm | None = None,
    stars_form: StarRulesForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user: Any = request.user
    manageable = _under(ladder.place.path, _manage_paths(user))
    if manageable:
        pays = {(g.post, g.grade): g.monthly_pay for g in ladder.pay_grades.all()}
        pay_form = pay_form or PayTableForm(
            ladder=ladder, initial={f"pay_{post}_{grade}": pay for (post, grade), pay in pays.items()}
        )
        rules = {rule.stars: rule.grade for rule in ladder.star_rules.all()}
        stars_form = stars_form or StarRulesForm(
            ladder=ladder, initial={f"stars_{stars}": grade for stars, grade in rules.items()}
        )
        edit_form = edit_form or LadderForm(
            editing=True, initial={"name": ladder.name, "description": ladder.description, "active": ladder.active}
        )
    return render(
        request,
        "workforce/ladder_detail.html",
        {
            "ladder": ladder,
            "table": selectors.ladder_table(ladder),
            "rules": selectors.star_rules(ladder),
            "manageable": manageable,
            "pay_form": pay_form,
            "stars_form": stars_form,
            "edit_form": edit_form,
            "workers": ladder.workers.filter(active=True).count(),
            "breadcrumbs": _ladder_crumbs({"label": ladder.name, "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.VIEW_WORKFORCE)
@require_GET
def ladder_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _ladder_page(request, selectors.ladder_get(user=request.user, pk=pk))


def _manageable_ladder(request: HttpRequest, pk: int) -> PayLadder:
    """A ladder the user may change: one they can see (else 404) at a place they manage (else 403)."""
    ladder = selectors.ladder_get(user=request.user, pk=pk)
    if not _under(ladder.place.path, _manage_paths(request.user)):
        raise PermissionDenied(_("This ladder is set by the units above yours."))
    return ladder


@staff_view(Perm.MANAGE_WORKFORCE)
@require_POST
def ladder_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    ladder = _manageable_ladder(request, pk)
    form = LadderForm(request.POST, editing=True)
    if form.is_valid():
        try:
            services.ladder_update(
                actor=request.user,
                ladder=ladder,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                active=form.cleaned_data["active"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The ladder is saved."))
            return redirect("workforce:ladder-detail", pk=ladder.pk)
    return _ladder_page(request, ladder, edit_form=form, status=400)


@staff_view(Perm.MANAGE_WORKFORCE)
@require_POST
def ladder_pay_view(request: HttpRequest, pk: int) -> HttpResponse:
    ladder = _manageable_ladder(request, pk)
    form = PayTableForm(request.POST, ladder=ladder)
    if form.is_valid():
        try:
            services.pay_table_set(actor=request.user, ladder=ladder, pays=form.pays())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The pay table is saved."))
            return redirect("workforce:ladder-detail", pk=ladder.pk)
    return _ladder_page(request, ladder, pay_form=form, status=400)


@staff_view(Perm.MANAGE_WORKFORCE)
@require_POST
def ladder_stars_view(request: HttpRequest, pk: int) -> HttpResponse:
    ladder = _manageable_ladder(request, pk)
    form = StarRulesForm(request.POST, ladder=ladder)
    if form.is_valid():
        try:
            services.star_rules_set(actor=request.user, ladder=ladder, grades=form.grades())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The pay-by-stars rules are saved."))
            return redirect("workforce:ladder-detail", pk=ladder.pk)
    return _ladder_page(request, ladder, stars_form=form, status=400)


# --- training -------------------------------------------------------------------------------------------------------


def _training_crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [
        {"label": _("Workforce"), "url": reverse("workforce:worker-list")},
        {"label": _("Training"), "url": reverse("workforce:course-list") if extra else ""},
        *extra,
    ]


def _course_places(user: Any) -> QuerySet[Place]:
    return (
        Place.objects.restrict(user, Perm.MANAGE_WORKFORCE)
        .filter(level__in=[PlaceLevel.CITY, PlaceLevel.DISTRICT, PlaceLevel.STREET, PlaceLevel.COMMUNITY])
        .order_by("path")
    )


def _year(request: HttpRequest) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


@staff_view(Perm.VIEW_WORKFORCE)
@require_GET
def course_list_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    year = _year(request)
    page, query = paginate(request, selectors.course_list(user=user, year=year))
    return render(
        request,
        "workforce/course_list.html",
        {
            "page_obj": page,
            "query": query,
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 6, -1)),
            "may_create": _course_places(user).exists(),
            "breadcrumbs": _training_crumbs(),
        },
    )


@staff_view(Perm.MANAGE_WORKFORCE)
@require_http_methods(["GET", "POST"])
def course_create_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = CourseForm(request.POST or None, places=_course_places(user))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                course = services.course_create(actor=user, place=form.cleaned_data["place"], fields=_course(form))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The course is saved: record who attended it."))
                return redirect("workforce:course-detail", pk=course.pk)
        status = 400
    return render(
        request,
        "workforce/form.html",
        {
            "form": form,
            "heading": _("New training course"),
            "back": reverse("workforce:course-list"),
            "breadcrumbs": _training_crumbs({"label": _("New training course"), "url": ""}),
        },
        status=status,
    )


def _course(form: CourseForm) -> services.CourseFields:
    data = form.cleaned_data
    return services.CourseFields(
        title=data["title"],
        organiser=data["organiser"],
        start_date=data["start_date"],
        end_date=data["end_date"],
        hours=data["hours"],
        description=data["description"],
    )


def _record_workers(user: Any, course: Any) -> QuerySet[Worker]:
    """The serving workers the user may record attendance for: in communities they manage, under the course's place."""
    return (
        Worker.objects.restrict(user, Perm.MANAGE_WORKFORCE)
        .filter(active=True, community__path__startswith=course.place.path)
        .exclude(training__course=course)
        .select_related("community")
        .order_by("community__code", "-is_secretary", "name")
    )


def _course_page(
    request: HttpRequest,
    course: Any,
    *,
    record_form: RecordForm | None = None,
    edit_form: CourseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user: Any = request.user
    manage = _manage_paths(user)
    visible = selectors.personal_data_paths(user=user)
    records = [
        (record, _shown(record.worker, visible=visible, manage=manage))
        for record in selectors.course_records(user=user, course=course)
    ]
    may_record = bool(manage) and _record_workers(user, course).exists()
    manageable = _under(course.place.path, manage)
    if may_record and record_form is None:
        record_form = RecordForm(
            workers=_record_workers(user, course), label=_namer(user), initial={"hours": course.hours}
        )
    if manageable and edit_form is None:
        edit_form = CourseForm(
            editing=True,
            initial={
                "title": course.title,
                "organiser": course.organiser,
                "start_date": course.start_date,
                "end_date": course.end_date,
                "hours": course.hours,
                "description": course.description,
            },
        )
    return render(
        request,
        "workforce/course_detail.html",
        {
            "course": course,
            "records": records,
            "record_form": record_form if may_record or record_form is not None else None,
            "edit_form": edit_form if manageable else None,
            "breadcrumbs": _training_crumbs({"label": course.title, "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.VIEW_WORKFORCE)
@require_GET
def course_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _course_page(request, selectors.course_get(user=request.user, pk=pk))


@staff_view(Perm.MANAGE_WORKFORCE)
@require_POST
def course_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    course = selectors.course_get(user=request.user, pk=pk)
    if not _under(course.place.path, _manage_paths(request.user)):
        raise PermissionDenied(_("This course is organised by the units above yours."))
    form = CourseForm(request.POST, editing=True)
    if form.is_valid():
        try:
            services.course_update(actor=request.user, course=course, fields=_course(form))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The course is saved."))
            return redirect("workforce:course-detail", pk=course.pk)
    return _course_page(request, course, edit_form=form, status=400)


@staff_view(Perm.MANAGE_WORKFORCE)
@require_POST
def record_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    course = selectors.course_get(user=user, pk=pk)
    form = RecordForm(request.POST, workers=_record_workers(user, course), label=_namer(user))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.training_record_add(
                actor=user,
                course=course,
                worker=data["worker"],
                hours=data["hours"],
                passed=data["passed"],
                note=data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The attendance is recorded."))
            return redirect("workforce:course-detail", pk=course.pk)
    return _course_page(request, course, record_form=form, status=400)


@staff_view(Perm.MANAGE_WORKFORCE)
@require_POST
def record_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.training_record_get(user=request.user, pk=pk, perm=Perm.MANAGE_WORKFORCE)
    services.training_record_remove(actor=request.user, record=record)
    messages.success(request, _("The record is removed."))
    return redirect("workforce:course-detail", pk=record.course_id)


def _training_lines(request: HttpRequest) -> tuple[int, list[selectors.TrainingLine]]:
    year = _year(request)
    return year, selectors.secretary_training(user=request.user, year=year)


@staff_view(Perm.VIEW_WORKFORCE)
@require_GET
def training_view(request: HttpRequest) -> HttpResponse:
    """Each serving secretary's training hours in the year against the yearly minimum; those below first."""
    user: Any = request.user
    year, lines = _training_lines(request)
    visible = selectors.personal_data_paths(user=user)
    rows = sorted(
        ((line, _shown(line.worker, visible=visible, manage=[])) for line in lines),
        key=lambda row: (not row[0].below, row[0].worker.community.code),
    )
    return render(
        request,
        "workforce/training.html",
        {
            "rows": rows,
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 6, -1)),
            "minimum": StaffingRule.current().training_min_hours,
            "below": sum(1 for line in lines if line.below),
            "breadcrumbs": _training_crumbs({"label": _("Secretaries' hours"), "url": ""}),
        },
    )


@staff_view(Perm.VIEW_WORKFORCE)
@require_GET
def training_export_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    year, lines = _training_lines(request)
    export = workbook_of(
        _("Secretaries' training"),
        training_columns(),
        training_rows(lines, visible_paths=selectors.personal_data_paths(user=user)),
        about=[(_("Year"), year), (_("Exported at"), timezone.now()), (_("Exported by"), str(user))],
        personal=True,
    )
    return _export(
        request,
        export,
        action="worker.training_export_unmasked",
        name=f"secretary-training-{year}",
        display=_("Secretaries' training"),
        detail={"year": year},
    )


# --- staffing and the standards -------------------------------------------------------------------------------------


def _staffing_crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [
        {"label": _("Workforce"), "url": reverse("workforce:worker-list")},
        {"label": _("Staffing"), "url": reverse("workforce:staffing") if extra else ""},
        *extra,
    ]


@staff_view(Perm.VIEW_WORKFORCE)
@require_GET
def staffing_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    lines = selectors.staffing_list(user=user)
    rule = StaffingRule.current()
    return render(
        request,
        "workforce/staffing.html",
        {
            "lines": lines,
            "totals": selectors.staffing_totals(lines),
            "rule": rule,
            "may_edit_rule": services.may_manage_city(user),
            "breadcrumbs": _staffing_crumbs(),
        },
    )


@staff_view(Perm.VIEW_WORKFORCE)
@require_GET
def staffing_export_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    lines = selectors.staffing_list(user=user)
    rule = StaffingRule.current()
    export = workbook_of(
        _("Staffing"),
        staffing_columns(),
        staffing_rows(lines, selectors.staffing_totals(lines)),
        about=[
            (_("Standard"), str(rule)),
            (_("Exported at"), timezone.now()),
            (_("Exported by"), str(user)),
        ],
    )
    return _export(request, export, action="", name="staffing", display=_("Staffing"), detail={})


@staff_view(Perm.MANAGE_WORKFORCE)
@require_http_methods(["GET", "POST"])
def rule_edit_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not services.may_manage_city(user):
        raise PermissionDenied(_("Only the city's staff may change the workforce standards."))
    rule = StaffingRule.current()
    names = [
        "base_min",
        "base_max",
        "threshold",
        "per_extra_low",
        "per_extra_high",
        "reserve_ratio",
        "training_min_hours",
        "certified_goal",
    ]
    form = RuleForm(request.POST or None, initial={name: getattr(rule, name) for name in names})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.staffing_rule_update(
                    actor=user, fields=services.RuleFields(**{name: form.cleaned_data[name] for name in names})
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The workforce standards are saved."))
                return redirect("workforce:staffing")
        status = 400
    return render(
        request,
        "workforce/form.html",
        {
            "form": form,
            "heading": _("Workforce standards"),
            "note": _(
                "Seed 001: 8 to 10 full-time workers per community; above 2,000 households one more per 300–400 "
                "households; a reserve pool of at least 1.2 × the communities of each street; at least 56 training "
                "hours a year for each secretary; half the workers certified."
            ),
            "back": reverse("workforce:staffing"),
            "breadcrumbs": _staffing_crumbs({"label": _("Workforce standards"), "url": ""}),
        },
        status=status,
    )


# --- the reserve pool -----------------------------------------------------------------------------------------------


def _reserve_crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [
        {"label": _("Workforce"), "url": reverse("workforce:worker-list")},
        {"label": _("Reserve pool"), "url": reverse("workforce:reserve-list") if extra else ""},
        *extra,
    ]


@dataclass(frozen=True)
class ShownCandidate:
    candidate: ReserveCandidate
    name: str
    phone: str
    manageable: bool


def _shown_candidate(candidate: ReserveCandidate, *, visible: list[str], manage: list[str]) -> ShownCandidate:
    unmasked = _under(candidate.street.path, visible)
    return ShownCandidate(
        candidate=candidate,
        name=candidate.name if unmasked else mask_name(candidate.name),
        phone=candidate.phone if unmasked else mask_phone(candidate.phone),
        manageable=_under(candidate.street.path, manage),
    )


@staff_view(Perm.VIEW_WORKFORCE)
@require_GET
def reserve_list_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    current = request.GET.get("state") != "left"
    page, query = paginate(request, selectors.reserve_list(user=user, current=current))
    visible, manage = selectors.personal_data_paths(user=user), _manage_paths(user)
    return render(
        request,
        "workforce/reserve_list.html",
        {
            "pools": selectors.reserve_pools(user=user, on=timezone.localdate()),
            "rule": StaffingRule.current(),
            "page_obj": page,
            "query": query,
            "current": current,
            "rows": [_shown_candidate(candidate, visible=visible, manage=manage) for candidate in page],
            "may_create": selectors.street_choices(user=user, perm=Perm.MANAGE_WORKFORCE).exists(),
            "leave_form": ReasonForm(),
            "breadcrumbs": _reserve_crumbs(),
        },
    )


def _candidate(data: dict[str, Any]) -> services.CandidateFields:
    return services.CandidateFields(
        name=data["name"],
        phone=data["phone"],
        gender=data["gender"],
        birth_date=data["birth_date"],
        party_member=data["party_member"],
        education=data["education"],
        social_work_cert=data["social_work_cert"],
        current_role=data["current_role"],
        note=data["note"],
    )


@staff_view(Perm.MANAGE_WORKFORCE)
@require_http_methods(["GET", "POST"])
def reserve_create_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = CandidateForm(
        request.POST or None,
        streets=selectors.street_choices(user=user, perm=Perm.MANAGE_WORKFORCE),
        initial={"social_work_cert": "none"},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.reserve_add(
                    actor=user,
                    street=form.cleaned_data["street"],
                    fields=_candidate(form.cleaned_data),
                    added_at=form.cleaned_data["added_at"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The candidate is in the reserve pool."))
                return redirect("workforce:reserve-list")
        status = 400
    return render(
        request,
        "workforce/form.html",
        {
            "form": form,
            "heading": _("New reserve candidate"),
            "back": reverse("workforce:reserve-list"),
            "breadcrumbs": _reserve_crumbs({"label": _("New reserve candidate"), "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.MANAGE_WORKFORCE)
@require_http_methods(["GET", "POST"])
def reserve_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    candidate = selectors.reserve_get(user=user, pk=pk, perm=Perm.MANAGE_WORKFORCE)
    unmasked = selectors.holds_personal_data(user=user, place=candidate.street)
    initial = {
        "name": candidate.name if unmasked else "",
        "phone": candidate.phone if unmasked else "",
        "gender": candidate.gender,
        "birth_date": candidate.birth_date if unmasked else None,
        "party_member": candidate.party_member,
        "education": candidate.education,
        "social_work_cert": candidate.social_work_cert,
        "current_role": candidate.current_role,
        "note": candidate.note,
    }
    form = CandidateForm(request.POST or None, editing=True, initial=initial)
    if not unmasked:
        for field in ("name", "phone", "birth_date"):
            del form.fields[field]
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {**initial, **form.cleaned_data}
            if not unmasked:
                data.update(name=candidate.name, phone=candidate.phone, birth_date=candidate.birth_date)
            try:
                services.reserve_update(actor=user, candidate=candidate, fields=_candidate(data))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The candidate is saved."))
                return redirect("workforce:reserve-list")
        status = 400
    shown = _shown_candidate(candidate, visible=selectors.personal_data_paths(user=user), manage=[])
    return render(
        request,
        "workforce/form.html",
        {
            "form": form,
            "heading": shown.name,
            "back": reverse("workforce:reserve-list"),
            "breadcrumbs": _reserve_crumbs({"label": shown.name, "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.MANAGE_WORKFORCE)
@require_POST
def reserve_leave_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    candidate = selectors.reserve_get(user=user, pk=pk, perm=Perm.MANAGE_WORKFORCE)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.reserve_leave(
                actor=user, candidate=candidate, on=form.cleaned_data["on"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The candidate has left the pool."))
            return redirect("workforce:reserve-list")
    shown = _shown_candidate(candidate, visible=selectors.personal_data_paths(user=user), manage=[])
    return render(
        request,
        "workforce/form.html",
        {
            "form": form,
            "heading": _("Leaves the pool") + f" · {shown.name}",
            "back": reverse("workforce:reserve-list"),
            "breadcrumbs": _reserve_crumbs({"label": shown.name, "url": ""}),
        },
        status=400,
    )
