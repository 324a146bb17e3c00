"""Staff pages of admission requests, at /staff/admission/: the list, a new request, a draft's edit, a request's page
(its resources, its approving bodies and their decisions, its history, its communities), and the moves — submit,
withdraw, decide (an approving body's staff), assign to communities.

Reads through ``admission.selectors`` (VIEW_ADMISSION over the request's scope, 404 outside), writes through
``admission.services``. A refused form answers 400 with the field and why; a stale page or a move the state does not
allow answers 409.
"""

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
from gridwork.admission import selectors, services
from gridwork.admission.flows import ACTION_LABELS, ADMISSION_FLOW, AdmissionAction
from gridwork.admission.forms import AdmissionForm, AssignForm, DecideForm, VersionForm
from gridwork.admission.models import AdmissionRequest, AdmissionState, ApprovingBody
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.forms import add_service_errors
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view

BAD_REQUEST = 400
CONFLICT = 409


def crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Admission (准入)"), "url": reverse("admission:request-list")}, *extra]


@staff_view(Perm.VIEW_ADMISSION)
@require_GET
def request_list_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    state = request.GET.get("state", "")
    q = request.GET.get("q", "")[:50]
    page, query = paginate(request, selectors.request_list(user=user, state=state, q=q))
    return render(
        request,
        "admission/request_list.html",
        {
            "page_obj": page,
            "query": query,
            "state": state,
            "q": q,
            "states": AdmissionState.choices,
            "may_request": selectors.request_scope_choices(user=user).exists(),
            "breadcrumbs": crumbs(),
        },
    )


@staff_view(Perm.REQUEST_ADMISSION)
@require_http_methods(["GET", "POST"])
def request_create_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    places = selectors.request_scope_choices(user=user)
    status = 200
    if request.method == "POST":
        form = AdmissionForm(request.POST, places=places)
        if form.is_valid():
            try:
                subject = services.admission_create(actor=user, values=form.to_input(), request=request)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Request drafted: check it, then submit it to the approving bodies."))
                return redirect("admission:request-detail", pk=subject.pk)
        status = BAD_REQUEST
    else:
        form = AdmissionForm(places=places)
    return render(
        request,
        "admission/request_form.html",
        {"form": form, "title": _("New admission request"), "breadcrumbs": crumbs({"label": _("New"), "url": ""})},
        status=status,
    )


@staff_view(Perm.REQUEST_ADMISSION)
@require_http_methods(["GET", "POST"])
def request_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    subject = selectors.request_get(user=user, pk=pk)
    places = selectors.request_scope_choices(user=user)
    status = 200
    if request.method == "POST":
        form = AdmissionForm(request.POST, places=places)
        if form.is_valid():
            try:
                services.admission_update(
                    actor=user,
                    subject=subject,
                    values=form.to_input(),
                    expected_version=form.cleaned_data.get("version") or 0,
                    request=request,
                )
            except (StaleState, MoveRefused) as error:
                form.add_error(None, str(error))
                status = CONFLICT
            except ValidationError as error:
                add_service_errors(form, error)
                status = BAD_REQUEST
            else:
                messages.success(request, _("Request saved."))
                return redirect("admission:request-detail", pk=subject.pk)
        else:
            status = BAD_REQUEST
    else:
        initial = {
            name: getattr(subject, name)
            for name in (
                "title",
                "content",
                "reason",
                "legal_basis",
                "starts_on",
                "ends_on",
                "authority",
                "staffing",
                "staff_count",
                "funds_amount",
                "funds_source",
                "version",
            )
        }
        form = AdmissionForm(initial={**initial, "scope": subject.scope_id}, places=places)
    return render(
        request,
        "admission/request_form.html",
        {
            "form": form,
            "subject": subject,
            "title": _("Edit the request"),
            "breadcrumbs": crumbs({"label": subject.title, "url": reverse("admission:request-detail", args=[pk])}),
        },
        status=status,
    )


def _detail(
    request: HttpRequest,
    subject: AdmissionRequest,
    *,
    status: int = 200,
    refusal: str = "",
    decide_form: DecideForm | None = None,
    assign_form: AssignForm | None = None,
) -> HttpResponse:
    user: Any = request.user
    requester = services.may_act_as_requester(user, subject)
    to_decide = services.bodies_to_decide(user, subject)
    may_assign = subject.state == AdmissionState.APPROVED and services.may_assign(user, subject)
    assigned = subject.assignments.select_related("community", "received_by").order_by("community__code")
    communities = services.assignable_communities(subject).exclude(pk__in=assigned.values("community_id"))
    allowed = ADMISSION_FLOW.allowed(subject.state) if requester else []
    return render(
        request,
        "admission/request_detail.html",
        {
            "subject": subject,
            "refusal": refusal,
            "bodies": selectors.request_bodies(subject),
            "timeline": [
                {"event": event, "label": ACTION_LABELS.get(event.action, event.action)}
                for event in subject.events.order_by("sequence")
            ],
            "may_edit": requester and subject.state == AdmissionState.DRAFT,
            "may_submit": AdmissionAction.SUBMIT in allowed,
            "may_withdraw": AdmissionAction.WITHDRAW in allowed,
            "to_decide": to_decide,
            "decide_form": decide_form
            or (DecideForm(initial={"version": subject.version, "body": to_decide[0].pk}) if to_decide else None),
            "may_assign": may_assign,
            "assign_form": assign_form or (AssignForm(communities=communities) if may_assign else None),
            "assignments": assigned,
            "breadcrumbs": crumbs({"label": subject.title, "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.VIEW_ADMISSION)
@require_GET
def request_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.request_get(user=request.user, pk=pk))


def _move(request: HttpRequest, pk: int, *, action: str) -> HttpResponse:
    user: Any = request.user
    subject = selectors.request_get(user=user, pk=pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _detail(request, subject, status=BAD_REQUEST, refusal=_("The page is out of date: reload it."))
    move = services.admission_submit if action == AdmissionAction.SUBMIT else services.admission_withdraw
    try:
        move(actor=user, subject=subject, expected_version=form.cleaned_data["version"], request=request)
    except (StaleState, MoveRefused) as error:
        return _detail(request, selectors.request_get(user=user, pk=pk), status=CONFLICT, refusal=str(error))
    except ValidationError as error:
        return _detail(request, subject, status=BAD_REQUEST, refusal=" ".join(error.messages))
    messages.success(request, str(ACTION_LABELS[action]))
    return redirect("admission:request-detail", pk=pk)


@staff_view(Perm.REQUEST_ADMISSION)
@require_POST
def request_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _move(request, pk, action=AdmissionAction.SUBMIT)


@staff_view(Perm.REQUEST_ADMISSION)
@require_POST
def request_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _move(request, pk, action=AdmissionAction.WITHDRAW)


@staff_view(Perm.DECIDE_ADMISSION)
@require_POST
def request_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    subject = selectors.request_get(user=user, pk=pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _detail(request, subject, status=BAD_REQUEST, decide_form=form)
    body = ApprovingBody.objects.select_related("department").filter(pk=form.cleaned_data["body"]).first()
    if body is None:
        form.add_error(None, _("No such approving body."))
        return _detail(request, subject, status=BAD_REQUEST, decide_form=form)
    try:
        services.admission_decide(
            actor=user,
            subject=subject,
            body=body,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data.get("reason") or "",
            expected_version=form.cleaned_data["version"],
            request=request,
        )
    except (StaleState, MoveRefused) as error:
        return _detail(request, selectors.request_get(user=user, pk=pk), status=CONFLICT, refusal=str(error))
    except ValidationError as error:
        add_service_errors(form, error)
        return _detail(request, subject, status=BAD_REQUEST, decide_form=form)
    messages.success(request, _("Decision recorded for %(body)s.") % {"body": body.department.name})
    return redirect("admission:request-detail", pk=pk)


@staff_view(Perm.REQUEST_ADMISSION)
@require_POST
def request_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    subject = selectors.request_get(user=user, pk=pk)
    form = AssignForm(request.POST, communities=services.assignable_communities(subject))
    if not form.is_valid():
        return _detail(request, subject, status=BAD_REQUEST, assign_form=form)
    chosen = list(form.cleaned_data["communities"]) or None
    try:
        made = services.assignment_create(actor=user, subject=subject, communities=chosen, request=request)
    except ValidationError as error:
        add_service_errors(form, error)
        return _detail(request, subject, status=BAD_REQUEST, assign_form=form)
    messages.success(request, _("Assigned to %(count)d communities.") % {"count": len(made)})
    return redirect("admission:request-detail", pk=pk)
