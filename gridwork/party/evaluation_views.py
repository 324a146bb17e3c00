"""Staff pages of the community performance record and the dual evaluation (双评价): the registered members of the
user's communities for a period with their record's figures and their grade (a form on each row), one member's
record with the grading form, sending a community's evaluations of a period to the employers, and the Excel of a
community's evaluations. Pages are scoped (VIEW_PARTY over the member's building: another community's member is not
found); grading and sending need MANAGE_PARTY over the community, which the services check."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.accounts.roles import Perm
from gridwork.audit.services import audit_record
from gridwork.common.flows import StaleState
from gridwork.common.forms import add_service_errors
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.party import records
from gridwork.party.evaluations import EvaluationFinal, evaluations_send, member_evaluate
from gridwork.party.exports import XLSX_TYPE, evaluations_xlsx
from gridwork.party.forms import EvaluationForm
from gridwork.party.models import MemberRegistration
from gridwork.party.periods import (
    EVALUATION_PERIOD_KINDS,
    Period,
    PeriodKind,
    local_zone,
    period_from,
    period_options,
    this_year,
)
from gridwork.places.models import Place, PlaceLevel

MEMBERS_PAGE_SIZE = 100
EXPORT_CAP = 100_000
OPTION_YEARS = 3
# The record's picker offers every month, quarter, half and year: of this year and the last.
RECORD_OPTION_YEARS = 2


def _today() -> Any:
    return timezone.localdate(timezone=local_zone())


def _crumbs(*items: tuple[str, str]) -> list[dict[str, str]]:
    return [{"label": label, "url": url} for label, url in items]


def _list_url(community: Place | None, period: Period) -> str:
    query = {**({"community": community.code} if community else {}), "period": period.code}
    return f"{reverse('party:evaluations')}?{urlencode(query)}"


def _community_and_period(request: HttpRequest, source: Any) -> tuple[list[Place], Place | None, Period]:
    """The user's communities, the one asked for (the only one by default) and the evaluation period asked for
    (this year by default)."""
    communities = list(records.evaluation_communities(user=request.user))
    code = source.get("community", "")
    community = next((c for c in communities if c.code == code), None)
    if community is None and not code and len(communities) == 1:
        community = communities[0]
    period = period_from(source.get("period", ""), default=this_year(_today()), allowed=EVALUATION_PERIOD_KINDS)
    return communities, community, period


def _managed_communities(user: Any) -> set[int]:
    return set(
        Place.objects.restrict(user, Perm.MANAGE_PARTY).filter(level=PlaceLevel.COMMUNITY).values_list("pk", flat=True)
    )


def _render_list(request: HttpRequest, source: Any, *, refusal: str = "", status: int = 200) -> HttpResponse:
    communities, community, period = _community_and_period(request, source)
    members = records.evaluation_members(user=request.user, period=period, community=community)
    page, query = paginate(request, members, per_page=MEMBERS_PAGE_SIZE)
    shown: list[MemberRegistration] = list(page.object_list)
    figures = records.record_figures_for(shown, period)
    evaluations = records.evaluations_of([r.pk for r in shown], period)
    managed = _managed_communities(request.user)
    rows = []
    for registration in shown:
        evaluation = evaluations.get(registration.pk)
        rows.append(
            {
                "registration": registration,
                "figures": figures[registration.pk],
                "evaluation": evaluation,
                "may_grade": registration.community_id in managed and (evaluation is None or not evaluation.sent_at),
            }
        )
    may_send = community is not None and community.pk in managed
    return render(
        request,
        "party/evaluations.html",
        {
            "page_obj": page,
            "query": query,
            "rows": rows,
            "communities": communities,
            "community": community,
            "period": period,
            "periods": period_options(
                today=_today(), kinds=EVALUATION_PERIOD_KINDS, years=OPTION_YEARS, including=period
            ),
            "grades": EvaluationForm.base_fields["grade"].choices,  # type: ignore[attr-defined]
            "counts": records.evaluation_counts(community=community, period=period) if community else None,
            "may_send": may_send,
            "total": page.paginator.count,
            "refusal": refusal,
            "breadcrumbs": _crumbs(
                (_("Registered members"), reverse("party:registered-members")),
                (_("Dual evaluation"), ""),
            ),
        },
        status=status,
    )


@staff_view(Perm.VIEW_PARTY)
@require_GET
def evaluation_list_view(request: HttpRequest) -> HttpResponse:
    """双评价: the registered members of a community (or of all the user's communities) for a year or a half-year, with
    their record's figures, their grade and, for who may grade, a form on each row; and the button that sends the
    community's evaluations to the employers."""
    return _render_list(request, request.GET)


def _member_page(
    request: HttpRequest,
    registration: MemberRegistration,
    period: Period,
    *,
    form: EvaluationForm | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    record = records.record_of(registration, period)
    evaluation = records.evaluation_of(registration, period) if period.is_evaluation_period else None
    may_manage = records.evaluation_may_manage(user=request.user, registration=registration)
    may_grade = (
        may_manage
        and period.is_evaluation_period
        and (evaluation is None or evaluation.sent_at is None)
        and records.registration_evaluable(registration, period)
    )
    if form is None:
        form = EvaluationForm(
            initial={
                "period": period.code,
                "expected_version": evaluation.version if evaluation else 0,
                "grade": evaluation.grade if evaluation else "",
                "comment": evaluation.comment if evaluation else "",
            }
        )
    return render(
        request,
        "party/evaluation_member.html",
        {
            "registration": registration,
            "record": record,
            "period": period,
            "periods": period_options(
                today=_today(), kinds=PeriodKind.values, years=RECORD_OPTION_YEARS, including=period
            ),
            "evaluation": evaluation,
            "snapshot": records.RecordFigures.from_snapshot(evaluation.figures) if evaluation else None,
            "evaluations": records.registration_evaluations(registration),
            "may_manage": may_manage,
            "may_grade": may_grade,
            "form": form,
            "refusal": refusal,
            "breadcrumbs": _crumbs(
                (_("Registered members"), reverse("party:registered-members")),
                (
                    _("Dual evaluation"),
                    _list_url(registration.community, period)
                    if period.is_evaluation_period
                    else reverse("party:evaluations"),
                ),
                (_("Community performance record"), ""),
            ),
        },
        status=status,
    )


@staff_view(Perm.VIEW_PARTY)
@require_http_methods(["GET", "POST"])
def evaluation_member_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One member's community performance record for a period (any month, quarter, half-year or year), their
    evaluations, and grading them for a year or a half-year (MANAGE_PARTY over their community)."""
    registration = records.evaluation_member_get(user=request.user, pk=pk)
    source = request.POST if request.method == "POST" else request.GET
    period = period_from(source.get("period", ""), default=this_year(_today()))
    if request.method == "GET":
        return _member_page(request, registration, period)
    form = EvaluationForm(request.POST)
    if not form.is_valid():
        return _member_page(request, registration, period, form=form, status=400)
    try:
        member_evaluate(
            actor=request.user,
            registration=registration,
            period=period,
            grade=form.cleaned_data["grade"],
            comment=form.cleaned_data["comment"],
            expected_version=form.cleaned_data["expected_version"],
        )
    except (EvaluationFinal, StaleState) as refused:
        return _member_page(request, registration, period, refusal=str(refused), status=409)
    except ValidationError as invalid:
        add_service_errors(form, invalid)
        return _member_page(request, registration, period, form=form, status=400)
    messages.success(
        request,
        _("%(period)s: the evaluation is saved. Send the community's evaluations to the employers when all are done.")
        % {"period": period.label},
    )
    if request.POST.get("back") == "list":
        community = Place.objects.get(pk=registration.community_id)
        return redirect(_list_url(community, period))
    return redirect(
        f"{reverse('party:evaluation-member', args=[registration.pk])}?{urlencode({'period': period.code})}"
    )


@staff_view(Perm.MANAGE_PARTY)
@require_POST
def evaluations_send_view(request: HttpRequest) -> HttpResponse:
    """Send the community's unsent evaluations of the period to the employers (MANAGE_PARTY over the community)."""
    _communities, community, period = _community_and_period(request, request.POST)
    if community is None:
        raise Http404
    try:
        sent = evaluations_send(actor=request.user, community=community, period=period)
    except ValidationError as invalid:
        return _render_list(request, request.POST, refusal=" ".join(invalid.messages), status=400)
    messages.success(
        request,
        ngettext(
            "%(count)d evaluation of %(period)s is sent to the employer; it is final now.",
            "%(count)d evaluations of %(period)s are sent to the employers; they are final now.",
            sent,
        )
        % {"count": sent, "period": period.label},
    )
    return redirect(_list_url(community, period))


@staff_view(Perm.VIEW_PARTY)
@require_GET
def evaluations_export_view(request: HttpRequest) -> HttpResponse:
    """The page's members and their evaluations of the period as an .xlsx (figures as graded, else live); an export
    with unmasked names is audited."""
    _communities, community, period = _community_and_period(request, request.GET)
    members = list(records.evaluation_members(user=request.user, period=period, community=community)[:EXPORT_CAP])
    rows = records.report_rows(members, period, sent_only=False)
    about: list[tuple[str, Any]] = [
        (_("Community"), community.name if community else _("All my communities")),
        (_("Period"), period.label),
        (_("Exported at"), timezone.now()),
        (_("Exported by"), str(request.user)),
    ]
    workbook = evaluations_xlsx(rows, period=period, about=about, for_employer=False)
    if workbook.unmasked:
        with transaction.atomic():
            audit_record(
                actor=request.user,
                action="member_evaluation.export_unmasked",
                detail={
                    "rows": workbook.rows,
                    "unmasked": workbook.unmasked,
                    "community": community.code if community else "",
                    "period": period.code,
                },
                request=request,
            )
    response = HttpResponse(workbook.content, content_type=XLSX_TYPE)
    name = f"evaluations-{community.code if community else 'all'}-{period.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
