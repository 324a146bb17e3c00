"""Time limits to deadlines: which limit applies to a matter, when it ends in working time, when to warn.

The closed loop asks ``plan_move`` before applying a move; the deadlines it returns are stored in the move's
event and on the matter (``workflow._with_supervision``), so lists never compute calendars.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q

from gridwork.matters.models import Category, Matter
from gridwork.matters.workflow import Action, DueStage, MatterKind, MatterState, Snapshot
from gridwork.supervision.calendar import WorkCalendar
from gridwork.supervision.models import LimitStage, LimitUnit, TimeLimit


class MissingTimeLimit(Exception):
    """No time limit row applies: the seeded defaults were deleted. A configuration error, not a user's."""


@dataclass(frozen=True)
class Limit:
    amount: int
    unit: str


def _category_chain(category_id: int | None) -> list[int]:
    """The category and its ancestors, deepest first (the category's code nests: C05.03.002 ⊂ C05.03 ⊂ C05)."""
    if category_id is None:
        return []
    code = Category.objects.filter(pk=category_id).values_list("code", flat=True).first()
    if code is None:
        return []
    parts = code.split(".")
    codes = [".".join(parts[:n]) for n in range(len(parts), 0, -1)]
    ids = dict(Category.objects.filter(code__in=codes).values_list("code", "pk"))
    return [ids[c] for c in codes if c in ids]


# The platform's limits when the administrator has not set a row for the same (stage, kind, urgency) with no
# category: (stage, kind, urgency) → (amount, unit). The first migration copies them into the editable table.
DEFAULT_LIMITS: dict[tuple[str, str, str], tuple[int, str]] = {
    (LimitStage.ACCEPT, "", ""): (2, LimitUnit.WORKING_HOURS),
    (LimitStage.ACCEPT, "", "urgent"): (1, LimitUnit.HOURS),
    (LimitStage.REPLY, "", ""): (7, LimitUnit.WORKING_DAYS),
    (LimitStage.REPLY, "", "urgent"): (24, LimitUnit.HOURS),
    (LimitStage.REPLY, MatterKind.HARD, ""): (15, LimitUnit.WORKING_DAYS),
    (LimitStage.REPLY, MatterKind.PERSONAL, ""): (3, LimitUnit.WORKING_DAYS),
    (LimitStage.CALLBACK, "", ""): (3, LimitUnit.WORKING_DAYS),
    (LimitStage.REPORT, "", ""): (4, LimitUnit.WORKING_HOURS),
    (LimitStage.REPORT, "", "urgent"): (1, LimitUnit.HOURS),
    (LimitStage.LEVEL, "", ""): (10, LimitUnit.WORKING_DAYS),
}


def limit_for(stage: str, *, category_id: int | None, kind: str, urgency: str) -> Limit:
    """The most specific limit: a matching urgency first, then the deepest matching category, then a kind.

    Rows of the table come first; a built-in default fills a combination the table does not have.
    """
    chain = _category_chain(category_id)
    rows = TimeLimit.objects.filter(stage=stage, kind__in=["", kind], urgency__in=["", urgency]).filter(
        Q(category_id__in=chain) | Q(category__isnull=True)
    )
    candidates = [(row.category_id, row.kind, row.urgency, Limit(row.amount, row.unit)) for row in rows]
    present = {(c, k, u) for c, k, u, _limit in candidates}
    for (default_stage, k, u), (amount, unit) in DEFAULT_LIMITS.items():
        if default_stage == stage and k in ("", kind) and u in ("", urgency) and (None, k, u) not in present:
            candidates.append((None, k, u, Limit(amount, unit)))

    def specificity(candidate: tuple[int | None, str, str, Limit]) -> tuple[int, int, int]:
        row_category, row_kind, row_urgency, _limit = candidate
        depth = len(chain) - chain.index(row_category) if row_category in chain else 0
        return (1 if row_urgency else 0, depth, 1 if row_kind else 0)

    best = max(candidates, key=specificity, default=None)
    if best is None:
        raise MissingTimeLimit(f"No time limit for stage {stage!r}.")
    return best[3]


def due_after(start: datetime, limit: Limit, calendar: WorkCalendar) -> datetime:
    if limit.unit == LimitUnit.WORKING_HOURS:
        return calendar.add_working_hours(start, timedelta(hours=limit.amount))
    if limit.unit == LimitUnit.WORKING_DAYS:
        return calendar.add_working_days(start, limit.amount)
    return start + timedelta(hours=limit.amount)


def warn_moment(start: datetime, due: datetime, *, calendar_time: bool, calendar: WorkCalendar) -> datetime:
    """When the share ``SUPERVISION_WARN_FRACTION`` of the time (working time, unless calendar) is left."""
    fraction = float(settings.SUPERVISION_WARN_FRACTION)
    if due <= start:
        return due
    if calendar_time:
        return due - (due - start) * fraction
    total = calendar.working_time_between(start, due)
    if total <= timedelta(0):
        return due
    return calendar.add_working_hours(start, total * (1 - fraction))


def deadline(
    stage: str, start: datetime, limit: Limit, calendar: WorkCalendar, *, due: datetime | None = None
) -> dict[str, str]:
    """The deadline a move stores: its stage, the moment it ends, the moment the yellow warning starts."""
    end = due or due_after(start, limit, calendar)
    warn = warn_moment(start, end, calendar_time=limit.unit == LimitUnit.HOURS, calendar=calendar)
    return {"stage": stage, "due_at": end.isoformat(), "warn_at": warn.isoformat()}


def plan_move(
    *,
    before: Snapshot,
    after: Snapshot,
    action: str,
    data: dict[str, Any],
    when: datetime,
    calendar: WorkCalendar | None = None,
) -> dict[str, Any]:
    """The deadline keys the move's data gets ("deadline", "level_due"); empty when the move sets none.

    - dispatch and overrule start the unit's accept limit; accepting starts the reply limit; a reopen (返工)
      starts the reply limit again; a reply starts the call-back limit;
    - an approved extension moves the reply deadline by that many working days;
    - a supervision order sets the deadline it names;
    - a hard matter's level starts the level's limit (level 3 has none: the city leader leads it to the end).
    """
    calendar = calendar or WorkCalendar.load()

    def limit(stage: str) -> Limit:
        return limit_for(stage, category_id=after.category_id, kind=after.kind, urgency=after.urgency)

    planned: dict[str, Any] = {}
    stages: dict[str, str] = {
        Action.DISPATCH: DueStage.ACCEPT,
        Action.OVERRULE: DueStage.ACCEPT,
        Action.ACCEPT: DueStage.REPLY,
        Action.REPLY: DueStage.CALLBACK,
    }
    stage = stages.get(action)
    if action == Action.RATE and after.state == MatterState.IN_PROGRESS:
        stage = DueStage.REPLY
    if stage is not None:
        planned["deadline"] = deadline(stage, when, limit(stage), calendar)
    elif action == Action.DECIDE_EXTENSION and data.get("approved") and before.due_at is not None:
        moved = calendar.add_working_days(before.due_at, int(data["days"]))
        planned["deadline"] = deadline(
            before.due_stage or DueStage.REPLY,
            when,
            Limit(int(data["days"]), LimitUnit.WORKING_DAYS),
            calendar,
            due=moved,
        )
    elif action == Action.SUPERVISE:
        ordered = datetime.fromisoformat(data["due_at"])
        planned["deadline"] = deadline(
            before.due_stage or DueStage.REPLY, when, Limit(1, LimitUnit.HOURS), calendar, due=ordered
        )
    level_changes = action in {Action.ESCALATE, Action.DEESCALATE} or (
        action == Action.DISPATCH and after.kind == MatterKind.HARD and before.hard_level == 0
    )
    if level_changes:
        level = after.hard_level
        planned["level_due"] = due_after(when, limit(LimitStage.LEVEL), calendar).isoformat() if 0 < level < 3 else None
    return planned


def report_due(*, matter: Matter, when: datetime) -> datetime:
    """When a unit called by a whistle must report (报到)."""
    limit = limit_for(LimitStage.REPORT, category_id=matter.category_id, kind=matter.kind, urgency=matter.urgency)
    return due_after(when, limit, WorkCalendar.load())
