"""/api/v1/analytics/: the assessment's figures for other systems (a provincial platform, a 12345 centre's big
screen) — one unit's figures over a period, and the monthly league tables with the public notice.

Both read the rollup through ``analytics.selectors``, the same reads as the dashboard and the rankings page; the
units come from ``analytics.areas``, which holds the scope rule: a unit outside the caller's areas is 404, as if it
did not exist, and a department's handler sees their department only.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from gridwork.accounts.roles import Perm
from gridwork.analytics.areas import AreaNotFound, area_for
from gridwork.analytics.measures import Weights
from gridwork.analytics.models import AnalyticsSettings, UnitKind
from gridwork.analytics.periods import Period, PeriodError, PeriodKind, parse_period
from gridwork.analytics.selectors import (
    RANKED_KINDS,
    area_figures,
    children_figures,
    notice_evidence,
    notice_list,
    ranking,
    trend,
)
from gridwork.api.base import ApiView
from gridwork.api.serializers.analytics import (
    AreaFiguresSerializer,
    RankingsSerializer,
    area_figures_answer,
    notice_row,
    period_ref,
    ranking_row,
    weights_ref,
)
from gridwork.api.serializers.common import ErrorSerializer

ON_HELP = "A day in the period, `YYYY-MM-DD`, or a month, `YYYY-MM` (its first day); default: today (China time)."
SIGNED_IN_ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description="Not signed in."),
    403: OpenApiResponse(ErrorSerializer, description="The account may not see matters."),
    429: OpenApiResponse(ErrorSerializer, description="Over the account's rate limit; see `Retry-After`."),
}
HOW = (
    "How each measure is computed is `gridwork/analytics/measures.py` `DEFINITIONS` (also on the page "
    "/staff/analytics/definitions/). Counts are summed from the daily rollup over the period; a rate is the "
    "period's numerator over the period's denominator (never an average of daily rates), a fraction 0–1, null when "
    "there is nothing to divide by; `composite` is the weighted sum of the response, resolution and satisfaction "
    "rates out of 100 (a missing rate is left out and the other weights scaled up)."
)


class FiguresQuerySerializer(serializers.Serializer):
    area = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="A place's code (city, district, street, community or grid) or `dept-` and a department's code; "
        "default: the caller's first unit (the place of their first post, or their department).",
    )
    period = serializers.ChoiceField(
        choices=PeriodKind.choices, required=False, allow_blank=True, help_text="Default: month."
    )
    on = serializers.CharField(required=False, allow_blank=True, max_length=32, help_text=ON_HELP)


class RankingsQuerySerializer(serializers.Serializer):
    unit = serializers.ChoiceField(
        choices=[(str(kind), UnitKind(kind).label) for kind in RANKED_KINDS],
        required=False,
        allow_blank=True,
        help_text="Which units to rank; default: street.",
        error_messages={"invalid_choice": gettext_lazy("Choose streets, communities or departments.")},
    )
    on = serializers.CharField(required=False, allow_blank=True, max_length=32, help_text=f"The month. {ON_HELP}")


def _query(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return dict(query.validated_data)


def _period(kind: str | None, on: str | None) -> Period:
    """The period asked for; the kind is already one of PeriodKind, so what parse_period refuses is ``on``."""
    try:
        return parse_period(kind or None, on or None)
    except PeriodError as error:
        raise exceptions.ValidationError({"on": [str(error)]}) from error


@extend_schema(tags=["analytics"])
class AreaFiguresView(ApiView):
    """研判: one unit's assessment figures over one period, as the dashboard (驾驶舱) and its big screen show them."""

    required_perm = Perm.VIEW_MATTERS

    @extend_schema(
        operation_id="analytics_figures",
        parameters=[FiguresQuerySerializer],
        responses={
            200: AreaFiguresSerializer,
            400: OpenApiResponse(ErrorSerializer, description="A parameter is wrong: `errors` names it."),
            404: OpenApiResponse(ErrorSerializer, description="No such unit, or one outside the caller's areas."),
            **SIGNED_IN_ERRORS,
        },
        description=(
            "The figures of one unit (`area`) over one period (`period` containing the day `on`): every counter "
            "and every measure, the same for each unit one level down (`children`) and for each bucket of the "
            f"period (`trend`), with the weights in force and the definitions. {HOW} A unit outside the caller's "
            "areas is 404 (a department's handler sees their department only); a bad `area`, `period` or `on` is "
            "400 naming it."
        ),
    )
    def get(self, request: Request) -> Response:
        query = _query(FiguresQuerySerializer, request)
        period = _period(query.get("period"), query.get("on"))
        try:
            area = area_for(request.user, query.get("area"))
        except AreaNotFound as error:
            raise exceptions.NotFound(_("No such unit in your areas.")) from error
        weights = Weights.current()
        answer = area_figures_answer(
            area=area,
            period=period,
            weights=weights,
            figures=area_figures(area, period, weights),
            children=children_figures(area, period, weights),
            trend=trend(area, period, weights),
        )
        return Response(AreaFiguresSerializer(answer).data)


@extend_schema(tags=["analytics"])
class RankingsView(ApiView):
    """三率排名 and 通报: one month's league table of one kind of unit, and the units on the public notice."""

    required_perm = Perm.VIEW_MATTERS

    @extend_schema(
        operation_id="analytics_rankings",
        parameters=[RankingsQuerySerializer],
        responses={
            200: RankingsSerializer,
            400: OpenApiResponse(ErrorSerializer, description="`unit` or `on` is wrong: `errors` names it."),
            **SIGNED_IN_ERRORS,
        },
        description=(
            "The month's league table of the streets, communities or departments in the caller's areas (a "
            "street's staff rank its communities, the city every street and department; a department's handler "
            "sees their department only), best first by composite score, with last month's rank and the change; "
            "then the public notice: the units that let at least `notice_overdue` deadlines pass in the month, with "
            f"the numbers of the matters concerned. {HOW}"
        ),
    )
    def get(self, request: Request) -> Response:
        query = _query(RankingsQuerySerializer, request)
        unit_kind = query.get("unit") or UnitKind.STREET
        period = _period(PeriodKind.MONTH, query.get("on"))
        weights = Weights.current()
        notices = notice_list(request.user, unit_kind, period)
        evidence = notice_evidence(unit_kind, [row.area.unit_id for row in notices], period)
        answer = {
            "unit_kind": unit_kind,
            "period": period_ref(period),
            "previous_period": period_ref(period.previous()),
            "weights": weights_ref(weights),
            "rows": [ranking_row(row) for row in ranking(request.user, unit_kind, period, weights)],
            "notice_overdue": AnalyticsSettings.current().notice_overdue,
            "notices": [notice_row(row, evidence.get(row.area.unit_id, [])) for row in notices],
        }
        return Response(RankingsSerializer(answer).data)
