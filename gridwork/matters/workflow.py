"""The closed loop of a matter (诉求闭环) as one table of allowed moves, and the pure function that applies a move.

The matter's stored workflow fields are always what folding its events through ``apply`` gives: the service
applies a move with ``apply`` and saves the result with a compare-and-set, and the replay test folds the
event log through the same function and compares. Nothing else changes these fields.

    file ─► SUBMITTED ─dispatch─► DISPATCHED ─accept─► IN_PROGRESS ─reply─► REPLIED ─rate─► TO_VERIFY ─verify─► CLOSED
                ▲  │                  │ ▲                 │  ▲  │                   │                ▲
                │  discard            return│overrule     │  └──┘ progress,        └─ rate "not     │
                │  ▼                  ▼ │                 │       extension,          satisfied"   │
              RETURNED ◄──────────────┘ │                 │       consultation        (once) ──► IN_PROGRESS
                └────────dispatch───────┘                 └─ close_by_agreement (个事) ──────────────┘

Supervision moves (督办, 催办, 吹哨报到, the three levels of a hard matter) change no state: they set the
deadline, open and answer orders, add units, and move a hard matter between levels and through the centre's
stages (接判办评用). Deadlines are computed by the service (``supervision.deadlines``) and carried in the
move's data, so that replaying the events gives the stored deadlines without reading a calendar.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class MatterState(models.TextChoices):
    SUBMITTED = "submitted", gettext_lazy("To dispatch")
    DISPATCHED = "dispatched", gettext_lazy("To accept")
    RETURNED = "returned", gettext_lazy("Returned")
    IN_PROGRESS = "in_progress", gettext_lazy("In progress")
    REPLIED = "replied", gettext_lazy("Replied, awaiting rating")
    TO_VERIFY = "to_verify", gettext_lazy("Awaiting verification")
    CLOSED = "closed", gettext_lazy("Closed")


class MatterKind(models.TextChoices):
    """Who must act (Yangquan's four kinds)."""

    PERSONAL = "personal", gettext_lazy("Personal matter (个事)")
    COMMUNITY = "community", gettext_lazy("Community matter (社事)")
    PROFESSIONAL = "professional", gettext_lazy("Department matter (专事)")
    HARD = "hard", gettext_lazy("Hard matter (难事)")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", gettext_lazy("Satisfied")
    BASICALLY = "basically", gettext_lazy("Basically satisfied")
    UNSATISFIED = "unsatisfied", gettext_lazy("Not satisfied")


class ClosureReason(models.TextChoices):
    RESOLVED = "resolved", gettext_lazy("Resolved")
    AGREED = "agreed", gettext_lazy("Closed with the resident's agreement")
    DUPLICATE = "duplicate", gettext_lazy("Duplicate of another matter")
    INVALID = "invalid", gettext_lazy("Not a matter for the platform")


class HardStage(models.TextChoices):
    """The dispatch centre's stages of a hard matter (接判办评用), in order; a matter only moves forward."""

    RECEIVED = "1_received", gettext_lazy("Received (接)")
    VERIFIED = "2_verified", gettext_lazy("Verified on the spot (判)")
    CONSULTED = "3_consulted", gettext_lazy("Consulted (会商)")
    HANDLED = "4_handled", gettext_lazy("Handled (办)")
    TRACKED = "5_tracked", gettext_lazy("Tracked (跟踪)")
    EVALUATED = "6_evaluated", gettext_lazy("Evaluated (评)")
    USED = "7_used", gettext_lazy("Results used (用)")


class DueStage(models.TextChoices):
    """Which limit a matter's stored deadline is."""

    ACCEPT = "accept", gettext_lazy("Accept")
    REPLY = "reply", gettext_lazy("Reply")
    CALLBACK = "callback", gettext_lazy("Call-back")


MAX_HARD_LEVEL = 3


class Action(StrEnum):
    FILE = "file"
    DISPATCH = "dispatch"
    ACCEPT = "accept"
    RETURN = "return"
    OVERRULE = "overrule"
    PROGRESS = "progress"
    REQUEST_EXTENSION = "request_extension"
    DECIDE_EXTENSION = "decide_extension"
    RECORD_CONSULTATION = "record_consultation"
    REPLY = "reply"
    RATE = "rate"
    CLOSE_BY_AGREEMENT = "close_by_agreement"
    VERIFY_CLOSE = "verify_close"
    DISCARD = "discard"
    SUPERVISE = "supervise"
    ANSWER_SUPERVISION = "answer_supervision"
    URGE = "urge"
    WHISTLE = "whistle"
    REPORT = "report"
    CONCLUDE_WHISTLE = "conclude_whistle"
    ESCALATE = "escalate"
    DEESCALATE = "deescalate"
    FIELD_CHECK = "field_check"
    RECORD_MEETING = "record_meeting"
    TRACK = "track"
    USE_RESULTS = "use_results"


ACTION_LABELS: MappingProxyType[str, Any] = MappingProxyType(
    {
        Action.FILE: gettext_lazy("Filed"),
        Action.DISPATCH: gettext_lazy("Dispatched"),
        Action.ACCEPT: gettext_lazy("Accepted"),
        Action.RETURN: gettext_lazy("Returned to the dispatcher"),
        Action.OVERRULE: gettext_lazy("Return overruled"),
        Action.PROGRESS: gettext_lazy("Progress recorded"),
        Action.REQUEST_EXTENSION: gettext_lazy("Extension requested"),
        Action.DECIDE_EXTENSION: gettext_lazy("Extension decided"),
        Action.RECORD_CONSULTATION: gettext_lazy("Community consultation recorded"),
        Action.REPLY: gettext_lazy("Replied"),
        Action.RATE: gettext_lazy("Rated"),
        Action.CLOSE_BY_AGREEMENT: gettext_lazy("Closed with the resident's agreement"),
        Action.VERIFY_CLOSE: gettext_lazy("Verified and closed"),
        Action.DISCARD: gettext_lazy("Discarded"),
        Action.SUPERVISE: gettext_lazy("Supervision order (督办)"),
        Action.ANSWER_SUPERVISION: gettext_lazy("Supervision order answered"),
        Action.URGE: gettext_lazy("Urged (催办)"),
        Action.WHISTLE: gettext_lazy("Whistle blown to departments (吹哨)"),
        Action.REPORT: gettext_lazy("Reported for the task (报到)"),
        Action.CONCLUDE_WHISTLE: gettext_lazy("Joint result of the whistle"),
        Action.ESCALATE: gettext_lazy("Escalated"),
        Action.DEESCALATE: gettext_lazy("De-escalated"),
        Action.FIELD_CHECK: gettext_lazy("Verified on the spot (调查核实)"),
        Action.RECORD_MEETING: gettext_lazy("Joint consultation recorded (会商)"),
        Action.TRACK: gettext_lazy("Follow-up recorded (跟踪)"),
        Action.USE_RESULTS: gettext_lazy("Results used (结果运用)"),
    }
)


class Actor(StrEnum):
    """Who may take a move, checked by the service against the user's posts."""

    ANYONE_FILING = "filing"  # a resident, an operator, a grid worker, a system through the API
    DISPATCHER = "dispatcher"  # staff holding matters.dispatch over the matter's place
    LEAD_UNIT = "lead_unit"  # staff of the unit the matter is dispatched to
    HANDLING_UNIT = "handling_unit"  # staff of the lead or a co-handling unit
    RATER = "rater"  # the reporter, or an operator on a call-back (回访)
    SUPERVISOR = "supervisor"  # staff holding matters.supervise over the matter's place (street, district, city)
    TASKED_UNIT = "tasked_unit"  # staff of a unit with an open task on the matter (whistle, consultation)
    ESCALATOR = "escalator"  # the dispatch centre: matters.escalate over the matter's place


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    actor: Actor


S = MatterState
TRANSITIONS: MappingProxyType[str, Move] = MappingProxyType(
    {
        Action.FILE: Move(frozenset({""}), Actor.ANYONE_FILING),
        Action.DISPATCH: Move(frozenset({S.SUBMITTED, S.RETURNED}), Actor.DISPATCHER),
        Action.ACCEPT: Move(frozenset({S.DISPATCHED}), Actor.LEAD_UNIT),
        Action.RETURN: Move(frozenset({S.DISPATCHED, S.IN_PROGRESS}), Actor.LEAD_UNIT),
        Action.OVERRULE: Move(frozenset({S.RETURNED}), Actor.DISPATCHER),
        Action.PROGRESS: Move(frozenset({S.IN_PROGRESS}), Actor.HANDLING_UNIT),
        Action.REQUEST_EXTENSION: Move(frozenset({S.IN_PROGRESS}), Actor.LEAD_UNIT),
        Action.DECIDE_EXTENSION: Move(frozenset({S.IN_PROGRESS}), Actor.DISPATCHER),
        Action.RECORD_CONSULTATION: Move(frozenset({S.IN_PROGRESS}), Actor.LEAD_UNIT),
        Action.REPLY: Move(frozenset({S.IN_PROGRESS}), Actor.LEAD_UNIT),
        Action.RATE: Move(frozenset({S.REPLIED}), Actor.RATER),
        Action.CLOSE_BY_AGREEMENT: Move(frozenset({S.IN_PROGRESS}), Actor.LEAD_UNIT),
        Action.VERIFY_CLOSE: Move(frozenset({S.REPLIED, S.TO_VERIFY}), Actor.DISPATCHER),
        Action.DISCARD: Move(frozenset({S.SUBMITTED, S.RETURNED}), Actor.DISPATCHER),
        Action.SUPERVISE: Move(frozenset({S.DISPATCHED, S.IN_PROGRESS}), Actor.SUPERVISOR),
        Action.ANSWER_SUPERVISION: Move(frozenset({S.DISPATCHED, S.IN_PROGRESS}), Actor.LEAD_UNIT),
        Action.URGE: Move(frozenset({S.DISPATCHED, S.IN_PROGRESS}), Actor.SUPERVISOR),
        Action.WHISTLE: Move(frozenset({S.IN_PROGRESS}), Actor.LEAD_UNIT),
        Action.REPORT: Move(frozenset({S.IN_PROGRESS, S.REPLIED}), Actor.TASKED_UNIT),
        Action.CONCLUDE_WHISTLE: Move(frozenset({S.IN_PROGRESS, S.REPLIED}), Actor.LEAD_UNIT),
        Action.ESCALATE: Move(frozenset({S.DISPATCHED, S.IN_PROGRESS, S.RETURNED}), Actor.ESCALATOR),
        Action.DEESCALATE: Move(frozenset({S.DISPATCHED, S.IN_PROGRESS, S.RETURNED}), Actor.ESCALATOR),
        Action.FIELD_CHECK: Move(frozenset({S.DISPATCHED, S.IN_PROGRESS}), Actor.ESCALATOR),
        Action.RECORD_MEETING: Move(frozenset({S.DISPATCHED, S.IN_PROGRESS}), Actor.ESCALATOR),
        Action.TRACK: Move(frozenset({S.IN_PROGRESS, S.REPLIED, S.TO_VERIFY}), Actor.ESCALATOR),
        Action.USE_RESULTS: Move(frozenset({S.CLOSED}), Actor.ESCALATOR),
    }
)

SUPERVISION_ACTIONS = frozenset(
    {
        Action.SUPERVISE,
        Action.ANSWER_SUPERVISION,
        Action.URGE,
        Action.WHISTLE,
        Action.REPORT,
        Action.CONCLUDE_WHISTLE,
        Action.ESCALATE,
        Action.DEESCALATE,
        Action.FIELD_CHECK,
        Action.RECORD_MEETING,
        Action.TRACK,
        Action.USE_RESULTS,
    }
)

# Moves that stop the unit's clock: the stored deadline is cleared (a new one is set by the next move that needs it).
CLEARS_DEADLINE = frozenset({Action.RETURN, Action.CLOSE_BY_AGREEMENT, Action.VERIFY_CLOSE, Action.DISCARD})
# The stage of the centre's board (接判办评用) that a move of a hard matter reaches.
HARD_STAGE_OF: MappingProxyType[str, str] = MappingProxyType(
    {
        Action.FILE: HardStage.RECEIVED,
        Action.DISPATCH: HardStage.RECEIVED,
        Action.FIELD_CHECK: HardStage.VERIFIED,
        Action.RECORD_MEETING: HardStage.CONSULTED,
        Action.REPLY: HardStage.HANDLED,
        Action.TRACK: HardStage.TRACKED,
        Action.RATE: HardStage.EVALUATED,
        Action.USE_RESULTS: HardStage.USED,
    }
)

# "Not satisfied" sends a matter back to its unit this many times at most (返工); after that it goes to verification.
MAX_REOPENS = 1


class TransitionRefused(Exception):
    """A move that the table or a rule of the loop does not allow; the message says why, for the user."""

    def __init__(self, message: str, *, code: str = "refused") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Snapshot:
    """The workflow fields of a matter: what its events say. Ids, not objects, so that folding needs no queries."""

    state: str = ""
    kind: str = ""
    category_id: int | None = None
    urgency: str = ""
    lead_place_id: int | None = None
    lead_department_id: int | None = None
    co_units: tuple[tuple[int | None, int | None], ...] = ()
    return_count: int = 0
    reopen_count: int = 0
    extension_pending: bool = False
    extension_count: int = 0
    extension_days: int = 0
    consultation_recorded: bool = False
    satisfaction: str = ""
    closure_reason: str = ""
    duplicate_of_id: int | None = None
    due_stage: str = ""
    due_at: datetime | None = None
    warn_at: datetime | None = None
    supervision_open: bool = False
    supervision_count: int = 0
    urge_count: int = 0
    hard_level: int = 0
    level_due: datetime | None = None
    hard_stage: str = ""
    leader: str = ""


SNAPSHOT_FIELDS = tuple(field.name for field in dataclasses.fields(Snapshot))


def _require(condition: bool, message: str, code: str) -> None:
    if not condition:
        raise TransitionRefused(message, code=code)


def ensure_possible(state: str, action: str) -> Move:
    """The move of ``action``, if the table allows it from ``state``; TransitionRefused otherwise."""
    move = TRANSITIONS.get(action)
    if move is None:
        raise TransitionRefused(_("Unknown action “%(action)s”.") % {"action": action}, code="unknown_action")
    if state not in move.sources:
        raise TransitionRefused(
            _("This matter is “%(state)s”; “%(action)s” is not possible now.")
            % {"state": MatterState(state).label if state else "—", "action": ACTION_LABELS[action]},
            code="wrong_state",
        )
    return move


def apply(snapshot: Snapshot, action: str, data: dict[str, Any]) -> Snapshot:
    """The snapshot after ``action`` with ``data``; raises TransitionRefused for a move the loop does not allow.

    ``data`` is exactly what the event stores, so replaying the events through this function rebuilds the matter.
    """
    ensure_possible(snapshot.state, action)
    change: dict[str, Any] = {}
    match action:
        case Action.FILE:
            change = {
                "state": S.SUBMITTED,
                "kind": data["kind"],
                "category_id": data.get("category_id"),
                "urgency": data["urgency"],
            }
        case Action.DISPATCH:
            _require(
                bool(data.get("lead_place_id")) != bool(data.get("lead_department_id")),
                _("Choose exactly one lead unit."),
                "lead_unit",
            )
            change = {
                "state": S.DISPATCHED,
                "kind": data["kind"],
                "category_id": data.get("category_id"),
                "urgency": data.get("urgency") or snapshot.urgency,
                "lead_place_id": data.get("lead_place_id"),
                "lead_department_id": data.get("lead_department_id"),
                "co_units": tuple(tuple(unit) for unit in data.get("co_units", [])),
            }
        case Action.ACCEPT:
            change = {"state": S.IN_PROGRESS}
        case Action.RETURN:
            change = {
                "state": S.RETURNED,
                "return_count": snapshot.return_count + 1,
                "extension_pending": False,
                "supervision_open": False,
            }
        case Action.OVERRULE:
            _require(
                snapshot.lead_place_id is not None or snapshot.lead_department_id is not None,
                _("There is no unit to send this matter back to."),
                "no_unit",
            )
            change = {"state": S.DISPATCHED}
        case Action.PROGRESS:
            change = {}
        case Action.REQUEST_EXTENSION:
            _require(not snapshot.extension_pending, _("An extension request is already waiting."), "pending")
            _require(int(data.get("days", 0)) > 0, _("Ask for at least one day."), "days")
            change = {"extension_pending": True}
        case Action.DECIDE_EXTENSION:
            _require(snapshot.extension_pending, _("No extension request is waiting."), "not_pending")
            approved = bool(data.get("approved"))
            change = {
                "extension_pending": False,
                "extension_count": snapshot.extension_count + (1 if approved else 0),
                "extension_days": snapshot.extension_days + (int(data.get("days", 0)) if approved else 0),
            }
        case Action.RECORD_CONSULTATION:
            change = {"consultation_recorded": True}
        case Action.REPLY:
            _require(
                snapshot.kind != MatterKind.COMMUNITY or snapshot.consultation_recorded,
                _("A community matter (社事) needs a community consultation record before the reply."),
                "consultation_required",
            )
            _require(
                not snapshot.supervision_open,
                _("Answer the supervision order (督办) before replying."),
                "supervision_open",
            )
            change = {"state": S.REPLIED, "extension_pending": False}
        case Action.RATE:
            satisfaction = data["satisfaction"]
            _require(satisfaction in Satisfaction.values, _("Choose a rating."), "satisfaction")
            reopen = satisfaction == Satisfaction.UNSATISFIED and snapshot.reopen_count < MAX_REOPENS
            change = {
                "state": S.IN_PROGRESS if reopen else S.TO_VERIFY,
                "satisfaction": satisfaction,
                "reopen_count": snapshot.reopen_count + (1 if reopen else 0),
            }
        case Action.CLOSE_BY_AGREEMENT:
            _require(
                snapshot.kind == MatterKind.PERSONAL,
                _("Only a personal matter (个事) can be closed with the resident's agreement."),
                "not_personal",
            )
            change = {"state": S.CLOSED, "closure_reason": ClosureReason.AGREED, "extension_pending": False}
        case Action.VERIFY_CLOSE:
            change = {"state": S.CLOSED, "closure_reason": ClosureReason.RESOLVED}
        case Action.DISCARD:
            reason = data.get("reason")
            _require(
                reason in {ClosureReason.DUPLICATE, ClosureReason.INVALID}, _("Say why it is discarded."), "reason"
            )
            _require(
                reason != ClosureReason.DUPLICATE or bool(data.get("duplicate_of_id")),
                _("Name the matter this one duplicates."),
                "duplicate_of",
            )
            change = {"state": S.CLOSED, "closure_reason": reason, "duplicate_of_id": data.get("duplicate_of_id")}
        case _:
            change = _supervision_change(snapshot, action, data)
    after = dataclasses.replace(snapshot, **change)
    return with_supervision(after, action, data)


def _supervision_change(snapshot: Snapshot, action: str, data: dict[str, Any]) -> dict[str, Any]:
    """The changes of the supervision moves (督办, 催办, 吹哨报到, the levels and stages of a hard matter)."""
    change: dict[str, Any] = {}
    match action:
        case Action.SUPERVISE:
            _require(
                bool(data.get("due_at") or data.get("deadline")), _("Set the new deadline of the order."), "deadline"
            )
            change = {"supervision_open": True, "supervision_count": snapshot.supervision_count + 1}
        case Action.ANSWER_SUPERVISION:
            _require(snapshot.supervision_open, _("No supervision order is waiting for an answer."), "not_open")
            change = {"supervision_open": False}
        case Action.URGE:
            change = {"urge_count": snapshot.urge_count + 1}
        case Action.WHISTLE | Action.RECORD_MEETING:
            units = {tuple(unit) for unit in data.get("units", [])}
            _require(bool(units), _("Name at least one unit and its task."), "units")
            lead = (snapshot.lead_place_id, snapshot.lead_department_id)
            if action == Action.RECORD_MEETING:
                _require(snapshot.kind == MatterKind.HARD, _("Only a hard matter (难事) goes to consultation."), "hard")
                _require(snapshot.hard_level >= 2, _("Escalate to joint consultation first."), "level")
            merged = {*snapshot.co_units, *(unit for unit in units if unit != lead)}
            change = {"co_units": tuple(sorted(merged, key=lambda u: (u[0] or 0, u[1] or 0)))}
        case Action.ESCALATE:
            _require(snapshot.kind == MatterKind.HARD, _("Only a hard matter (难事) is escalated."), "hard")
            _require(snapshot.hard_level < MAX_HARD_LEVEL, _("This matter is already at the highest level."), "level")
            change = {"hard_level": snapshot.hard_level + 1, "leader": str(data.get("leader", "")) or snapshot.leader}
        case Action.DEESCALATE:
            _require(snapshot.hard_level > 1, _("This matter is at the first level already."), "level")
            _require(bool(str(data.get("reason", "")).strip()), _("Say why the matter goes down a level."), "reason")
            change = {
                "hard_level": snapshot.hard_level - 1,
                "leader": "" if snapshot.hard_level == 3 else snapshot.leader,
            }
        case Action.FIELD_CHECK | Action.TRACK | Action.USE_RESULTS:
            _require(snapshot.kind == MatterKind.HARD, _("These steps belong to hard matters (难事)."), "hard")
        case Action.REPORT | Action.CONCLUDE_WHISTLE:
            change = {}
    return change


def _moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def with_supervision(after: Snapshot, action: str, data: dict[str, Any]) -> Snapshot:
    """The deadline, hard-matter level and board stage after a move, by the rules in one place.

    - A deadline in the move's data replaces the stored one (``None`` clears it); a move that stops the unit's
      clock clears it; so does a rating that sends the matter to verification.
    - A hard matter is at level 1 (首接负责) from its dispatch; a matter that is not hard has no level.
    - A hard matter's board stage only moves forward.
    """
    change: dict[str, Any] = {}
    if "deadline" in data:
        deadline = data["deadline"] or {}
        change.update(
            due_stage=deadline.get("stage", ""),
            due_at=_moment(deadline.get("due_at")),
            warn_at=_moment(deadline.get("warn_at")),
        )
    elif action in CLEARS_DEADLINE or (action == Action.RATE and after.state == S.TO_VERIFY):
        change.update(due_stage="", due_at=None, warn_at=None)
    if after.state == S.CLOSED and action != Action.USE_RESULTS:
        change.update(supervision_open=False, level_due=None)
    if after.kind == MatterKind.HARD:
        if action == Action.DISPATCH and after.hard_level == 0:
            change["hard_level"] = 1
        if action in HARD_STAGE_OF:
            change["hard_stage"] = max(after.hard_stage, HARD_STAGE_OF[action])
    elif action in {Action.FILE, Action.DISPATCH}:
        change.update(hard_level=0, level_due=None, hard_stage="", leader="")
    if "level_due" in data:
        change["level_due"] = _moment(data["level_due"])
    return dataclasses.replace(after, **change)


def replay(events: list[tuple[str, dict[str, Any]]]) -> Snapshot:
    """Fold (action, data) pairs from an empty matter."""
    snapshot = Snapshot()
    for action, data in events:
        snapshot = apply(snapshot, action, data)
    return snapshot
