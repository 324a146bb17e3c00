"""The communities' side: the admitted tasks assigned to them with their resources, marking one received (签收), and
reporting a task pushed without admission (VIEW_ADMISSION over the community; 404 outside)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.accounts.roles import Perm
from gridwork.admission import selectors, services
from gridwork.admission.access import holds_at
from gridwork.admission.forms import ReportForm
from gridwork.admission.views.requests import BAD_REQUEST, crumbs
from gridwork.common.forms import add_service_errors
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view


@staff_view(Perm.VIEW_ADMISSION)
@require_GET
def task_list_view(request: HttpRequest) -> HttpResponse:
    """The admitted tasks assigned to the communities of the user's units, waiting ones first when asked."""
    user: Any = request.user
    pending = request.GET.get("pending") == "1"
    page, query = paginate(request, selectors.assignment_list(user=user, pending=pending))
    return render(
        request,
        "admission/task_list.html",
        {
            "page_obj": page,
            "query": query,
            "pending": pending,
            "breadcrumbs": crumbs({"label": _("Our tasks"), "url": ""}),
        },
    )


@staff_view(Perm.VIEW_ADMISSION)
@require_GET
def task_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    assignment = selectors.assignment_get(user=user, pk=pk)
    return render(
        request,
        "admission/task_detail.html",
        {
            "assignment": assignment,
            "subject": assignment.admission,
            "may_receive": assignment.received_at is None and holds_at(user, Perm.VIEW_ADMISSION, assignment.community),
            "breadcrumbs": crumbs(
                {"label": _("Our tasks"), "url": reverse("admission:task-list")},
                {"label": assignment.admission.title, "url": ""},
            ),
        },
    )


@staff_view(Perm.VIEW_ADMISSION)
@require_POST
def task_receive_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    assignment = selectors.assignment_get(user=user, pk=pk)
    try:
        services.assignment_receive(actor=user, assignment=assignment, request=request)
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=BAD_REQUEST)
    messages.success(request, _("Marked received."))
    return redirect("admission:task-detail", pk=pk)


@staff_view(Perm.VIEW_ADMISSION)
@require_GET
def report_list_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    page, query = paginate(request, selectors.report_list(user=user))
    return render(
        request,
        "admission/report_list.html",
        {
            "page_obj": page,
            "query": query,
            "may_report": selectors.report_communities(user=user).exists(),
            "breadcrumbs": crumbs({"label": _("Tasks pushed without admission"), "url": ""}),
        },
    )


@staff_view(Perm.VIEW_ADMISSION)
@require_http_methods(["GET", "POST"])
def report_create_view(request: HttpRequest) -> HttpResponse:
    """A community's staff report a task pushed to it without admission: which unit pushed what, when, how."""
    user: Any = request.user
    communities = selectors.report_communities(user=user)
    departments = selectors.report_departments(communities=communities)
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST, communities=communities, departments=departments)
        if form.is_valid():
            try:
                services.unadmitted_report_create(actor=user, values=form.to_input(), request=request)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Reported: the approving bodies are told."))
                return redirect("admission:report-list")
        status = BAD_REQUEST
    else:
        form = ReportForm(
            communities=communities,
            departments=departments,
            initial={"community": communities.first(), "pushed_on": timezone.localdate()},
        )
    return render(
        request,
        "admission/report_form.html",
        {
            "form": form,
            "breadcrumbs": crumbs(
                {"label": _("Tasks pushed without admission"), "url": reverse("admission:report-list")},
                {"label": _("Report"), "url": ""},
            ),
        },
        status=status,
    )
