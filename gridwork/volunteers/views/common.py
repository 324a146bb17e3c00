"""What the three sides' pages share: an order's timeline, and the answer to a refused or stale move."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from gridwork.common.flows import START, MoveRefused, StaleState
from gridwork.volunteers.flows import ORDER_FLOW, OrderAction
from gridwork.volunteers.models import ServiceOrder
from gridwork.volunteers.selectors import order_events

STATE_BADGES = {
    "ordered": "text-bg-warning",
    "issued": "text-bg-info",
    "taken": "text-bg-primary",
    "completed": "text-bg-success",
    "rated": "text-bg-secondary",
    "declined": "text-bg-dark",
    "cancelled": "text-bg-light",
}


@dataclass(frozen=True)
class Step:
    action: str
    label: str
    state_label: str
    at: datetime
    who: str
    note: str


# Notes between the branch and its members: the staff's note when issuing, a member's reason for giving an order back.
NOTES_NOT_FOR_RESIDENTS = frozenset({OrderAction.ISSUE, OrderAction.GIVE_BACK})


def order_timeline(order: ServiceOrder, *, audience: str) -> list[Step]:
    """The order's events as the pages of ``audience`` (``staff``, ``member``, ``resident``) show them: the actors'
    names only to staff, the notes between the branch and its members not to the resident."""
    with_actors = audience == "staff"
    hidden = NOTES_NOT_FOR_RESIDENTS if audience == "resident" else frozenset()
    return [
        Step(
            action=event.action,
            label=_("Ordered") if event.action == START else ORDER_FLOW.action_label(event.action),
            state_label=ORDER_FLOW.state_label(event.to_state),
            at=event.at,
            who=event.actor_name if with_actors else "",
            note="" if event.action in hidden else event.note,
        )
        for event in order_events(order)
    ]


def move_failure(error: Exception) -> tuple[str, int]:
    """The message and status of a move the flow refused: 409 when someone moved the order first."""
    if isinstance(error, StaleState):
        return str(error), 409
    if isinstance(error, MoveRefused):
        return str(error), 400
    raise error


def version_of(form: Any) -> int | None:
    return form.cleaned_data.get("version") if form.is_valid() else None
