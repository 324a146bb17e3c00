"""The employer's pages (/unit/) for the contacts of a resident unit: the unit's registrations with communities
(单位报到), the members who named the unit as their employer (across communities), each member's community
performance record for a period and the evaluations (双评价) the communities sent, and the report of a period's
evaluations of all the unit's members (page and Excel). A contact sees only their own units' members (any other
member is not found) and only the evaluations sent to them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.forms import add_service_errors
from gridwork.party import records, selectors
from gridwork.party import registrations as services
from gridwork.party.access import unit_contact_view
from gridwork.party.exports import XLSX_TYPE, evaluations_xlsx
from gridwork.party.flows import EVENT_LABELS, UNIT_REGISTRATION_FLOW, RegistrationAction
from gridwork.party.forms import UnitRegistrationForm
from gridwork.party.periods import (
    EVALUATION_PERIOD_KINDS,
    Period,
    PeriodKind,
    local_zone,
    period_from,
    period_options,
    this_year,
)
from gridwork.party.skills import skill_labels

OPTION_YEARS = 3
# The record's picker offers every month, quarter, half and year: of this year and the last.
RECORD_OPTION_YEARS = 2


def _home(request: HttpRequest, *, refusal: str = "", status: int = 200) -> HttpResponse:
    user: Any = request.user
    registrations = [
        {
            "registration": registration,
            "events": [
                {"label": EVENT_LABELS.get(event.action, event.action), "at": event.at, "note": event.note}
                for event in registration.events.all()
            ],
            "may_withdraw": RegistrationAction.WITHDRAW in UNIT_REGISTRATION_FLOW.allowed(registration.state),
        }
        for registration in selectors.contact_unit_registrations(user=user)
    ]
    return render(
        request,
        "party/unit/home.html",
        {
            "units": list(request.units),  # type: ignore[attr-defined]
            "members": selectors.unit_member_list(user=user),
            "registrations": registrations,
            "refusal": refusal,
        },
        status=status,
    )


@unit_contact_view
@require_GET
def home_view(request: HttpRequest) -> HttpResponse:
    return _home(request)


@unit_contact_view
@require_GET
def member_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One member of the user's units: where they are registered, since when, what they offer, where they were
    registered before; their community performance record for a period (this year unless asked) and the
    evaluations the communities sent to the unit."""
    registration = selectors.unit_member_get(user=request.user, pk=pk)
    today = timezone.localdate(timezone=local_zone())
    period = period_from(request.GET.get("period", ""), default=this_year(today))
    return render(
        request,
        "party/unit/member.html",
        {
            "member": registration,
            "skills": skill_labels(registration.skills or []),
            "history": selectors.unit_member_history(user=request.user, registration=registration),
            "record": records.record_of(registration, period),
            "period": period,
            "periods": period_options(
                today=today, kinds=PeriodKind.values, years=RECORD_OPTION_YEARS, including=period
            ),
            "evaluations": records.unit_sent_evaluations(user=request.user, registration=registration),
        },
    )


def _report_period(request: HttpRequest) -> tuple[Period, list[Period]]:
    """The period of the report asked for; by default the newest one with an evaluation sent, else this year."""
    today = timezone.localdate(timezone=local_zone())
    sent = records.unit_evaluation_periods(user=request.user)
    default = sent[0] if sent else this_year(today)
    period = period_from(request.GET.get("period", ""), default=default, allowed=EVALUATION_PERIOD_KINDS)
    options = period_options(today=today, kinds=EVALUATION_PERIOD_KINDS, years=OPTION_YEARS)
    chosen = {*options, *sent, period}
    return period, sorted(chosen, key=lambda p: (-p.year, p.kind != PeriodKind.YEAR, -p.number))


@unit_contact_view
@require_GET
def evaluations_view(request: HttpRequest) -> HttpResponse:
    """双评价: the report of a period for the unit's party organisation: each of its members registered with a
    community during the period, their record's figures and the grade and comment the community sent (figures as
    graded; a member not graded or not sent yet shows the live record and no grade)."""
    period, periods = _report_period(request)
    members = list(records.unit_report_members(user=request.user, period=period))
    return render(
        request,
        "party/unit/evaluations.html",
        {
            "rows": records.report_rows(members, period, sent_only=True),
            "period": period,
            "periods": periods,
            "units": list(request.units),  # type: ignore[attr-defined]
        },
    )


@unit_contact_view
@require_GET
def evaluations_export_view(request: HttpRequest) -> HttpResponse:
    """The report of a period as an .xlsx: one row per member of the user's units."""
    period, _periods = _report_period(request)
    members = list(records.unit_report_members(user=request.user, period=period))
    units = "、".join(unit.name for unit in request.units)  # type: ignore[attr-defined]
    workbook = evaluations_xlsx(
        records.report_rows(members, period, sent_only=True),
        period=period,
        about=[
            (_("Unit"), units),
            (_("Period"), period.label),
            (_("Exported at"), timezone.now()),
            (_("Exported by"), str(request.user)),
        ],
        for_employer=True,
    )
    response = HttpResponse(workbook.content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="evaluations-{period.code}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response


@unit_contact_view
@require_http_methods(["GET", "POST"])
def register_view(request: HttpRequest) -> HttpResponse:
    """单位报到: the unit registers its party organisation with a community, saying what it offers."""
    communities = selectors.registration_communities()
    form = UnitRegistrationForm(request.POST or None, units=request.units, communities=communities)  # type: ignore[attr-defined]
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                registration = services.unit_registration_submit(
                    actor=request.user,
                    unit=form.cleaned_data["unit"],
                    community=communities.filter(code=form.cleaned_data["community"]).first(),
                    offers=form.cleaned_data["offers"],
                )
            except ValidationError as invalid:
                add_service_errors(form, invalid)
            else:
                messages.success(
                    request,
                    _("%(unit)s's registration with %(community)s is sent. The community will confirm it.")
                    % {"unit": registration.unit.name, "community": registration.community.name},
                )
                return redirect("unit:home")
    return render(request, "party/unit/register.html", {"form": form}, status=status)


@unit_contact_view
@require_POST
def withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a registration of one of the user's units (any other is not found)."""
    registration = selectors.contact_unit_registration_get(user=request.user, pk=pk)
    try:
        version = int(request.POST.get("expected_version", ""))
    except ValueError:
        version = None
    try:
        services.unit_registration_withdraw(actor=request.user, registration=registration, expected_version=version)
    except (StaleState, MoveRefused) as refused:
        return _home(request, refusal=str(refused), status=409)
    messages.success(request, _("The registration is withdrawn."))
    return redirect("unit:home")
