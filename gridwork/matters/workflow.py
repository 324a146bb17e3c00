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
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
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
    }
)


class Actor(StrEnum):
    """Who may take a move, checked by the service against the user's posts."""

    ANYONE_FILING = "filing"  # a resident, an operator, a grid worker, a system through the API
    DISPATCHER = "dispatcher"  # staff holding matters.dispatch over the matter's place
    LEAD_UNIT = "lead_unit"  # staff of the unit the matter is dispatched to
    HANDLING_UNIT = "handling_unit"  # staff of the lead or a co-handling unit
    RATER = "rater"  # the reporter, or an operator on a call-back (回访)


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
            change = {"state": S.RETURNED, "return_count": snapshot.return_count + 1, "extension_pending": False}
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
    return dataclasses.replace(snapshot, **change)


def replay(events: list[tuple[str, dict[str, Any]]]) -> Snapshot:
    """Fold (action, data) pairs from an empty matter."""
    snapshot = Snapshot()
    for action, data in events:
        snapshot = apply(snapshot, action, data)
    return snapshot
