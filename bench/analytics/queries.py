"""Time every dashboard query (``gridwork.analytics.selectors``) on the loaded database, and compute the same figure
with DuckDB from the raw rows (the Parquet files of the matters, their events and the deadline alerts), the way one
would without a rollup. A figure that differs fails the run.

DuckDB's side folds the record in SQL as ``rebuild.fold_matter`` does in Python: for each event, the lead department,
category and kind after it and the accept deadline before it come from window functions over the matter's events
(``data`` parsed as JSON); a red alert takes the matter's state at its moment with an ASOF join; a late answer and an
on-time closing look at the red alerts raised by then. Only the matters with an event or a red alert in the period are
folded (all their events up to the period's end), and only their events in the period are counted.
"""

# The SQL here is built from the benchmark's own table and column names, numbers and file paths, never from input.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bench.analytics.generate import COUNTERS, DAY, TZ_OFFSET

LIMIT_MS = 300.0
MONTH = date(2025, 11, 1)
WEEK = date(2025, 11, 12)  # Monday 10 to Sunday 16 November: a week reads the daily rows
YEAR = date(2025, 6, 1)
EPOCH = date(1970, 1, 1)


def drop_caches() -> bool:
    """Empty the operating system's page cache (root only), so a "cold" run reads from the disk."""
    try:
        import os

        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("1\n", encoding="ascii")
    except OSError:
        return False
    return True


# --- the DuckDB side --------------------------------------------------------------------------------------------


def _files(data: Path, name: str) -> str:
    return "[" + ", ".join(f"'{p}'" for p in sorted(data.glob(f"{name}-*.parquet"))) + "]"


def _day(moment: date) -> int:
    return (moment - EPOCH).days


def _ts(day: date) -> int:
    return _day(day) * DAY - TZ_OFFSET


def facts_sql(data: Path, start: date, end: date, matters_where: str = "") -> str:
    """One row per count-bearing event or red alert in [start, end]: its day, the matter's units and channel, the lead
    department (0: none), first-level category, kind, and the 18 counters, as the rollup counts them.

    A matter's events and red alerts form one stream in time order, an alert before an event of the same moment (as
    ``fold_matter`` raises them); window functions over the stream carry the state: the kind, category and lead
    department after each row, the accept deadline and the latest accept alert's deadline before it (a late
    answer), the unit deadlines missed before it (an on-time closing), the rating and the reopenings."""
    t0, t1 = _ts(start), _ts(end + timedelta(days=1))
    matters, events, alerts = _files(data, "matters"), _files(data, "events"), _files(data, "alerts")
    closing = "action IN ('verify_close', 'close_by_agreement')"
    answer = "(action = 'accept' OR (action = 'return' AND from_state = 'dispatched'))"
    late = "(accept_alert_due IS NOT NULL AND accept_alert_due = accept_due)"
    counters = {
        "received": "(action = 'file')::INT",
        "dispatched": "(action IN ('dispatch', 'overrule'))::INT",
        "responded": f"({answer} AND NOT {late})::INT",
        "responded_on_time": f'({answer} AND NOT {late} AND (accept_due IS NULL OR "at" <= accept_due))::INT',
        "returned": "(action = 'return')::INT",
        "extended": "(action = 'decide_extension' AND approved)::INT",
        "overdue": "(action = 'red')::INT",
        "replied": "(action = 'reply')::INT",
        "closed": f"({closing})::INT",
        "resolved": f"({closing} AND (reopens = 0 OR satisfaction IN ('satisfied', 'basically')))::INT",
        "closed_on_time": f"({closing} AND unit_overdue = 0)::INT",
        "reopened": f"({closing} AND reopens > 0)::INT",
        "rated": f"({closing} AND satisfaction IS NOT NULL)::INT",
        "satisfied": f"({closing} AND satisfaction = 'satisfied')::INT",
        "basically": f"({closing} AND satisfaction = 'basically')::INT",
        "unsatisfied": f"({closing} AND satisfaction = 'unsatisfied')::INT",
        "discarded": "(action = 'discard')::INT",
        "handling_seconds": f'CASE WHEN {closing} THEN greatest(0, "at" - created_at) ELSE 0 END',
    }
    counters["responded"] = f"(({answer} AND NOT {late}) OR (action = 'red' AND stage = 'accept'))::INT"
    columns = ", ".join(f"{expression} AS {name}" for name, expression in counters.items())
    return f"""
    WITH
    m AS (
        SELECT id, grid_id, community_id, street_id, district_id, channel, created_at
        FROM read_parquet({matters}) {matters_where}
    ),
    touched AS (
        SELECT DISTINCT matter_id FROM read_parquet({events}) WHERE "at" >= {t0} AND "at" < {t1}
        UNION
        SELECT DISTINCT matter_id FROM read_parquet({alerts})
        WHERE level = 'red' AND subject = 'matter' AND raised_at >= {t0} AND raised_at < {t1}
    ),
    chosen AS (SELECT m.* FROM m SEMI JOIN touched ON touched.matter_id = m.id),
    stream AS (
        SELECT e.matter_id, e."at", 1 AS tie, e.sequence, e.action, e.from_state, e.to_state, NULL AS stage,
            NULL::BIGINT AS alert_due,
            CASE WHEN e.action IN ('file', 'dispatch', 'overrule', 'supervise', 'rate', 'decide_extension')
                THEN json_extract_string(e.data, ['$.kind', '$.category_id', '$.lead_department_id',
                    '$.deadline.due_at', '$.satisfaction', '$.approved']) END AS j
        FROM read_parquet({events}) e SEMI JOIN chosen ON chosen.id = e.matter_id
        WHERE e."at" < {t1}
        UNION ALL
        SELECT a.matter_id, a.raised_at, 0, 0, 'red', '', '', a.stage, a.due_at, NULL
        FROM read_parquet({alerts}) a SEMI JOIN chosen ON chosen.id = a.matter_id
        WHERE a.level = 'red' AND a.subject = 'matter' AND a.raised_at < {t1}
    ),
    w AS (
        SELECT matter_id, "at", action, from_state, to_state, stage,
            last_value(CASE WHEN action IN ('file', 'dispatch') THEN j[1] END IGNORE NULLS) OVER upto AS kind,
            last_value(CASE WHEN action IN ('file', 'dispatch') THEN coalesce(j[2]::BIGINT, 0) END IGNORE NULLS)
                OVER upto AS category,
            last_value(CASE WHEN action = 'dispatch' THEN coalesce(j[3]::BIGINT, 0) END IGNORE NULLS)
                OVER upto AS department,
            last_value(CASE WHEN action IN ('dispatch', 'overrule', 'supervise')
                THEN epoch(j[4]::TIMESTAMPTZ)::BIGINT END IGNORE NULLS) OVER earlier AS accept_due,
            last_value(CASE WHEN action = 'red' AND stage = 'accept' THEN alert_due END IGNORE NULLS)
                OVER earlier AS accept_alert_due,
            count(CASE WHEN action = 'red' AND stage IN ('accept', 'reply') THEN 1 END) OVER earlier AS unit_overdue,
            action = 'decide_extension' AND j[6] = 'true' AS approved,
            last_value(CASE WHEN action = 'rate' THEN j[5] END IGNORE NULLS) OVER upto AS satisfaction,
            count(CASE WHEN action = 'rate' AND to_state = 'in_progress' THEN 1 END) OVER upto AS reopens
        FROM stream
        WINDOW upto AS (PARTITION BY matter_id ORDER BY "at", tie, sequence
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
            earlier AS (PARTITION BY matter_id ORDER BY "at", tie, sequence
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
    ),
    facts AS (
        SELECT w.matter_id, w."at" AS moment, chosen.created_at,
            CASE WHEN action = 'file' OR (action = 'red' AND stage NOT IN ('accept', 'reply')) THEN 0
                ELSE coalesce(department, 0) END AS department,
            coalesce(category, 0) AS category, kind, {columns}
        FROM w JOIN chosen ON chosen.id = w.matter_id
        WHERE w."at" >= {t0}
    )
    SELECT (f.moment + {TZ_OFFSET}) // {DAY} AS day, chosen.grid_id, chosen.community_id, chosen.street_id,
        chosen.district_id, chosen.channel, f.department, coalesce(roots.root, 0) AS category, f.kind,
        {", ".join(f"f.{name}" for name in COUNTERS)}
    FROM facts f JOIN chosen ON chosen.id = f.matter_id
    LEFT JOIN category_roots roots ON roots.id = f.category
    WHERE greatest({", ".join(f"f.{name}" for name in COUNTERS)}) > 0
    """


SUMS = ", ".join(f"sum({name})::BIGINT AS {name}" for name in COUNTERS)


class Duck:
    """DuckDB over the Parquet files. The fold of the record (``facts_sql``) for one unit and period is made once, as
    a table, and shared by the figures of that unit and period; each figure's time is the fold's time (made after
    dropping the page cache) plus its own aggregation."""

    def __init__(self, data: Path, category_roots: dict[int, int], memory: str = "8GB") -> None:
        import duckdb
        import numpy as np

        self.data = data
        self.path = data / "facts.duckdb"
        for suffix in ("", ".wal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        self.connection = duckdb.connect(str(self.path))
        self.connection.execute("SET threads = 2")
        self.connection.execute(f"SET memory_limit = '{memory}'")
        self.connection.execute("SET TimeZone = 'UTC'")
        self.connection.execute("SET preserve_insertion_order = false")
        ids = sorted(category_roots)
        self.connection.register(
            "category_roots_frame",
            {"id": np.array(ids, dtype="i8"), "root": np.array([category_roots[i] for i in ids], dtype="i8")},
        )
        self.connection.execute("CREATE TABLE category_roots AS SELECT * FROM category_roots_frame")
        self.built: dict[tuple[Any, ...], tuple[str, float]] = {}
        self.fold_seconds = 0.0  # of the folds the current figure used
        self.total_built = 0.0  # of every fold made so far

    def close(self) -> None:
        self.connection.close()
        for suffix in ("", ".wal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql).fetchall()  # type: ignore[no-any-return]

    def facts(self, start: date, end: date, area: Any) -> str:
        unit = ("city", 0) if area is None or area.unit_kind == "city" else (area.unit_kind, int(area.unit_id))
        key = (start, end, *unit)
        if key not in self.built:
            where = f"WHERE {unit[0]}_id = {unit[1]}" if unit[0] in {"district", "street", "community", "grid"} else ""
            sql = facts_sql(self.data, start, end, where)
            if unit[0] == "department":
                sql = f"SELECT * FROM ({sql}) WHERE department = {unit[1]}"
            table = f"facts_{len(self.built)}"
            drop_caches()
            started = time.perf_counter()
            self.connection.execute(f"CREATE TABLE {table} AS {sql}")
            self.built[key] = (table, time.perf_counter() - started)
            self.total_built += self.built[key][1]
        table, seconds = self.built[key]
        self.fold_seconds += seconds
        return f"SELECT * FROM {table}"


def _counts(row: tuple[Any, ...]) -> tuple[int, ...]:
    return tuple(int(v or 0) for v in row)


# --- the cases ----------------------------------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    selector: Callable[[], Any]
    normalise: Callable[[Any], Any]
    duck: Callable[[Duck], Any]


def _figure_counts(figures: Any) -> tuple[int, ...]:
    return tuple(int(figures.counts.get(name, 0) or 0) for name in COUNTERS)


def build_cases(areas: dict[str, Any], user: Any) -> list[Case]:  # noqa: PLR0915 — one list of cases
    from gridwork.analytics import selectors
    from gridwork.analytics.measures import Figures, Weights
    from gridwork.analytics.models import MonthlyRollup
    from gridwork.analytics.periods import Period
    from gridwork.matters.models import Channel

    month = Period.containing("month", MONTH)
    year = Period.containing("year", YEAR)
    weights = Weights.current()
    cases: list[Case] = []
    zero = (0,) * len(COUNTERS)

    def by_day(duck: Duck, period: Any, area: Any) -> dict[int, tuple[int, ...]]:
        rows = duck.rows(f"SELECT day, {SUMS} FROM ({duck.facts(period.start, period.end, area)}) GROUP BY day")
        return {int(r[0]): _counts(r[1:]) for r in rows}

    def add_up(rows: list[tuple[int, ...]]) -> tuple[int, ...]:
        return tuple(sum(values) for values in zip(*rows, strict=True)) if rows else zero

    for period_name, period in (("week", Period.containing("week", WEEK)), ("month", month), ("year", year)):
        for area_name, area in areas.items():
            label = f"{area_name} {period_name}"

            def figures_duck(duck: Duck, period: Any = period, area: Any = area) -> Any:
                row = duck.rows(f"SELECT {SUMS} FROM ({duck.facts(period.start, period.end, area)})")[0]
                return _counts(row)

            cases.append(
                Case(
                    f"area_figures {label}",
                    lambda area=area, period=period: selectors.area_figures(area, period),
                    _figure_counts,
                    figures_duck,
                )
            )

            def trend_duck(duck: Duck, period: Any = period, area: Any = area) -> Any:
                days = by_day(duck, period, area)
                return [
                    (
                        bucket.start,
                        add_up([c for d, c in days.items() if _day(bucket.start) <= d <= _day(bucket.end)]),
                    )
                    for bucket in period.buckets()
                ]

            cases.append(
                Case(
                    f"trend {label}",
                    lambda area=area, period=period: selectors.trend(area, period),
                    lambda found: [(bucket.start, _figure_counts(figures)) for bucket, figures in found],
                    trend_duck,
                )
            )

            def channel_duck(duck: Duck, period: Any = period, area: Any = area) -> Any:
                buckets = period.buckets()
                series = {channel: [0] * len(buckets) for channel in Channel.values}
                rows = duck.rows(
                    f"SELECT day, channel, sum(received) FROM ({duck.facts(period.start, period.end, area)}) "
                    "WHERE received > 0 GROUP BY day, channel"
                )
                for day, channel, n in rows:
                    index = next(i for i, b in enumerate(buckets) if _day(b.start) <= day <= _day(b.end))
                    series.setdefault(channel, [0] * len(buckets))[index] += int(n)
                return series

            cases.append(
                Case(
                    f"received_by_channel {label}",
                    lambda area=area, period=period: selectors.received_by_channel(area, period),
                    lambda found: found,
                    channel_duck,
                )
            )
            for dimension, column in (("category_id", "category"), ("kind", "kind"), ("channel", "channel")):

                def mix_duck(duck: Duck, period: Any = period, area: Any = area, column: str = column) -> Any:
                    rows = duck.rows(
                        f"SELECT {column}, sum(received) FROM ({duck.facts(period.start, period.end, area)}) "
                        f"WHERE received > 0 GROUP BY {column}"
                    )
                    return sorted((str(k), int(n)) for k, n in rows)

                cases.append(
                    Case(
                        f"received_mix {dimension} {label}",
                        lambda area=area, period=period, dimension=dimension: selectors.received_mix(
                            area, period, dimension
                        ),
                        lambda found: sorted((key, n) for key, _label, n in found),
                        mix_duck,
                    )
                )
            children = area.children()
            if children:
                child_kind = children[0].unit_kind

                def children_duck(
                    duck: Duck, period: Any = period, area: Any = area, children: Any = children, kind: str = child_kind
                ) -> Any:
                    rows = duck.rows(
                        f"SELECT {kind}_id, {SUMS} FROM ({duck.facts(period.start, period.end, area)}) GROUP BY 1"
                    )
                    found = {int(r[0]): _counts(r[1:]) for r in rows}
                    return [(child.unit_id, found.get(child.unit_id, zero)) for child in children]

                cases.append(
                    Case(
                        f"children_figures {label}",
                        lambda area=area, period=period: selectors.children_figures(area, period),
                        lambda found: [(child.unit_id, _figure_counts(figures)) for child, figures in found],
                        children_duck,
                    )
                )

            def grids_duck(duck: Duck, period: Any = period, area: Any = area) -> Any:
                from gridwork.places.models import Place

                grids = Place.objects.filter(level="grid", path__startswith=area.place.path).order_by("code")
                rows = duck.rows(
                    f"SELECT grid_id, {SUMS} FROM ({duck.facts(period.start, period.end, area)}) GROUP BY 1"
                )
                found = {int(r[0]): _counts(r[1:]) for r in rows}
                return [(pk, found.get(pk, zero)) for pk in grids.values_list("pk", flat=True)]

            cases.append(
                Case(
                    f"grid_figures {label}",
                    lambda area=area, period=period: selectors.grid_figures(area, period),
                    lambda found: [(grid.pk, _figure_counts(figures)) for grid, figures in found],
                    grids_duck,
                )
            )

    previous = month.previous()
    for unit_kind in ("street", "community", "department"):

        def ranking_duck(duck: Duck, unit_kind: str = unit_kind) -> Any:
            units = selectors.ranking_units(user, unit_kind)
            column = "department" if unit_kind == "department" else f"{unit_kind}_id"
            rows = duck.rows(
                f"SELECT {column}, day >= {_day(month.start)} AS now, {SUMS} "
                f"FROM ({duck.facts(previous.start, month.end, None)}) WHERE {column} <> 0 GROUP BY 1, 2"
            )
            now = {int(r[0]): Figures(dict(zip(COUNTERS, _counts(r[2:]), strict=True)), weights) for r in rows if r[1]}
            before = {
                int(r[0]): Figures(dict(zip(COUNTERS, _counts(r[2:]), strict=True)), weights) for r in rows if not r[1]
            }
            scores = {i: f.composite for i, f in now.items()}
            before_scores = {i: f.composite for i, f in before.items()}
            ranks, before_ranks = selectors._ranks(scores), selectors._ranks(before_scores)
            ordered = sorted(units, key=lambda u: (ranks.get(u.unit_id) is None, ranks.get(u.unit_id) or 0, u.code))
            return [
                (
                    u.unit_id,
                    _figure_counts(now[u.unit_id]) if u.unit_id in now else zero,
                    ranks.get(u.unit_id),
                    before_ranks.get(u.unit_id),
                )
                for u in ordered
            ]

        cases.append(
            Case(
                f"ranking {unit_kind} month",
                lambda unit_kind=unit_kind: selectors.ranking(user, unit_kind, month),
                lambda found: [(r.area.unit_id, _figure_counts(r.figures), r.rank, r.previous_rank) for r in found],
                ranking_duck,
            )
        )
    for unit_kind in ("street", "department"):
        column = "department" if unit_kind == "department" else f"{unit_kind}_id"

        def overdue_by_unit(duck: Duck, column: str = column) -> dict[int, int]:
            rows = duck.rows(
                f"SELECT {column}, sum(overdue) FROM ({duck.facts(month.start, month.end, None)}) "
                f"WHERE {column} <> 0 GROUP BY 1"
            )
            return {int(unit): int(n) for unit, n in rows}

        def notice_duck(
            duck: Duck, unit_kind: str = unit_kind, overdue: Callable[[Duck], dict[int, int]] = overdue_by_unit
        ) -> Any:
            from gridwork.analytics.models import AnalyticsSettings

            threshold = AnalyticsSettings.current().notice_overdue
            units = {u.unit_id: u for u in selectors.ranking_units(user, unit_kind)}
            listed = {u: n for u, n in overdue(duck).items() if u in units and n >= threshold}
            return sorted(listed.items(), key=lambda item: (-item[1], units[item[0]].code))

        cases.append(
            Case(
                f"notice_list {unit_kind} month",
                lambda unit_kind=unit_kind: selectors.notice_list(user, unit_kind, month),
                lambda found: [(r.area.unit_id, r.overdue) for r in found],
                notice_duck,
            )
        )
        # The evidence of the unit with the most overdue deadlines of the month (opened from its notice row).
        worst = (
            MonthlyRollup.objects.filter(unit_kind=unit_kind, detail=False, month=month.start)
            .order_by("-overdue", "unit_id")
            .values_list("unit_id", flat=True)
            .first()
        )
        assert worst is not None

        def evidence_duck(duck: Duck, unit_kind: str = unit_kind, unit: int = worst) -> Any:
            """The month's red alerts of the unit's matters, counted per matter: a street's by the matter's street, a
            department's (its own stages only) by the department leading the matter when the deadline passed — the
            lead department of its last dispatch before the alert (ASOF), as the rollup counts it."""
            alerts, events = _files(duck.data, "alerts"), _files(duck.data, "events")
            t0, t1 = _ts(month.start), _ts(month.end + timedelta(days=1))
            if unit_kind == "department":
                unit_of = "d.department"
                lead = f"""ASOF LEFT JOIN (
                    SELECT e.matter_id, e."at" * 65536 + e.sequence AS dispatch_key,
                        json_extract_string(e.data, '$.lead_department_id')::BIGINT AS department
                    FROM read_parquet({events}) e SEMI JOIN month_alerts ON month_alerts.matter_id = e.matter_id
                    WHERE e.action = 'dispatch'
                ) d ON d.matter_id = a.matter_id AND a.raised_at * 65536 > d.dispatch_key"""
                stages = "AND a.stage IN ('accept', 'reply')"
            else:
                unit_of, lead, stages = f"m.{unit_kind}_id", "", ""
            rows = duck.rows(
                f"WITH month_alerts AS (SELECT * FROM read_parquet({alerts}) "
                f"WHERE subject = 'matter' AND level = 'red' AND raised_at >= {t0} AND raised_at < {t1}) "
                f"SELECT m.number, m.title, count(*) AS n "
                f"FROM month_alerts a JOIN read_parquet({_files(duck.data, 'matters')}) m ON m.id = a.matter_id "
                f"{lead} WHERE {unit_of} = {unit} {stages} "
                f"GROUP BY 1, 2 ORDER BY n DESC, m.number"
            )
            return [(number, title, int(n)) for number, title, n in rows]

        cases.append(
            Case(
                f"notice_evidence {unit_kind} month",
                lambda unit_kind=unit_kind, unit=worst: selectors.notice_evidence(unit_kind, [unit], month),
                lambda found, unit=worst: [(m.number, m.title, m.times) for m in found.get(unit, [])],
                evidence_duck,
            )
        )
    return cases


# --- areas and the viewer -------------------------------------------------------------------------------------------


def choose_areas() -> dict[str, Any]:
    """The city, and the district, street and grid that received the most matters in the year (the heaviest)."""
    from django.db.models import Sum

    from gridwork.analytics.areas import area_of_place
    from gridwork.analytics.models import DailyRollup
    from gridwork.places.models import Place

    areas = {"city": area_of_place(Place.objects.get(level="city"))}
    for level in ("district", "street", "grid"):
        busiest = (
            DailyRollup.objects.filter(unit_kind=level, detail=False)
            .values("unit_id")
            .annotate(n=Sum("received"))
            .order_by("-n", "unit_id")
            .first()
        )
        assert busiest is not None
        areas[level] = area_of_place(Place.objects.get(pk=busiest["unit_id"]))
    return areas


def city_viewer() -> Any:
    """A member of the city's staff (a post at the city, 市级): sees every street, community and department."""
    from gridwork.accounts.roles import Role
    from gridwork.places.models import Place

    city = Place.objects.get(level="city")
    return SimpleNamespace(
        is_authenticated=True, active_posts=[SimpleNamespace(role=Role.CITY_STAFF, place=city, department=None)]
    )


# --- timing -------------------------------------------------------------------------------------------------------


def _close_connection() -> None:
    from django.db import connection

    connection.close()


class SqlLog:
    """Each SQL statement a selector sends, with its time, for the plans of the slow ones."""

    def __init__(self) -> None:
        self.statements: list[tuple[float, str, Any]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((time.perf_counter() - started, sql, params))


def _explain(sql: str, params: Any) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return [str(row[-1]) for row in cursor.fetchall()]
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return [row[0] for row in cursor.fetchall()]


def _timed_fetch(sql: str, params: Any) -> float:
    """The statement's whole time: SQLite computes rows as they are fetched, so ``execute`` alone says little."""
    from django.db import connection

    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(sql, params)
        cursor.fetchall()
        return time.perf_counter() - started


def boolean_variant(sql: str, vendor: str) -> str | None:
    """The statement with the rollup's ``detail`` filter as a comparison (``detail = false``) instead of the bare
    column Django writes for a boolean (``NOT detail``), which SQLite cannot match to the unique index's column."""
    column = '"analytics_dailyrollup"."detail"'
    false, true = ("0", "1") if vendor == "sqlite" else ("false", "true")
    if f"NOT {column}" in sql:
        return sql.replace(f"NOT {column}", f"{column} = {false}")
    if f"AND {column} AND" in sql or f"AND {column})" in sql:
        return sql.replace(f"AND {column} AND", f"AND {column} = {true} AND").replace(
            f"AND {column})", f"AND {column} = {true})"
        )
    return None


def analyse(statements: list[tuple[float, str, Any]]) -> list[dict[str, Any]]:
    """The two slowest statements of a slow query: their time, plan, and the time and plan of the boolean variant."""
    from django.db import connection

    timed = [(_timed_fetch(sql, params), sql, params) for _seconds, sql, params in statements]
    found = []
    for seconds, sql, params in sorted(timed, key=lambda item: -item[0])[:2]:
        entry: dict[str, Any] = {
            "ms": round(seconds * 1000, 1),
            "sql": sql,
            "params": [str(p) for p in (params or [])][:12],
            "plan": _explain(sql, params),
        }
        variant = boolean_variant(sql, connection.vendor)
        if variant is not None:
            entry["variant_ms"] = round(_timed_fetch(variant, params) * 1000, 1)
            entry["variant_plan"] = _explain(variant, params)
        found.append(entry)
    return found


def time_selector(case: Case, runs: int) -> dict[str, Any]:
    from django.db import connection

    dropped = drop_caches()
    _close_connection()
    started = time.perf_counter()
    value = case.selector()
    cold = time.perf_counter() - started
    warm = []
    log = SqlLog()
    for index in range(runs):
        if index == runs - 1:
            with connection.execute_wrapper(log):
                started = time.perf_counter()
                case.selector()
                warm.append(time.perf_counter() - started)
        else:
            started = time.perf_counter()
            case.selector()
            warm.append(time.perf_counter() - started)
    found: dict[str, Any] = {
        "cold_ms": round(cold * 1000, 1),
        "best_ms": round(min(warm) * 1000, 1),
        "median_ms": round(statistics.median(warm) * 1000, 1),
        "cache_dropped": dropped,
        "statements": len(log.statements),
        "value": case.normalise(value),
    }
    if statistics.median(warm) * 1000 > LIMIT_MS:
        found["slowest_sql"] = analyse(log.statements)
    return found


def time_duck(case: Case, duck: Duck) -> dict[str, Any]:
    """The fold's time (once per unit and period, shared) plus this figure's aggregation over the fold."""
    duck.fold_seconds = 0.0
    before = duck.total_built
    started = time.perf_counter()
    value = case.duck(duck)
    elapsed = time.perf_counter() - started
    aggregate = elapsed - (duck.total_built - before)
    total = duck.fold_seconds + aggregate
    return {
        "cold_ms": round(total * 1000, 1),
        "best_ms": None,
        "median_ms": None,
        "fold_ms": round(duck.fold_seconds * 1000, 1),
        "aggregate_ms": round(aggregate * 1000, 1),
        "value": value,
    }


# The indexes the report proposes, tried in the bench database only (then dropped again). The four the first run
# proposed are the platform's own now (analytics migration 0002, supervision 0004); none is proposed at present.
PROPOSED_INDEXES: tuple[tuple[str, str], ...] = ()


def try_indexes(cases: list[Case], rows: list[dict[str, Any]], runs: int) -> dict[str, Any]:
    """Make the proposed indexes, time the queries over the limit again, and drop the indexes."""
    from django.db import connection

    slow = {row["query"] for row in rows if not row["under_300ms"]}
    made: dict[str, float] = {}
    with connection.cursor() as cursor:
        for name, sql in PROPOSED_INDEXES:
            started = time.perf_counter()
            cursor.execute(sql)
            made[name] = round(time.perf_counter() - started, 1)
        cursor.execute("ANALYZE" if connection.vendor == "postgresql" else "SELECT 1")
    print(f"\nWith the proposed indexes ({', '.join(made)}), the queries over {LIMIT_MS:.0f} ms again:", flush=True)
    found = []
    try:
        for case in cases:
            if case.name not in slow:
                continue
            measured = time_selector(case, runs)
            before = next(row for row in rows if row["query"] == case.name)
            found.append(
                {
                    "query": case.name,
                    "before_median_ms": before["median_ms"],
                    "after_median_ms": measured["median_ms"],
                    "after_cold_ms": measured["cold_ms"],
                    "after_slowest_sql": measured.get("slowest_sql", []),
                }
            )
            print(
                f"  {case.name:<44} median {before['median_ms']:>8.1f} → {measured['median_ms']:>8.1f} ms "
                f"(cold {measured['cold_ms']:.1f})",
                flush=True,
            )
    finally:
        with connection.cursor() as cursor:
            for name, _sql in PROPOSED_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
    return {"index_seconds": made, "queries": found}


def reference_key(case: Case) -> str:
    """The key of a case's DuckDB answer in ``duckdb.json``: its name and the source of its DuckDB function, so that
    a changed reference is computed again and an unchanged one (minutes for a year at 10 million) is reused."""
    digest = hashlib.sha256(inspect.getsource(case.duck).encode()).hexdigest()[:12]
    return f"{case.name} {digest}"


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def run(options: argparse.Namespace, data: Path, *, database: str) -> dict[str, Any]:
    from gridwork.matters.models import Category

    areas = choose_areas()
    user = city_viewer()
    cases = build_cases(areas, user)
    print(
        f"\n{len(cases)} dashboard queries; areas: "
        + ", ".join(f"{name} {area.name} (#{area.unit_id})" for name, area in areas.items()),
        flush=True,
    )
    cached_path = data / "duckdb.json"
    cached: dict[str, Any] = {}
    if cached_path.exists():
        cached = json.loads(cached_path.read_text(encoding="utf-8"))
    duck: Duck | None = None
    rows: list[dict[str, Any]] = []
    ok = True
    for case in cases:
        measured = time_selector(case, options.runs)
        key = reference_key(case)
        if key not in cached:
            if duck is None:
                codes = dict(Category.objects.values_list("pk", "code"))
                by_code = {code: pk for pk, code in codes.items()}
                roots = {pk: by_code[code.split(".")[0]] for pk, code in codes.items()}
                duck = Duck(data, roots)
            cached[key] = _jsonable(time_duck(case, duck))
            cached_path.write_text(json.dumps(cached, ensure_ascii=False) + "\n", encoding="utf-8")
        reference = cached[key]
        same = _jsonable(measured["value"]) == reference["value"]
        ok = ok and same
        duck_ms = reference["median_ms"] if reference["median_ms"] is not None else reference["cold_ms"]
        ratio = duck_ms / measured["median_ms"] if measured["median_ms"] else None
        row = {
            "query": case.name,
            **{k: v for k, v in measured.items() if k != "value"},
            "duckdb_ms": duck_ms,
            "duckdb_fold_ms": reference.get("fold_ms"),
            "duckdb_aggregate_ms": reference.get("aggregate_ms"),
            "duckdb_over_rollup": round(ratio, 1) if ratio else None,
            "same_figure": same,
            "under_300ms": measured["median_ms"] <= LIMIT_MS,
        }
        row["load_average_1min"] = round(os.getloadavg()[0], 2)
        rows.append(row)
        print(
            f"  {case.name:<44} cold {measured['cold_ms']:>8.1f}  best {measured['best_ms']:>8.1f}  "
            f"median {measured['median_ms']:>8.1f} ms | DuckDB {duck_ms:>9.1f} ms  "
            f"×{row['duckdb_over_rollup'] or 0:>7.1f}  {'same' if same else 'DIFFERENT'}",
            flush=True,
        )
        if not same:
            print(f"    selector: {str(_jsonable(measured['value']))[:400]}")
            print(f"    DuckDB:   {str(reference['value'])[:400]}")
    tried = (
        try_indexes(cases, rows, options.runs)
        if options.try_indexes and PROPOSED_INDEXES and any(not row["under_300ms"] for row in rows)
        else None
    )
    return {
        "ok": ok,
        "proposed_indexes": tried,
        "areas": {name: {"name": a.name, "unit_id": a.unit_id, "code": a.code} for name, a in areas.items()},
        "month": str(MONTH)[:7],
        "year": YEAR.year,
        "runs": options.runs,
        "rows": rows,
        "over_300ms": [r["query"] for r in rows if not r["under_300ms"]],
    }
