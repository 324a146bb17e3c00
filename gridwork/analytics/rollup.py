"""The rollup of the closed loop (``DailyRollup``): what each event adds, and the one statement that adds it.

Every count is taken on the day (China time) of the event that makes it, for the units that event concerns: the
grid, community, street and district the matter lies in, the city, and the lead department at that moment. The
outcome of a matter — resolved or not, on time or not, its rating, its handling time — is counted once, when it is
closed, for the unit that led it at closing; so a rate's numerator is always part of its denominator.

``step_counts`` is a pure function of the event and the matter as it was; the service calls it in the move's
transaction (``matter_filed``, ``matter_moved``, ``matter_overdue``) and the rebuild (``analytics.rebuild``) calls
it while folding each matter's events, so that the two cannot count differently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from gridwork.analytics.models import COUNTERS, DailyRollup, MonthlyRollup, UnitKind
from gridwork.matters.models import Category
from gridwork.matters.workflow import Action, ClosureReason, DueStage, MatterState, Satisfaction, Snapshot
from gridwork.supervision.models import AlertLevel, DeadlineAlert, alert_units

CLOSING = frozenset({Action.VERIFY_CLOSE, Action.CLOSE_BY_AGREEMENT})
# A deadline of these stages is the lead unit's; a late call-back (回访) is the dispatch centre's own.
UNIT_STAGES = frozenset({DueStage.ACCEPT, DueStage.REPLY})


@dataclass(frozen=True)
class Where:
    """The fixed facts of a matter that say which rows its counts go to."""

    grid_id: int
    community_id: int
    street_id: int
    district_id: int
    channel: str
    created_at: datetime

    @classmethod
    def of(cls, matter: Any) -> Where:
        return cls(
            grid_id=matter.grid_id,
            community_id=matter.community_id,
            street_id=matter.street_id,
            district_id=matter.district_id,
            channel=matter.channel,
            created_at=matter.created_at,
        )


@dataclass(frozen=True)
class Step:
    """One event of a matter as the rollup sees it.

    ``late_answered`` says the unit answers a dispatch whose deadline was already marked overdue (that lateness was
    counted then); ``overdue_before`` is how many of the lead units' deadlines (accept, reply) the matter had missed
    by this event — a late call-back is the dispatch centre's, and does not make the unit's closure late.
    """

    action: str
    at: datetime
    before: Snapshot
    after: Snapshot
    data: Mapping[str, Any]
    late_answered: bool = False
    overdue_before: int = 0


def _answer_counts(step: Step) -> dict[str, int]:
    """响应: the unit's answer to a dispatch — accepting it, or returning it — on time or not."""
    if step.late_answered:
        return {}
    deadline = step.before.due_at if step.before.due_stage == DueStage.ACCEPT else None
    return {"responded": 1, "responded_on_time": int(deadline is None or step.at <= deadline)}


def step_counts(step: Step, where: Where) -> dict[str, int]:
    """What ``step`` adds to its day's rows (zero counts left out)."""
    counts: dict[str, int] = {}
    after = step.after
    match step.action:
        case Action.FILE:
            counts = {"received": 1}
        case Action.DISPATCH | Action.OVERRULE:  # an overruled return sends the matter to its unit again
            counts = {"dispatched": 1}
        case Action.ACCEPT:
            counts = _answer_counts(step)
        case Action.RETURN:
            counts = {"returned": 1}
            if step.before.state == MatterState.DISPATCHED:
                counts.update(_answer_counts(step))
        case Action.DECIDE_EXTENSION:
            counts = {"extended": int(bool(step.data.get("approved")))}
        case Action.REPLY:
            counts = {"replied": 1}
        case Action.DISCARD:
            counts = {"discarded": 1}
        case action if action in CLOSING:
            rated_well = after.satisfaction in {Satisfaction.SATISFIED, Satisfaction.BASICALLY}
            counts = {
                "closed": 1,
                "resolved": int(
                    after.closure_reason in {ClosureReason.RESOLVED, ClosureReason.AGREED}
                    and (after.reopen_count == 0 or rated_well)
                ),
                "closed_on_time": int(step.overdue_before == 0),
                "reopened": int(after.reopen_count > 0),
                "rated": int(bool(after.satisfaction)),
                "satisfied": int(after.satisfaction == Satisfaction.SATISFIED),
                "basically": int(after.satisfaction == Satisfaction.BASICALLY),
                "unsatisfied": int(after.satisfaction == Satisfaction.UNSATISFIED),
                "handling_seconds": max(0, int((step.at - where.created_at).total_seconds())),
            }
    return {name: value for name, value in counts.items() if value}


def overdue_counts(stage: str) -> dict[str, int]:
    """A deadline passed (the sweep's red alert): one more overdue; past the accept deadline it is the (late) answer."""
    counts = {"overdue": 1}
    if stage == DueStage.ACCEPT:
        counts.update(responded=1)
    return counts


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


@lru_cache(maxsize=4096)
def category_root(category_id: int | None) -> int:
    """The first-level category (the rollup's grain) of a category; 0 for none. Cleared when a category is saved."""
    if not category_id:
        return 0

    code = Category.objects.filter(pk=category_id).values_list("code", flat=True).first()
    if code is None:
        return 0
    root = Category.objects.filter(code=code.split(".")[0]).values_list("pk", flat=True).first()
    return int(root or category_id)


RowKey = tuple[date, str, int, bool, int, str, str]


def row_keys(where: Where, *, day: date, department_id: int | None, category_id: int | None, kind: str) -> list[RowKey]:
    """The rows one event's counts go to: a detail row and a total row for each unit it concerns."""
    units: list[tuple[str, int]] = [
        (UnitKind.CITY, 0),
        (UnitKind.DISTRICT, where.district_id),
        (UnitKind.STREET, where.street_id),
        (UnitKind.COMMUNITY, where.community_id),
        (UnitKind.GRID, where.grid_id),
    ]
    if department_id:
        units.append((UnitKind.DEPARTMENT, department_id))
    root = category_root(category_id)
    keys: list[RowKey] = []
    for unit_kind, unit_id in units:
        keys.append((day, str(unit_kind), unit_id, True, root, kind, where.channel))
        keys.append((day, str(unit_kind), unit_id, False, 0, "", ""))
    return keys


def by_month(rows: Mapping[RowKey, Mapping[str, int]]) -> dict[RowKey, dict[str, int]]:
    """The same rows summed by month: each key's day becomes the first of its month."""
    months: dict[RowKey, dict[str, int]] = {}
    for (day, *rest), counts in rows.items():
        row = months.setdefault((day.replace(day=1), *rest), {})  # type: ignore[arg-type]
        for name, value in counts.items():
            row[name] = row.get(name, 0) + value
    return months


def add_counts(rows: Mapping[RowKey, Mapping[str, int]]) -> None:
    """Add each row's counts to the daily table and, summed by month, to the monthly one (``MonthlyRollup``): one
    statement per table and set of counters, an upsert that sums.

    Rows go in key order, so that two transactions touching the same rows take their locks in the same order.
    """
    _add(DailyRollup, rows)
    _add(MonthlyRollup, by_month(rows))


def _add(model: type[DailyRollup] | type[MonthlyRollup], rows: Mapping[RowKey, Mapping[str, int]]) -> None:
    by_columns: dict[tuple[str, ...], list[tuple[RowKey, Mapping[str, int]]]] = {}
    for key in sorted(rows):
        counts = {name: value for name, value in rows[key].items() if value}
        if counts:
            by_columns.setdefault(tuple(name for name in COUNTERS if name in counts), []).append((key, counts))
    for columns, items in by_columns.items():
        _upsert(model, columns, items)


_BATCH = 500


def _upsert(
    model: type[DailyRollup] | type[MonthlyRollup],
    columns: tuple[str, ...],
    items: list[tuple[RowKey, Mapping[str, int]]],
) -> None:
    table = model._meta.db_table
    date_column = "day" if model is DailyRollup else "month"
    keys = (date_column, "unit_kind", "unit_id", "detail", "category_id", "kind", "channel")
    quote = connection.ops.quote_name
    names = ", ".join(quote(name) for name in (*keys, *columns))
    conflict = ", ".join(
        quote(name) for name in ("unit_kind", "unit_id", "detail", date_column, "category_id", "kind", "channel")
    )
    updates = ", ".join(f"{quote(c)} = {quote(table)}.{quote(c)} + excluded.{quote(c)}" for c in columns)
    placeholders = "(" + ", ".join(["%s"] * (len(keys) + len(columns))) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(items), _BATCH):
            batch = items[start : start + _BATCH]
            params: list[Any] = []
            for key, counts in batch:
                day, unit_kind, unit_id, detail, category_id, kind, channel = key
                params.extend((connection.ops.adapt_datefield_value(day), unit_kind, unit_id, detail))
                params.extend((category_id, kind, channel))
                params.extend(counts.get(name, 0) for name in columns)
            cursor.execute(
                f"INSERT INTO {quote(table)} ({names}) VALUES {', '.join([placeholders] * len(batch))} "  # noqa: S608 — quoted names, values bound  # nosec B608
                f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}",
                params,
            )


def record(
    where: Where,
    counts: Mapping[str, int],
    *,
    at: datetime,
    department_id: int | None,
    category_id: int | None,
    kind: str,
) -> None:
    """Add one event's counts (in the caller's transaction)."""
    rows: dict[RowKey, dict[str, int]] = {}
    accumulate(rows, where, counts, at=at, department_id=department_id, category_id=category_id, kind=kind)
    add_counts(rows)


def accumulate(
    rows: dict[RowKey, dict[str, int]],
    where: Where,
    counts: Mapping[str, int],
    *,
    at: datetime,
    department_id: int | None,
    category_id: int | None,
    kind: str,
) -> None:
    """Add one event's counts to ``rows`` in memory (the rebuild's way of calling ``record``)."""
    if not counts:
        return
    for key in row_keys(where, day=local_day(at), department_id=department_id, category_id=category_id, kind=kind):
        row = rows.setdefault(key, {})
        for name, value in counts.items():
            row[name] = row.get(name, 0) + value


# --- the hooks the closed loop calls, inside the event's transaction --------------------------------------------


def matter_filed(matter: Any, *, snapshot: Snapshot, at: datetime) -> None:
    step = Step(action=Action.FILE, at=at, before=Snapshot(), after=snapshot, data={})
    record(
        Where.of(matter),
        step_counts(step, Where.of(matter)),
        at=at,
        department_id=None,
        category_id=snapshot.category_id,
        kind=snapshot.kind,
    )


def matter_moved(
    matter: Any, *, action: str, before: Snapshot, after: Snapshot, data: Mapping[str, Any], at: datetime
) -> None:
    """``matter`` is the row as it was before the move (its place, channel and lead unit)."""

    red = DeadlineAlert.objects.filter(matter_id=matter.pk, subject="matter", level=AlertLevel.RED)
    late = False
    if action in {Action.ACCEPT, Action.RETURN} and before.due_stage == DueStage.ACCEPT and before.due_at is not None:
        late = red.filter(stage=DueStage.ACCEPT, due_at=before.due_at).exists()
    step = Step(
        action=action,
        at=at,
        before=before,
        after=after,
        data=data,
        late_answered=late,
        overdue_before=red.filter(stage__in=UNIT_STAGES).count() if action in CLOSING else 0,
    )
    where = Where.of(matter)
    record(
        where,
        step_counts(step, where),
        at=at,
        department_id=after.lead_department_id,
        category_id=after.category_id,
        kind=after.kind,
    )


def deadline_passed(matter: Any, *, before: Snapshot, after: Snapshot, at: datetime) -> bool:
    """A step that ends the matter's deadline after it passed is late: if the sweep has not yet marked it (it runs
    every few minutes), the step does, as the sweep would — the red alert, the matter's overdue count and the
    rollup — so that every passed deadline is counted once, whoever noticed it. True if it marked it now.

    ``matter`` is the row as it was before the move (the unit that was late leads it)."""

    due_at, stage = before.due_at, before.due_stage
    if due_at is None or not stage or at <= due_at or (after.due_at, after.due_stage) == (due_at, stage):
        return False
    try:
        with transaction.atomic():
            DeadlineAlert.objects.create(
                matter_id=matter.pk,
                subject="matter",
                stage=stage,
                due_at=due_at,
                level=AlertLevel.RED,
                raised_at=at,
                **alert_units(matter),
            )
    except IntegrityError:  # the sweep marked it first
        return False
    type(matter).objects.filter(pk=matter.pk).update(overdue_count=F("overdue_count") + 1)
    matter_overdue(matter, stage=stage, at=at)
    return True


def matter_overdue(matter: Any, *, stage: str, at: datetime) -> None:
    """The sweep marked ``matter`` overdue at ``stage`` (``matter`` as the sweep read it, with its lead unit)."""
    record(
        Where.of(matter),
        overdue_counts(stage),
        at=at,
        department_id=matter.lead_department_id if stage in UNIT_STAGES else None,
        category_id=matter.category_id,
        kind=matter.kind,
    )


def total(rows: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """The sum of each counter over ``rows``."""
    summed = dict.fromkeys(COUNTERS, 0)
    for row in rows:
        for name in COUNTERS:
            summed[name] += int(row.get(name) or 0)
    return summed
