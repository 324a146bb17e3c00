"""Staff pages of the three-zero units, at /staff/threezero/: incidents (list, record), applications (list, apply,
detail with the deciding figures — live, and the review's snapshot once reviewed —, review, withdraw), the year's
三零 units and the Excel export.

Reading needs VIEW_DISPUTES (scope by place: outside it, 404); recording incidents, applying and withdrawing need
MANAGE_DISPUTES; reviewing needs REVIEW_THREE_ZERO (district and city staff). The services check the scope again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
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
from gridwork.threezero import selectors, services
from gridwork.threezero.exports import three_zero_workbook, xlsx_response
from gridwork.threezero.flows import ACTION_LABELS, APPLICATION_FLOW
from gridwork.threezero.forms import (
    ApplicationFilterForm,
    ApplicationForm,
    IncidentFilterForm,
    IncidentForm,
    ReviewForm,
    WithdrawForm,
)
from gridwork.threezero.models import Application, ApplicationState

YEARS_BACK = 5  # years offered in the filters and the forms
DATALIST_CAP = 1000  # places offered in the incident form's list of codes


def _years() -> list[int]:
    this_year = timezone.localdate().year
    return list(range(this_year, this_year - YEARS_BACK - 1, -1))


def _crumbs(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Three-zero units"), "url": reverse("threezero:application-list")}] + [
        {"label": label, "url": url} for label, url in pairs
    ]


def _perform(form: forms.Form, move: Callable[[], Any]) -> tuple[int, str]:
    """Apply ``move`` for a valid ``form``: (0, "") when done; else the status and a message for the page."""
    if not form.is_valid():
        return 400, ""
    try:
        move()
    except ValidationError as error:
        add_service_errors(form, error)
        return 400, ""
    except PermissionDenied as error:
        return 403, str(error) or _("You may not do this.")
    except (StaleState, MoveRefused) as error:
        return 409, str(error)
    return 0, ""


# --- incidents ------------------------------------------------------------------------------------------------------


@require_GET
@staff_view(Perm.VIEW_DISPUTES)
def incident_list_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    years = _years()
    form = IncidentFilterForm(request.GET or {"year": years[0]}, years=years, areas=selectors.area_choices(user=user))
    year, kind, area = years[0], "", None
    if form.is_valid():
        year = form.cleaned_data["year"] or years[0]
        kind = form.cleaned_data["kind"]
        area = form.cleaned_data["area"]
    incidents = selectors.incident_list(user=user, year=year, kind=kind, area=area)
    page, query = paginate(request, incidents)
    return render(
        request,
        "threezero/incident_list.html",
        {
            "form": form,
            "page_obj": page,
            "query": query,
            "year": year,
            "may_record": user.has_perm_anywhere(Perm.MANAGE_DISPUTES),  # type: ignore[union-attr]
            "breadcrumbs": _crumbs((_("Incidents"), "")),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_view(Perm.MANAGE_DISPUTES)
def incident_create_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = IncidentForm(request.POST or None, initial={"occurred_on": timezone.localdate()})
    status, message = 200, ""
    if request.method == "POST":
        place = unit = None
        if form.is_valid():
            place = selectors.incident_place_by_code(user=user, code=form.cleaned_data["place"])
            unit = selectors.unit_by_credit_code(user=user, credit_code=form.cleaned_data["unit"])
            if form.cleaned_data["place"] and place is None:
                form.add_error("place", _("No street, community or grid with this code in your area."))
            if form.cleaned_data["unit"] and unit is None:
                form.add_error("unit", _("No resident unit with this credit code in your area."))
        status, message = _perform(
            form,
            lambda: services.incident_record(
                actor=user,
                kind=form.cleaned_data["kind"],
                occurred_on=form.cleaned_data["occurred_on"],
                summary=form.cleaned_data["summary"],
                place=place,
                unit=unit,
                reference=form.cleaned_data["reference"],
            ),
        )
        if status == 0:
            messages.success(request, _("The incident is recorded."))
            return redirect("threezero:incident-list")
    places = selectors.incident_place_choices(user=user).select_related("parent")[:DATALIST_CAP]
    return render(
        request,
        "threezero/incident_form.html",
        {
            "form": form,
            "message": message,
            "places": places,
            "breadcrumbs": _crumbs((_("Incidents"), reverse("threezero:incident-list")), (_("Record an incident"), "")),
        },
        status=status or 200,
    )


# --- applications ---------------------------------------------------------------------------------------------------


@require_GET
@staff_view(Perm.VIEW_DISPUTES)
def application_list_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    years = sorted(set(_years()) | set(selectors.application_years(user=user)), reverse=True)
    form = ApplicationFilterForm(request.GET or None, years=years)
    year, state = None, ""
    if form.is_bound and form.is_valid():
        year = form.cleaned_data["year"] or None
        state = form.cleaned_data["state"]
    page, query = paginate(request, selectors.application_list(user=user, year=year, state=state))
    shown = selectors.shown_figures(page.object_list)
    rows = [(application, *shown[application.pk]) for application in page.object_list]
    return render(
        request,
        "threezero/application_list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": rows,
            "query": query,
            "export_year": year or timezone.localdate().year,
            "may_apply": user.has_perm_anywhere(Perm.MANAGE_DISPUTES),  # type: ignore[union-attr]
            "breadcrumbs": _crumbs((_("Applications"), "")),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_view(Perm.MANAGE_DISPUTES)
def application_create_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    years = _years()
    form = ApplicationForm(
        request.POST or None,
        places=selectors.applicant_place_choices(user=user),
        years=years,
        initial={"year": years[1]},
    )
    status, message = 200, ""
    created: list[Application] = []
    if request.method == "POST":
        unit = None
        if form.is_valid():
            unit = selectors.unit_by_credit_code(user=user, credit_code=form.cleaned_data["unit"])
            if form.cleaned_data["unit"] and unit is None:
                form.add_error("unit", _("No resident unit with this credit code in your area."))
            elif unit is None and form.cleaned_data["place"] is None:
                form.add_error("place", _("Choose the street or community, or name a resident unit."))
        status, message = _perform(
            form,
            lambda: created.append(
                services.application_apply(
                    actor=user,
                    year=form.cleaned_data["year"],
                    place=form.cleaned_data["place"],
                    unit=unit,
                    statement=form.cleaned_data["statement"],
                )
            ),
        )
        if status == 0:
            messages.success(request, _("The application is made; it awaits the review."))
            return redirect("threezero:application-detail", pk=created[0].pk)
    return render(
        request,
        "threezero/application_form.html",
        {
            "form": form,
            "message": message,
            "breadcrumbs": _crumbs((_("Apply for three-zero status"), "")),
        },
        status=status or 200,
    )


def _timeline(application: Application) -> list[dict[str, Any]]:
    return [
        {
            "action": event.action,
            "label": ACTION_LABELS.get(event.action, event.action),
            "state_label": APPLICATION_FLOW.state_label(event.to_state),
            "at": event.at,
            "who": event.actor_name,
            "note": event.note,
            "data": event.data,
        }
        for event in selectors.application_events(application)
    ]


def _detail(
    request: HttpRequest,
    application: Application,
    *,
    review_form: ReviewForm | None = None,
    withdraw_form: WithdrawForm | None = None,
    message: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    open_ = application.state == ApplicationState.APPLIED
    may_review = open_ and selectors.may_review(user, application) and application.applied_by_id != user.pk
    may_withdraw = open_ and selectors.may_manage(user, application.place)
    if may_review and review_form is None:
        review_form = ReviewForm(initial={"version": application.version})
    if may_withdraw and withdraw_form is None:
        withdraw_form = WithdrawForm(initial={"version": application.version})
    live = selectors.application_figures(application)
    return render(
        request,
        "threezero/application_detail.html",
        {
            "application": application,
            "live": live,
            "snapshot": selectors.snapshot_of(application),
            "year_over": timezone.localdate().year > application.year,
            "timeline": _timeline(application),
            "review_form": review_form if may_review else None,
            "withdraw_form": withdraw_form if may_withdraw else None,
            "message": message,
            "breadcrumbs": _crumbs((f"{application.year} · {application.name}", "")),
        },
        status=status,
    )


@require_GET
@staff_view(Perm.VIEW_DISPUTES)
def application_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.application_for(user=request.user, pk=pk))


@require_POST
@staff_view(Perm.REVIEW_THREE_ZERO)
def application_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for(user=request.user, pk=pk)
    form = ReviewForm(request.POST)
    status, message = _perform(
        form,
        lambda: services.application_review(
            actor=request.user,
            application=application,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
            override=form.cleaned_data["override"],
            expected_version=form.cleaned_data["version"],
        ),
    )
    if status == 0:
        granted = application.state == ApplicationState.GRANTED
        messages.success(request, _("Three-zero status granted.") if granted else _("The application is refused."))
        return redirect("threezero:application-detail", pk=application.pk)
    if status == 403:
        raise PermissionDenied(message)
    application = selectors.application_for(user=request.user, pk=pk)
    return _detail(request, application, review_form=form, message=message, status=status)


@require_POST
@staff_view(Perm.MANAGE_DISPUTES)
def application_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for(user=request.user, pk=pk)
    form = WithdrawForm(request.POST)
    status, message = _perform(
        form,
        lambda: services.application_withdraw(
            actor=request.user,
            application=application,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        ),
    )
    if status == 0:
        messages.success(request, _("The application is withdrawn."))
        return redirect("threezero:application-detail", pk=application.pk)
    if status == 403:
        raise PermissionDenied(message)
    application = selectors.application_for(user=request.user, pk=pk)
    return _detail(request, application, withdraw_form=form, message=message, status=status)


# --- the year's units and the export --------------------------------------------------------------------------------


def _year_param(request: HttpRequest, default: int) -> int:
    try:
        year = int(request.GET.get("year", default))
    except ValueError:
        return default
    return year if 2000 <= year <= 2099 else default


@require_GET
@staff_view(Perm.VIEW_DISPUTES)
def units_view(request: HttpRequest) -> HttpResponse:
    year = _year_param(request, timezone.localdate().year - 1)
    units = list(selectors.three_zero_units(user=request.user, year=year))
    years = sorted(set(_years()) | set(selectors.application_years(user=request.user)) | {year}, reverse=True)
    return render(
        request,
        "threezero/units.html",
        {
            "year": year,
            "years": years,
            "units": units,
            "breadcrumbs": _crumbs((_("Three-zero units of the year"), "")),
        },
    )


@require_GET
@staff_view(Perm.VIEW_DISPUTES)
def export_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    year = _year_param(request, timezone.localdate().year)
    applications = list(selectors.application_list(user=user, year=year).select_related("applied_by"))
    shown = selectors.shown_figures(applications)
    content = three_zero_workbook(
        year=year,
        applications=((application, *shown[application.pk]) for application in applications),
        incidents=selectors.incident_list(user=user, year=year).iterator(),
        scope=", ".join(post_place for post_place in _scope_names(user)),
    )
    return xlsx_response(
        content, ascii_name=f"three-zero-{year}.xlsx", display_name=f"{_('Three-zero units')}-{year}.xlsx"
    )


def _scope_names(user: Any) -> list[str]:
    return [place.name for place in selectors.scope_places(user=user)]
