"""Recount the rollup from the record: every matter's events folded in order, with the deadline alerts between them.

The rebuild replaces the table in one transaction. On PostgreSQL it first locks the table against writers, so an
event that commits while it runs waits, then adds its counts to the rebuilt rows: nothing is counted twice or lost.
(SQLite has one writer at a time anyway.)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from gridwork.analytics.models import DailyRollup, MonthlyRollup
from gridwork.analytics.rollup import (
    UNIT_STAGES,
    RowKey,
    Step,
    Where,
    accumulate,
    add_counts,
    overdue_counts,
    step_counts,
)
from gridwork.matters.models import Matter, MatterEvent
from gridwork.matters.workflow import Action, DueStage, Snapshot, apply
from gridwork.supervision.models import AlertLevel, DeadlineAlert

CHUNK = 2_000


@dataclass(frozen=True)
class RebuildReport:
    matters: int
    events: int
    rows: int


@dataclass(frozen=True)
class _Alert:
    at: datetime
    stage: str
    due_at: datetime


def _alerts_of(matter_ids: list[int]) -> dict[int, list[_Alert]]:
    found: dict[int, list[_Alert]] = defaultdict(list)
    rows = DeadlineAlert.objects.filter(matter_id__in=matter_ids, subject="matter", level=AlertLevel.RED).order_by(
        "raised_at", "pk"
    )
    for matter_id, raised_at, stage, due_at in rows.values_list("matter_id", "raised_at", "stage", "due_at"):
        found[matter_id].append(_Alert(at=raised_at, stage=stage, due_at=due_at))
    return found


def _events_of(matter_ids: list[int]) -> dict[int, list[tuple[str, datetime, dict[str, Any]]]]:
    found: dict[int, list[tuple[str, datetime, dict[str, Any]]]] = defaultdict(list)
    rows = MatterEvent.objects.filter(matter_id__in=matter_ids).order_by("matter_id", "sequence")
    for matter_id, action, at, data in rows.values_list("matter_id", "action", "at", "data"):
        found[matter_id].append((action, at, data or {}))
    return found


def fold_matter(
    rows: dict[RowKey, dict[str, int]],
    where: Where,
    events: list[tuple[str, datetime, dict[str, Any]]],
    alerts: list[_Alert],
) -> None:
    """Add one matter's counts to ``rows``: its events in order, each red alert where it fell between them (an alert
    at the very moment of a step goes first: a late step raises its own alert as it is taken)."""
    snapshot = Snapshot()
    pending = list(alerts)
    raised: list[_Alert] = []

    def raise_until(moment: datetime | None) -> None:
        while pending and (moment is None or pending[0].at <= moment):
            alert = pending.pop(0)
            raised.append(alert)
            accumulate(
                rows,
                where,
                overdue_counts(alert.stage),
                at=alert.at,
                department_id=snapshot.lead_department_id if alert.stage in UNIT_STAGES else None,
                category_id=snapshot.category_id,
                kind=snapshot.kind,
            )

    for action, at, data in events:
        raise_until(at)
        before = snapshot
        snapshot = apply(before, action, data)
        late = (
            action in {Action.ACCEPT, Action.RETURN}
            and before.due_stage == DueStage.ACCEPT
            and any(a.stage == DueStage.ACCEPT and a.due_at == before.due_at for a in raised)
        )
        step = Step(
            action=action,
            at=at,
            before=before,
            after=snapshot,
            data=data,
            late_answered=late,
            overdue_before=sum(1 for a in raised if a.stage in UNIT_STAGES),
        )
        accumulate(
            rows,
            where,
            step_counts(step, where),
            at=at,
            department_id=None if action == Action.FILE else snapshot.lead_department_id,
            category_id=snapshot.category_id,
            kind=snapshot.kind,
        )
    raise_until(None)


def rebuild_rollup() -> RebuildReport:
    """Recount every row of ``DailyRollup`` and ``MonthlyRollup`` from the matters' events and deadline alerts;
    replace the tables."""
    matters = events = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                tables = f"{DailyRollup._meta.db_table}, {MonthlyRollup._meta.db_table}"
                cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
        DailyRollup.objects.all().delete()
        MonthlyRollup.objects.all().delete()
        last_id = 0
        while True:
            chunk = list(
                Matter.objects.filter(pk__gt=last_id)
                .order_by("pk")
                .values("pk", "grid_id", "community_id", "street_id", "district_id", "channel", "created_at")[:CHUNK]
            )
            if not chunk:
                break
            last_id = chunk[-1]["pk"]
            ids = [row["pk"] for row in chunk]
            matter_events = _events_of(ids)
            matter_alerts = _alerts_of(ids)
            rows: dict[RowKey, dict[str, int]] = {}
            for row in chunk:
                where = Where(
                    grid_id=row["grid_id"],
                    community_id=row["community_id"],
                    street_id=row["street_id"],
                    district_id=row["district_id"],
                    channel=row["channel"],
                    created_at=row["created_at"],
                )
                these = matter_events.get(row["pk"], [])
                events += len(these)
                fold_matter(rows, where, these, matter_alerts.get(row["pk"], []))
            matters += len(chunk)
            add_counts(rows)
        total_rows = DailyRollup.objects.count()
    return RebuildReport(matters=matters, events=events, rows=total_rows)
