"""The monthly rows are the daily rows summed by month — kept so, rebuilt so — and a month's figures read from them
equal the sum of its days read from the daily rows."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from gridwork.analytics.areas import area_of_place
from gridwork.analytics.models import COUNTERS, DailyRollup, MonthlyRollup
from gridwork.analytics.periods import Period, PeriodKind
from gridwork.analytics.rebuild import rebuild_rollup
from gridwork.analytics.selectors import (
    area_figures,
    children_figures,
    received_mix,
    trend,
    whole_months,
)
from gridwork.analytics.tests.factories import Town
from gridwork.analytics.tests.test_rebuild import varied

Key = tuple[Any, ...]


def _monthly() -> dict[Key, tuple[int, ...]]:
    return {
        (r.month, r.unit_kind, r.unit_id, r.detail, r.category_id, r.kind, r.channel): tuple(
            getattr(r, name) for name in COUNTERS
        )
        for r in MonthlyRollup.objects.all()
    }


def _daily_by_month() -> dict[Key, tuple[int, ...]]:
    summed: dict[Key, list[int]] = defaultdict(lambda: [0] * len(COUNTERS))
    for r in DailyRollup.objects.all():
        key = (r.day.replace(day=1), r.unit_kind, r.unit_id, r.detail, r.category_id, r.kind, r.channel)
        for index, name in enumerate(COUNTERS):
            summed[key][index] += getattr(r, name)
    return {key: tuple(values) for key, values in summed.items()}


def test_the_monthly_rows_are_the_days_summed_kept_and_rebuilt(town: Town) -> None:
    varied(town)
    assert MonthlyRollup.objects.exists()
    assert _monthly() == _daily_by_month()
    kept = _monthly()
    MonthlyRollup.objects.all().delete()
    rebuild_rollup()
    assert _monthly() == kept


def test_a_months_figures_are_the_sum_of_its_days(town: Town) -> None:
    varied(town)
    community = area_of_place(town.tree.community)
    months = sorted({row.day.replace(day=1) for row in DailyRollup.objects.all()})
    assert months
    for first in months:
        month = Period.containing(PeriodKind.MONTH, first)
        assert whole_months(month)
        summed = dict.fromkeys(COUNTERS, 0)
        day = month.start
        while day <= month.end:
            one = Period.containing(PeriodKind.DAY, day)
            assert not whole_months(one)
            for name in COUNTERS:
                summed[name] += area_figures(community, one).count(name)
            day += timedelta(days=1)
        assert {name: area_figures(community, month).count(name) for name in COUNTERS} == summed
        # the month's trend (read by day) adds up to the month (read by month)
        by_day = trend(community, month)
        assert sum(figures.count("received") for _bucket, figures in by_day) == summed["received"]


def test_a_year_reads_the_months_and_a_quarter_trend_reads_the_weeks(town: Town) -> None:
    varied(town)
    street = area_of_place(town.tree.street)
    year = Period.containing(PeriodKind.YEAR, date(2026, 6, 1))
    quarter = Period.containing(PeriodKind.QUARTER, date(2026, 11, 1))
    total = sum(
        r.received for r in DailyRollup.objects.filter(unit_kind="street", unit_id=street.unit_id, detail=False)
    )
    assert area_figures(street, year).count("received") == total
    assert sum(n for _key, _label, n in received_mix(street, year, "kind")) == total
    weeks = trend(street, quarter)
    assert [bucket.kind for bucket, _figures in weeks] == [PeriodKind.WEEK] * len(weeks)
    assert sum(figures.count("received") for _bucket, figures in weeks) == area_figures(street, quarter).count(
        "received"
    )
    children = children_figures(area_of_place(town.tree.district), year)
    assert sum(figures.count("received") for _child, figures in children) == sum(
        r.received
        for r in DailyRollup.objects.filter(unit_kind="district", unit_id=town.tree.district.pk, detail=False)
    )


@pytest.mark.django_db(transaction=True)
def test_the_migration_sums_a_rollup_kept_before_the_monthly_table_existed() -> None:
    """Upgrading a database whose daily rows predate ``MonthlyRollup``: the migration fills the months from them."""
    executor = MigrationExecutor(connection)
    before = [("analytics", "0002_rollup_partial_indexes")]
    after = [("analytics", "0003_monthly_rollup")]
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps.get_model("analytics", "DailyRollup")
        keys = {"unit_kind": "street", "unit_id": 7, "detail": False, "category_id": 0, "kind": "", "channel": ""}
        old.objects.create(day=date(2026, 10, 31), received=2, overdue=1, handling_seconds=10**10, **keys)
        old.objects.create(day=date(2026, 11, 1), received=3, **keys)
        old.objects.create(day=date(2026, 11, 30), received=4, closed=1, **keys)
        detail = {**keys, "detail": True, "category_id": 5, "kind": "professional", "channel": "hotline"}
        old.objects.create(day=date(2026, 11, 2), received=3, **detail)
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps.get_model("analytics", "MonthlyRollup")
        rows = {(r.month, r.detail): (r.received, r.overdue, r.closed, r.handling_seconds) for r in new.objects.all()}
        assert rows == {
            (date(2026, 10, 1), False): (2, 1, 0, 10**10),
            (date(2026, 11, 1), False): (7, 0, 1, 0),
            (date(2026, 11, 1), True): (3, 0, 0, 0),
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="INCLUDE columns are PostgreSQL's; SQLite has none")
@pytest.mark.parametrize(("index", "column"), [("rollup_month_level_cover", "month"), ("rollup_level_cover", "day")])
def test_on_postgresql_the_level_indexes_carry_every_counter_the_map_sums(db: None, index: str, column: str) -> None:
    # A level's totals (rankings, the children, the map of every grid) are then read from the index alone: without
    # a counter in it, PostgreSQL visits the table for each of a year's 90,000 grid-months (bench/analytics).
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [index])
        [(definition,)] = cursor.fetchall()
    parts = re.fullmatch(r".*\((.*)\) INCLUDE \((.*)\) WHERE \(?NOT detail\)?", definition)
    assert parts, definition
    keys, included = parts.groups()
    assert keys.split(", ") == ["unit_kind", column, "unit_id"]
    assert included.split(", ") == list(COUNTERS)
