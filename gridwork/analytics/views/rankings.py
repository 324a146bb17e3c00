"""The monthly league tables (三率排名) with the public-notice list (通报), and the page of the measures' definitions.

For everyone who sees matters: the units listed are those under the user's own areas (a street's staff see the
communities of their street, the city sees every street and department), as ``selectors.ranking_units`` says.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gridwork.accounts.roles import Perm
from gridwork.analytics.areas import AreaNotFound, area_for
from gridwork.analytics.measures import DEFINITIONS, Weights
from gridwork.analytics.models import AnalyticsSettings, UnitKind
from gridwork.analytics.periods import Period, PeriodError, PeriodKind, parse_period
from gridwork.analytics.selectors import RANKED_KINDS, area_figures, notice_evidence, notice_list, ranking
from gridwork.common.permissions import staff_view


def _crumbs(label: str) -> list[dict[str, str]]:
    return [{"label": _("Analysis"), "url": reverse("analytics:dashboard")}, {"label": label, "url": ""}]


@staff_view(Perm.VIEW_MATTERS)
@require_GET
def ranking_view(request: HttpRequest) -> HttpResponse:
    """One month's league table of a kind of unit (streets by default), best first, with last month's rank."""
    unit_kind = request.GET.get("unit") or UnitKind.STREET
    errors: dict[str, str] = {}
    if unit_kind not in RANKED_KINDS:
        errors["unit"] = _("Choose streets, communities or departments.")
        unit_kind = UnitKind.STREET
    try:
        period = parse_period(PeriodKind.MONTH, request.GET.get("on"))
    except PeriodError as error:
        errors["on"] = str(error)
        period = Period.current()
    weights = Weights.current()
    rows = ranking(request.user, unit_kind, period, weights)
    notices = notice_list(request.user, unit_kind, period)
    kinds = [(str(kind), str(UnitKind(kind).label)) for kind in RANKED_KINDS]
    return render(
        request,
        "analytics/rankings.html",
        {
            "rows": rows,
            "notices": notices,
            "period": period,
            "unit_kind": unit_kind,
            "unit_label": UnitKind(unit_kind).label,
            "kinds": kinds,
            "errors": errors,
            "weights": weights,
            "notice_overdue": AnalyticsSettings.current().notice_overdue,
            "previous": period.previous(),
            "next": period.next(),
            "definitions": DEFINITIONS,
            "breadcrumbs": _crumbs(_("Rankings")),
        },
        status=400 if errors else 200,
    )


@staff_view(Perm.VIEW_MATTERS)
@require_GET
def notice_view(request: HttpRequest) -> HttpResponse:
    """The evidence of one unit on the public notice: its matters whose deadlines passed in the month, each with how
    many times. Only a unit the user may see ranked (404 otherwise, as for a unit that does not exist)."""
    try:
        area = area_for(request.user, request.GET.get("area") or "-")
    except AreaNotFound:
        raise Http404(_("No such unit in your area.")) from None
    if area.unit_kind not in RANKED_KINDS:
        raise Http404(_("No such unit in your area."))
    try:
        period = parse_period(PeriodKind.MONTH, request.GET.get("on"))
    except PeriodError as error:
        return render(
            request,
            "analytics/notice.html",
            {"area": area, "error": str(error), "breadcrumbs": _crumbs(_("Public notice"))},
            status=400,
        )
    matters = notice_evidence(area.unit_kind, [area.unit_id], period).get(area.unit_id, [])
    return render(
        request,
        "analytics/notice.html",
        {
            "area": area,
            "period": period,
            "overdue": area_figures(area, period).count("overdue"),
            "matters": matters,
            "times": sum(matter.times for matter in matters),
            "rankings_url": f"{reverse('analytics:rankings')}?unit={area.unit_kind}&on={period.start:%Y-%m}",
            "breadcrumbs": [
                {"label": _("Analysis"), "url": reverse("analytics:dashboard")},
                {"label": _("Rankings"), "url": f"{reverse('analytics:rankings')}?unit={area.unit_kind}"},
                {"label": _("Public notice"), "url": ""},
            ],
        },
    )


@staff_view(Perm.VIEW_MATTERS)
@require_GET
def definitions_view(request: HttpRequest) -> HttpResponse:
    """How every measure is computed, with the weights in force."""
    return render(
        request,
        "analytics/definitions.html",
        {
            "definitions": DEFINITIONS,
            "weights": Weights.current(),
            "settings": AnalyticsSettings.current(),
            "breadcrumbs": _crumbs(_("How the figures are computed")),
        },
    )
