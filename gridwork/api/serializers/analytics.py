"""The assessment's figures through the API (/api/v1/analytics/): one unit's figures over a period, its children's and
its trend (what the dashboard and its big screen show), and the monthly league tables with the public notice.

How every measure is computed is ``analytics.measures.DEFINITIONS``: each measure's field below carries its text as
the description, and the figures' answer carries it too (``definitions``, in the request's language).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from gridwork.analytics.areas import Area
from gridwork.analytics.measures import DEFINITION_BY_KEY, DEFINITIONS, Figures, Weights
from gridwork.analytics.models import UnitKind
from gridwork.analytics.periods import Period, PeriodKind
from gridwork.analytics.selectors import RANKED_KINDS, NoticeMatter, NoticeRow, RankingRow


def _how(key: str) -> Any:
    return DEFINITION_BY_KEY[key].how


def _count(help_text: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, help_text=help_text)


def _rate(key: str) -> serializers.FloatField:
    return serializers.FloatField(min_value=0, max_value=1, allow_null=True, help_text=_how(key))


class AreaRefSerializer(serializers.Serializer):
    """A unit of the assessment: a place from the city down to a grid, or a department."""

    code = serializers.CharField(
        help_text="A place's code, or `dept-` followed by a department's code: what `area=` takes."
    )
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=UnitKind.choices)


class PeriodRefSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PeriodKind.choices, help_text="A week begins on Monday.")
    start = serializers.DateField(help_text="The first day (China time).")
    end = serializers.DateField(help_text="The last day, inclusive.")
    label = serializers.CharField(help_text="`2026-11-02`, `2026-W45` (ISO week), `2026-11`, `2026-Q4` or `2026`.")


class FiguresSerializer(serializers.Serializer):
    """Every counter of the daily rollup summed over the period, and every measure of ``DEFINITIONS`` worked out
    from those sums: a rate is the period's numerator over the period's denominator (never an average of daily
    rates), a fraction 0–1, null when there is nothing to divide by."""

    # The measures, in the order of DEFINITIONS (received … closed are also counters).
    received = _count(_how("received"))
    dispatched = _count(_how("dispatched"))
    response_rate = _rate("response_rate")
    resolution_rate = _rate("resolution_rate")
    satisfaction_rate = _rate("satisfaction_rate")
    on_time_rate = _rate("on_time_rate")
    reopen_rate = _rate("reopen_rate")
    returned = _count(_how("returned"))
    extended = _count(_how("extended"))
    overdue = _count(_how("overdue"))
    closed = _count(_how("closed"))
    average_days = serializers.FloatField(min_value=0, allow_null=True, help_text=_how("average_days"))
    composite = serializers.FloatField(min_value=0, max_value=100, allow_null=True, help_text=_how("composite"))
    # The other counters: the rates' numerators and denominators.
    responded = _count(
        "Answers to a dispatch (accepted or returned) and accept deadlines that passed unanswered: the response "
        "rate's denominator."
    )
    responded_on_time = _count("Of those, the answers given before the accept deadline: the response rate's numerator.")
    replied = _count("Replies (答复) given in the period.")
    resolved = _count("Matters closed in the period as resolved: the resolution rate's numerator.")
    closed_on_time = _count(
        "Matters closed in the period whose handling units never missed an accept or reply deadline: the on-time "
        "closure rate's numerator."
    )
    reopened = _count("Matters closed in the period that the resident sent back at least once (返工).")
    rated = _count("Matters closed in the period with a rating: the satisfaction rate's denominator.")
    satisfied = _count("Of the rated, those rated 'satisfied' (满意).")
    basically = _count("Of the rated, those rated 'basically satisfied' (基本满意).")
    unsatisfied = _count("Of the rated, those rated 'not satisfied' (不满意).")
    discarded = _count("Matters discarded in the period (duplicates, invalid reports); not among the closed.")
    handling_seconds = _count(
        "Filing to closing, summed over the matters closed in the period, in seconds (`average_days` is this over "
        "`closed`, in days)."
    )


# Each kind's enum is named after the one component that holds it (AreaRefKindEnum, PeriodRefKindEnum): a bucket
# and a child hold a period and an area rather than extend them.
class BucketSerializer(serializers.Serializer):
    """One bar of the trend: a day of a week or month, a week of a quarter, a month of a year."""

    period = PeriodRefSerializer()
    figures = FiguresSerializer()


class ChildFiguresSerializer(serializers.Serializer):
    area = AreaRefSerializer()
    figures = FiguresSerializer()


class WeightsSerializer(serializers.Serializer):
    """The assessment settings in force (the city sets them on the platform)."""

    response = serializers.IntegerField(min_value=0, help_text="Weight of the response rate in `composite`.")
    resolution = serializers.IntegerField(min_value=0, help_text="Weight of the resolution rate in `composite`.")
    satisfaction = serializers.IntegerField(min_value=0, help_text="Weight of the satisfaction rate in `composite`.")
    satisfied_value = serializers.FloatField(
        min_value=0, max_value=1, help_text="What a 'satisfied' rating counts in the satisfaction rate."
    )
    basically_value = serializers.FloatField(
        min_value=0, max_value=1, help_text="What a 'basically satisfied' rating counts in the satisfaction rate."
    )


class DefinitionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The field of `figures` it defines.")
    label = serializers.CharField(help_text="Its name, in the request's language.")
    how = serializers.CharField(help_text="How it is computed, in the request's language.")
    rate = serializers.BooleanField(help_text="A fraction 0–1 (pages show it in per cent).")


class AreaFiguresSerializer(serializers.Serializer):
    """One unit's figures over one period, with its children's and its trend: the dashboard's data."""

    area = AreaRefSerializer()
    period = PeriodRefSerializer()
    generated_at = serializers.DateTimeField()
    figures = FiguresSerializer()
    children = ChildFiguresSerializer(
        many=True,
        help_text="The units one level down (districts of the city … grids of a community), in code order, each "
        "with its figures over the same period; empty for a grid or a department.",
    )
    trend = BucketSerializer(
        many=True,
        help_text="The figures per bucket of the period: days of a day, week or month, weeks of a quarter, months "
        "of a year (the first and last week may reach outside the period).",
    )
    weights = WeightsSerializer()
    definitions = DefinitionSerializer(many=True, help_text="How each measure of `figures` is computed.")


class RankingRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(
        min_value=1, allow_null=True, help_text="1 is best; equal scores share a rank; null when not ranked."
    )
    unit = AreaRefSerializer()
    score = serializers.FloatField(
        min_value=0, max_value=100, allow_null=True, help_text="The month's composite score, out of 100."
    )
    previous_rank = serializers.IntegerField(min_value=1, allow_null=True, help_text="The rank of the month before.")
    previous_score = serializers.FloatField(min_value=0, max_value=100, allow_null=True)
    rank_change = serializers.IntegerField(
        allow_null=True, help_text="Places gained since the month before (negative: lost); null if unranked in either."
    )
    score_change = serializers.FloatField(allow_null=True, help_text="Score since the month before.")
    figures = FiguresSerializer(help_text="The unit's rates and counts over the month.")


class NoticeMatterSerializer(serializers.Serializer):
    number = serializers.CharField()
    overdue = serializers.IntegerField(min_value=1, help_text="Times a deadline of this matter passed in the month.")


class NoticeSerializer(serializers.Serializer):
    unit = AreaRefSerializer()
    overdue = serializers.IntegerField(min_value=1, help_text="Deadlines the unit let pass in the month.")
    matters = NoticeMatterSerializer(many=True, help_text="The matters concerned, most overdue first.")


class RankingsSerializer(serializers.Serializer):
    """One month's league table (三率排名) of one kind of unit, and its public notice (通报)."""

    unit_kind = serializers.ChoiceField(choices=[(str(kind), UnitKind(kind).label) for kind in RANKED_KINDS])
    period = PeriodRefSerializer()
    previous_period = PeriodRefSerializer(help_text="The month `previous_rank` and `previous_score` are of.")
    weights = WeightsSerializer()
    rows = RankingRowSerializer(many=True, help_text="Every unit of the kind in the caller's areas, best first.")
    notice_overdue = serializers.IntegerField(
        min_value=1, help_text="Missed deadlines in a month that put a unit on the public notice."
    )
    notices = NoticeSerializer(many=True, help_text="The units on the public notice, most overdue first.")


def area_ref(area: Area) -> dict[str, Any]:
    return {"code": area.code, "name": area.name, "kind": area.unit_kind}


def period_ref(period: Period) -> dict[str, Any]:
    return {"kind": period.kind, "start": period.start, "end": period.end, "label": period.label()}


def figures_ref(figures: Figures) -> dict[str, Any]:
    return figures.as_dict()


def weights_ref(weights: Weights) -> dict[str, Any]:
    return {
        "response": weights.response,
        "resolution": weights.resolution,
        "satisfaction": weights.satisfaction,
        "satisfied_value": float(weights.satisfied_value),
        "basically_value": float(weights.basically_value),
    }


def definitions_ref() -> list[dict[str, Any]]:
    return [{"key": d.key, "label": str(d.label), "how": str(d.how), "rate": d.percent} for d in DEFINITIONS]


def area_figures_answer(
    *,
    area: Area,
    period: Period,
    weights: Weights,
    figures: Figures,
    children: list[tuple[Area, Figures]],
    trend: list[tuple[Period, Figures]],
) -> dict[str, Any]:
    return {
        "area": area_ref(area),
        "period": period_ref(period),
        "generated_at": timezone.localtime(),
        "figures": figures_ref(figures),
        "children": [{"area": area_ref(child), "figures": figures_ref(found)} for child, found in children],
        "trend": [{"period": period_ref(bucket), "figures": figures_ref(found)} for bucket, found in trend],
        "weights": weights_ref(weights),
        "definitions": definitions_ref(),
    }


def ranking_row(row: RankingRow) -> dict[str, Any]:
    return {
        "rank": row.rank,
        "unit": area_ref(row.area),
        "score": row.score,
        "previous_rank": row.previous_rank,
        "previous_score": row.previous_score,
        "rank_change": row.rank_change,
        "score_change": row.score_change,
        "figures": figures_ref(row.figures),
    }


def notice_row(row: NoticeRow, matters: Sequence[NoticeMatter]) -> dict[str, Any]:
    return {
        "unit": area_ref(row.area),
        "overdue": row.overdue,
        "matters": [{"number": matter.number, "overdue": matter.times} for matter in matters],
    }
