"""What the staff and unit pages share: a subject's timeline, the answer to a refused or stale move, state badges,
and the link to the contracts' "clause from a match" page when that app provides it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from gridwork.cobuild.models import Match
from gridwork.common.flows import START, Flow, FlowEvent, MoveRefused, StaleState

STATE_BADGES = {
    "open": "text-bg-warning",
    "met": "text-bg-success",
    "withdrawn": "text-bg-light",
    "available": "text-bg-success",
    "used_up": "text-bg-secondary",
    "planned": "text-bg-info",
    "under_way": "text-bg-primary",
    "done": "text-bg-success",
    "cancelled": "text-bg-light",
}

CLAUSE_FROM_MATCH = "contracts:clause-from-match"


@dataclass(frozen=True)
class Step:
    action: str
    label: str
    state_label: str
    at: datetime
    who: str
    note: str


def timeline(events: Iterable[FlowEvent], *, flow: Flow, with_actors: bool = True) -> list[Step]:
    return [
        Step(
            action=event.action,
            label=_("Created") if event.action == START else flow.action_label(event.action),
            state_label=flow.state_label(event.to_state),
            at=event.at,
            who=event.actor_name if with_actors else "",
            note=event.note,
        )
        for event in events
    ]


def move_failure(error: Exception) -> tuple[str, int]:
    """The message and status of a move the flow refused: 409 when someone moved the subject first."""
    if isinstance(error, StaleState):
        return str(error), 409
    if isinstance(error, MoveRefused):
        return str(error), 400
    raise error


def clause_from_match_url(match: Match) -> str:
    """The contracts app's page that drafts a clause from ``match``, or "" while that page does not exist."""
    try:
        return reverse(CLAUSE_FROM_MATCH, args=[match.pk])
    except NoReverseMatch:
        return ""


def version_of(form: Any) -> int | None:
    return form.cleaned_data.get("version") if form.is_valid() else None
