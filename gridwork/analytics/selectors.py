"""Reads of the analysis pages, all from the rollup: one unit's figures, its trends and mixes, its children's rates,
the monthly league tables (三率) and the public-notice list (通报). Units come from ``analytics.areas``, which holds
the scope rule; nothing here reads a matter row except the evidence of the notice list."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, QuerySet, Sum, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from gridwork.analytics.areas import Area, area_of_department, area_of_place, place_paths, visible_departments
from gridwork.analytics.measures import Figures, Weights
from gridwork.analytics.models import COUNTERS, AnalyticsSettings, DailyRollup, MonthlyRollup, UnitKind
from gridwork.analytics.periods import Period, PeriodKind
from gridwork.analytics.rollup import UNIT_STAGES
from gridwork.matters.models import Category, Channel
from gridwork.matters.workflow import MatterKind
from gridwork.places.models import Place, PlaceLevel
from gridwork.supervision.models import AlertLevel, DeadlineAlert

_SUMS = {name: Sum(name) for name in COUNTERS}


def whole_months(period: Period) -> bool:
    """Whether the period is whole months (a month, quarter or year), which the monthly rows answer."""
    return period.start.day == 1 and (period.end + timedelta(days=1)).day == 1


def _source(period: Period, *, by_month: bool | None = None) -> tuple[QuerySet[Any], str]:
    """The rows to read and their date column: the monthly rows for whole months (twelve rows a unit for a year,
    not 365), the daily rows otherwise. ``by_month`` forces the choice (a trend by week needs the days)."""
    monthly = whole_months(period) if by_month is None else by_month
    return (MonthlyRollup.objects.all(), "month") if monthly else (DailyRollup.objects.all(), "day")


def _level_rows(
    unit_kind: str, period: Period, *, detail: bool, by_month: bool | None = None
) -> tuple[QuerySet[Any], str]:
    rows, column = _source(period, by_month=by_month)
    return rows.filter(unit_kind=unit_kind, detail=detail, **{f"{column}__range": (period.start, period.end)}), column


def _rows(area: Area, period: Period, *, detail: bool, by_month: bool | None = None) -> tuple[QuerySet[Any], str]:
    rows, column = _level_rows(area.unit_kind, period, detail=detail, by_month=by_month)
    return rows.filter(unit_id=area.unit_id), column


def _counts(values: dict[str, Any]) -> dict[str, int]:
    return {name: int(values.get(name) or 0) for name in COUNTERS}


def area_figures(area: Area, period: Period, weights: Weights | None = None) -> Figures:
    """The unit's measures over the period."""
    rows, _column = _rows(area, period, detail=False)
    return Figures(_counts(rows.aggregate(**_SUMS)), weights or Weights.current())


def trend(area: Area, period: Period, weights: Weights | None = None) -> list[tuple[Period, Figures]]:
    """The unit's measures per bucket of the period (days of a month, weeks of a quarter, months of a year)."""
    weights = weights or Weights.current()
    rows, column = _rows(area, period, detail=False, by_month=period.bucket_kind == PeriodKind.MONTH)
    by_day = {row.pop(column): row for row in rows.values(column, *COUNTERS)}
    found = []
    for bucket in period.buckets():
        summed = dict.fromkeys(COUNTERS, 0)
        for row in (row for day, row in by_day.items() if bucket.start <= day <= bucket.end):
            for name in COUNTERS:
                summed[name] += int(row[name] or 0)
        found.append((bucket, Figures(summed, weights)))
    return found


def received_by_channel(area: Area, period: Period) -> dict[str, list[int]]:
    """Matters received per channel, per bucket of the period (the volume chart)."""
    buckets = period.buckets()
    series: dict[str, list[int]] = {channel: [0] * len(buckets) for channel in Channel.values}
    rows, column = _rows(area, period, detail=True, by_month=period.bucket_kind == PeriodKind.MONTH)
    for row in rows.filter(received__gt=0).values(column, "channel").annotate(n=Sum("received")).order_by():
        index = next(i for i, b in enumerate(buckets) if b.start <= row[column] <= b.end)
        series.setdefault(row["channel"], [0] * len(buckets))[index] += int(row["n"])
    return series


def received_mix(area: Area, period: Period, dimension: str) -> list[tuple[str, str, int]]:
    """Matters received per first-level category, kind or channel: (key, label, count), largest first."""
    if dimension not in {"category_id", "kind", "channel"}:
        raise ValueError(dimension)
    rows, _column = _rows(area, period, detail=True)
    counts = {
        row[dimension]: int(row["n"])
        for row in rows.filter(received__gt=0).values(dimension).annotate(n=Sum("received")).order_by()
    }
    if dimension == "category_id":
        names = dict(Category.objects.filter(pk__in=[k for k in counts if k]).values_list("pk", "name"))
        labels = {key: names.get(key, "—") if key else "—" for key in counts}
    else:
        choices = dict(MatterKind.choices if dimension == "kind" else Channel.choices)
        labels = {key: str(choices.get(key, key)) for key in counts}
    return sorted(((str(k), str(labels[k]), n) for k, n in counts.items()), key=lambda item: (-item[2], item[0]))


def _figures_by_unit(
    unit_kind: str, unit_ids: Iterable[int] | None, period: Period, weights: Weights
) -> dict[int, Figures]:
    rows, _column = _level_rows(unit_kind, period, detail=False)
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=list(unit_ids))
    values = rows.values("unit_id").annotate(**_SUMS).order_by()
    return {row["unit_id"]: Figures(_counts(row), weights) for row in values}


def children_figures(area: Area, period: Period, weights: Weights | None = None) -> list[tuple[Area, Figures]]:
    """The measures of each unit one level down (the drill-down), in code order, zero for a unit with nothing."""
    weights = weights or Weights.current()
    children = area.children()
    if not children:
        return []
    found = _figures_by_unit(children[0].unit_kind, [c.unit_id for c in children], period, weights)
    empty = Figures(dict.fromkeys(COUNTERS, 0), weights)
    return [(child, found.get(child.unit_id, empty)) for child in children]


@dataclass(frozen=True)
class RankingRow:
    area: Area
    figures: Figures
    score: float | None
    rank: int | None
    previous_score: float | None
    previous_rank: int | None

    @property
    def rank_change(self) -> int | None:
        """Places gained since last month (positive is better); None when not ranked in one of the two."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    @property
    def score_change(self) -> float | None:
        if self.score is None or self.previous_score is None:
            return None
        return self.score - self.previous_score


RANKED_KINDS = (UnitKind.STREET, UnitKind.DEPARTMENT, UnitKind.COMMUNITY)


def ranking_units(user: Any, unit_kind: str) -> list[Area]:
    """The units of one kind the user may see ranked: streets or communities under their areas; departments."""
    if unit_kind == UnitKind.DEPARTMENT:
        return [area_of_department(d) for d in visible_departments(user)]
    paths = place_paths(user)
    places = [
        p for p in Place.objects.filter(level=unit_kind).order_by("code") if any(p.path.startswith(x) for x in paths)
    ]
    return [area_of_place(p) for p in places]


def _ranks(scores: dict[int, float | None]) -> dict[int, int]:
    """Competition ranking (1, 2, 2, 4) by score, highest first; units without a score are not ranked."""
    ordered = sorted((s, unit) for unit, s in scores.items() if s is not None)
    ordered.sort(key=lambda item: -item[0])
    ranks: dict[int, int] = {}
    for position, (score, unit) in enumerate(ordered, start=1):
        ranks[unit] = (
            position if position == 1 or score != ordered[position - 2][0] else ranks[ordered[position - 2][1]]
        )
    return ranks


def ranking(user: Any, unit_kind: str, period: Period, weights: Weights | None = None) -> list[RankingRow]:
    """The league table of ``period`` (the 三率 monthly ranking): every visible unit of the kind, best first, with its
    rank and score in the previous period of the same length."""
    weights = weights or Weights.current()
    units = ranking_units(user, unit_kind)
    ids = [unit.unit_id for unit in units]
    now_figures = _figures_by_unit(unit_kind, ids, period, weights)
    before_figures = _figures_by_unit(unit_kind, ids, period.previous(), weights)
    scores = {i: f.composite for i, f in now_figures.items()}
    before_scores = {i: f.composite for i, f in before_figures.items()}
    ranks, before_ranks = _ranks(scores), _ranks(before_scores)
    empty = Figures(dict.fromkeys(COUNTERS, 0), weights)
    rows = [
        RankingRow(
            area=unit,
            figures=now_figures.get(unit.unit_id, empty),
            score=scores.get(unit.unit_id),
            rank=ranks.get(unit.unit_id),
            previous_score=before_scores.get(unit.unit_id),
            previous_rank=before_ranks.get(unit.unit_id),
        )
        for unit in units
    ]
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.area.code))


@dataclass(frozen=True)
class NoticeRow:
    """A unit on the public notice (通报): it let deadlines pass this many times in the period."""

    area: Area
    overdue: int


@dataclass(frozen=True)
class NoticeMatter:
    """A matter of the notice's evidence: one of the unit's matters whose deadline passed in the period."""

    number: str
    title: str
    times: int


def notice_list(user: Any, unit_kind: str, period: Period) -> list[NoticeRow]:
    """Units with at least the configured number of overdue deadlines in the period, most first (from the rollup;
    ``notice_evidence`` names the matters)."""
    threshold = AnalyticsSettings.current().notice_overdue
    units = {unit.unit_id: unit for unit in ranking_units(user, unit_kind)}
    rows, _column = _level_rows(unit_kind, period, detail=False)
    counted = (
        rows.filter(unit_id__in=list(units))
        .values("unit_id")
        .annotate(n=Sum("overdue"))
        .filter(n__gte=threshold)
        .order_by()
    )
    found = [NoticeRow(area=units[row["unit_id"]], overdue=int(row["n"])) for row in counted]
    return sorted(found, key=lambda r: (-r.overdue, r.area.code))


def notice_evidence(unit_kind: str, unit_ids: Iterable[int], period: Period) -> dict[int, list[NoticeMatter]]:
    """The matters behind each unit's overdue count: those with a red alert raised in the period, most often overdue
    first, as the rollup counts them (a department answers only for its own stages, not for the call-back).

    The alerts carry the units the rollup counted them for (the matter's area, the department leading it when the
    deadline passed), so one unit's alerts are found on their own index ``(level, subject, unit, raised_at)``; the
    matters are read only for the numbers and titles of those alerts."""
    start, end = _moments(period)
    alerts = DeadlineAlert.objects.filter(
        subject="matter", level=AlertLevel.RED, raised_at__gte=start, raised_at__lt=end
    )
    field = "lead_department_id" if unit_kind == UnitKind.DEPARTMENT else f"{unit_kind}_id"
    if unit_kind == UnitKind.DEPARTMENT:
        alerts = alerts.filter(stage__in=UNIT_STAGES)
    evidence: dict[int, list[NoticeMatter]] = defaultdict(list)
    rows = (
        alerts.filter(**{f"{field}__in": list(unit_ids)})
        .values(field, "matter__number", "matter__title")
        .annotate(n=Count("pk"))
        .order_by("-n", "matter__number")
    )
    for row in rows:
        evidence[row[field]].append(NoticeMatter(row["matter__number"], row["matter__title"], int(row["n"])))
    return dict(evidence)


def _moments(period: Period) -> tuple[datetime, datetime]:
    """The period as [start, end) moments of China time."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(period.start, time.min, tzinfo=tz)
    end = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


@dataclass(frozen=True)
class GridShape:
    """What the map draws of a grid: read as plain values, not as model instances (a city has thousands)."""

    pk: int
    code: str
    name: str
    households: int
    boundary_json: str | None  # the stored GeoJSON as text: the map sends it on as it is, never decoded
    latitude: float | None
    longitude: float | None


GRID_SHAPE_FIELDS = ("pk", "code", "name", "households", "boundary_json", "latitude", "longitude")


def grid_figures(area: Area, period: Period, weights: Weights | None = None) -> list[tuple[GridShape, Figures]]:
    """Each grid under the area with its measures over the period (the map's colours); a department has none."""
    if area.place is None:
        return []
    weights = weights or Weights.current()
    grids = [
        GridShape(*row)
        for row in Place.objects.filter(level=PlaceLevel.GRID, path__startswith=area.place.path)
        .annotate(boundary_json=Cast("boundary", TextField()))
        .order_by("code")
        .values_list(*GRID_SHAPE_FIELDS)
    ]
    found = _figures_by_unit(
        UnitKind.GRID, None if area.place.level == PlaceLevel.CITY else [g.pk for g in grids], period, weights
    )
    empty = Figures(dict.fromkeys(COUNTERS, 0), weights)
    return [(grid, found.get(grid.pk, empty)) for grid in grids]


def days_with_data() -> tuple[date, date] | None:
    """The first and last day the rollup holds, to offer sensible periods."""
    first = (
        DailyRollup.objects.filter(unit_kind=UnitKind.CITY, detail=False)
        .order_by("day")
        .values_list("day", flat=True)
        .first()
    )
    last = (
        DailyRollup.objects.filter(unit_kind=UnitKind.CITY, detail=False)
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )
    return (first, last) if first and last else None
