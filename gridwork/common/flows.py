"""One way for the platform's smaller workflows to move: party members' registrations (双报到), micro-wishes
(微心愿), volunteer orders (点单—下单—接单) and reward exchanges.

Each workflow is one table of allowed moves (``Flow``); ``flow_start`` saves a new object with its first event,
and ``flow_move`` applies a move: in one transaction it checks the table, changes the row with a compare-and-set
on its state and version (``UPDATE … WHERE id = … AND state = … AND version = …``), and appends the event. Two
people moving the same object at once: one wins, the other gets ``StaleState`` and nothing of theirs is saved.

The event tables are append-only (``audit.triggers``): a subject's history is its events in sequence, and the
subject's ``version`` is always its last event's sequence. The matters' loop keeps its own, richer engine
(``matters.workflow``), which also replays deadlines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class MoveRefused(Exception):
    """The move is not in the table for the object's state."""

    def __init__(self, flow: Flow, action: str, state: str) -> None:
        self.action = action
        self.state = state
        super().__init__(
            _("“%(action)s” is not possible while the %(subject)s is “%(state)s”.")
            % {"action": flow.action_label(action), "subject": flow.subject, "state": flow.state_label(state)}
        )


class StaleState(Exception):
    """Someone else moved the object first: the compare-and-set found another state or version."""

    def __init__(self) -> None:
        super().__init__(_("Someone else changed this in the meantime. Reload the page and try again."))


@dataclass(frozen=True)
class Move:
    """A move from any of ``sources`` to ``target`` (the same state for a move that only records)."""

    sources: frozenset[str]
    target: str
    label: Any = ""


class Flow:
    """The table of allowed moves of one workflow."""

    def __init__(
        self, *, subject: Any, states: type[models.TextChoices], initial: str, moves: Mapping[str, Move]
    ) -> None:
        unknown = {s for move in moves.values() for s in (*move.sources, move.target)} - set(states.values)
        if unknown or initial not in states.values:
            raise ValueError(f"states not in {states.__name__}: {sorted(unknown) or initial}")
        self.subject = subject
        self.states = states
        self.initial = initial
        self.moves: Mapping[str, Move] = MappingProxyType(dict(moves))

    def target(self, state: str, action: str) -> str:
        """The state after ``action`` from ``state``, or ``MoveRefused``."""
        move = self.moves.get(action)
        if move is None or state not in move.sources:
            raise MoveRefused(self, action, state)
        return move.target

    def allowed(self, state: str) -> list[str]:
        """The actions the table allows from ``state``, in table order."""
        return [action for action, move in self.moves.items() if state in move.sources]

    def action_label(self, action: str) -> str:
        move = self.moves.get(action)
        return str(move.label) if move is not None and move.label else action

    def state_label(self, state: str) -> str:
        return str(self.states(state).label) if state in self.states.values else state


class FlowSubject(models.Model):
    """What a workflow's object carries: its state (a field of its own choices) and a version for the
    compare-and-set. A subject's events are the reverse relation ``events`` of a ``FlowEvent`` model."""

    version = models.PositiveIntegerField(gettext_lazy("version"), default=1)

    class Meta:
        abstract = True


class FlowEvent(models.Model):
    """One move of a subject, append-only. A concrete event model adds ``subject`` (a foreign key with
    ``related_name="events"``) and the unique constraint on (subject, sequence)."""

    sequence = models.PositiveIntegerField()
    action = models.CharField(max_length=32)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(max_length=100, blank=True)
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["subject_id", "sequence"]

    def __str__(self) -> str:
        return f"{self.subject_id}#{self.sequence} {self.action}"  # type: ignore[attr-defined]


S = TypeVar("S", bound=FlowSubject)

STATE_FIELD = "state"
START = "create"


def _event_model(subject: FlowSubject) -> type[FlowEvent]:
    options: Any = type(subject)._meta
    field = options.get_field("events")
    model: type[FlowEvent] = field.related_model
    return model


def _actor_name(actor: Any) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return str(gettext_lazy("System"))
    return (getattr(actor, "full_name", "") or actor.get_username())[:100]


def _event(
    subject: FlowSubject, *, action: str, from_state: str, actor: Any, at: datetime, note: str, data: dict[str, Any]
) -> FlowEvent:
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    values: dict[str, Any] = {"subject": subject}
    return _event_model(subject)._default_manager.create(
        **values,
        sequence=subject.version,
        action=action,
        from_state=from_state,
        to_state=getattr(subject, STATE_FIELD),
        actor=actor if authenticated else None,
        actor_name=_actor_name(actor),
        at=at,
        note=note,
        data=data,
    )


def flow_start(
    subject: S,
    *,
    flow: Flow,
    actor: Any,
    note: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> S:
    """Save a new subject in the flow's first state with its first event (sequence 1, action ``create``)."""
    if subject.pk is not None:
        raise ValueError("flow_start saves a new object")
    with transaction.atomic():
        setattr(subject, STATE_FIELD, flow.initial)
        subject.version = 1
        subject.save()
        _event(subject, action=START, from_state="", actor=actor, at=at or timezone.now(), note=note, data=data or {})
    return subject


def flow_move(
    subject: S,
    *,
    flow: Flow,
    action: str,
    actor: Any,
    note: str = "",
    data: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> FlowEvent:
    """Apply ``action`` to ``subject`` as ``actor``: the table's target state, the ``changes`` to other fields, the
    version one up, and the event — all or nothing. ``expected_version`` (the version the user's page showed)
    refuses a move made on a stale page. The subject in memory is updated to what was saved."""
    state = getattr(subject, STATE_FIELD)
    if expected_version is not None and expected_version != subject.version:
        raise StaleState
    target = flow.target(state, action)
    changes = dict(changes or {})
    with transaction.atomic():
        updated = (
            type(subject)
            ._default_manager.filter(pk=subject.pk, version=subject.version, **{STATE_FIELD: state})
            .update(version=F("version") + 1, **{STATE_FIELD: target}, **changes)
        )
        if not updated:
            raise StaleState
        setattr(subject, STATE_FIELD, target)
        subject.version += 1
        for name, value in changes.items():
            setattr(subject, name, value)
        return _event(
            subject, action=action, from_state=state, actor=actor, at=at or timezone.now(), note=note, data=data or {}
        )
