"""The tables of the ratings' moves.

An assessment goes 社区自查 → 街道初审 → 市级验收 → 上级复核 (seed 001):

    draft ──submit──▶ submitted ──approve──▶ reviewed ──accept──▶ accepted ──higher_review──▶ higher_reviewed
      ▲                 │   ▲                   │
      └─(edit)── returned ◀─return┘   └──send_back── (city sends it back to the street)

Accepting before the street review is not in the table (``MoveRefused``). Moves that only record keep the state and
are events all the same: saving the self-assessment and attaching or removing evidence while the target edits it
(``draft`` or ``returned`` — a pair of actions each, one per state, since a move has one target state), and lowering
the stars after acceptance (动态调整). Who may make each move is the services' business.

A round is open, then closed; adding targets is an event of the round.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridwork.common.flows import Flow, Move
from gridwork.ratings.models import AssessmentState, RoundState

DRAFT = frozenset({AssessmentState.DRAFT})
RETURNED = frozenset({AssessmentState.RETURNED})
EDITABLE_STATES = DRAFT | RETURNED
DONE_STATES = frozenset({AssessmentState.ACCEPTED, AssessmentState.HIGHER_REVIEWED})


class AssessmentAction:
    CREATE = "create"
    SAVE = "save"
    SAVE_RETURNED = "save_returned"
    ATTACH = "attach"
    ATTACH_RETURNED = "attach_returned"
    DETACH = "detach"
    DETACH_RETURNED = "detach_returned"
    SUBMIT = "submit"
    RETURN = "return"
    APPROVE = "approve"
    SEND_BACK = "send_back"
    ACCEPT = "accept"
    HIGHER_REVIEW = "higher_review"
    LOWER = "lower"
    LOWER_HIGHER = "lower_higher"


ASSESSMENT_FLOW = Flow(
    subject=_("assessment"),
    states=AssessmentState,
    initial=AssessmentState.DRAFT,
    moves={
        AssessmentAction.SAVE: Move(DRAFT, AssessmentState.DRAFT, _("Save the self-assessment")),
        AssessmentAction.SAVE_RETURNED: Move(RETURNED, AssessmentState.RETURNED, _("Save the self-assessment")),
        AssessmentAction.ATTACH: Move(DRAFT, AssessmentState.DRAFT, _("Add evidence")),
        AssessmentAction.ATTACH_RETURNED: Move(RETURNED, AssessmentState.RETURNED, _("Add evidence")),
        AssessmentAction.DETACH: Move(DRAFT, AssessmentState.DRAFT, _("Remove evidence")),
        AssessmentAction.DETACH_RETURNED: Move(RETURNED, AssessmentState.RETURNED, _("Remove evidence")),
        AssessmentAction.SUBMIT: Move(EDITABLE_STATES, AssessmentState.SUBMITTED, _("Submit the self-assessment")),
        AssessmentAction.RETURN: Move(
            frozenset({AssessmentState.SUBMITTED}), AssessmentState.RETURNED, _("Return to the target")
        ),
        AssessmentAction.APPROVE: Move(
            frozenset({AssessmentState.SUBMITTED}), AssessmentState.REVIEWED, _("Approve the street review")
        ),
        AssessmentAction.SEND_BACK: Move(
            frozenset({AssessmentState.REVIEWED}), AssessmentState.SUBMITTED, _("Send back to the street")
        ),
        AssessmentAction.ACCEPT: Move(
            frozenset({AssessmentState.REVIEWED}), AssessmentState.ACCEPTED, _("Accept and set the stars")
        ),
        AssessmentAction.HIGHER_REVIEW: Move(
            frozenset({AssessmentState.ACCEPTED}), AssessmentState.HIGHER_REVIEWED, _("Record the higher review")
        ),
        AssessmentAction.LOWER: Move(
            frozenset({AssessmentState.ACCEPTED}), AssessmentState.ACCEPTED, _("Lower the stars")
        ),
        AssessmentAction.LOWER_HIGHER: Move(
            frozenset({AssessmentState.HIGHER_REVIEWED}), AssessmentState.HIGHER_REVIEWED, _("Lower the stars")
        ),
    },
)

# The record-only moves of the target's own editing, and of lowering stars, by the state they happen in.
SAVE_ACTION: dict[str, str] = {
    AssessmentState.DRAFT: AssessmentAction.SAVE,
    AssessmentState.RETURNED: AssessmentAction.SAVE_RETURNED,
}
ATTACH_ACTION: dict[str, str] = {
    AssessmentState.DRAFT: AssessmentAction.ATTACH,
    AssessmentState.RETURNED: AssessmentAction.ATTACH_RETURNED,
}
DETACH_ACTION: dict[str, str] = {
    AssessmentState.DRAFT: AssessmentAction.DETACH,
    AssessmentState.RETURNED: AssessmentAction.DETACH_RETURNED,
}
LOWER_ACTION: dict[str, str] = {
    AssessmentState.ACCEPTED: AssessmentAction.LOWER,
    AssessmentState.HIGHER_REVIEWED: AssessmentAction.LOWER_HIGHER,
}


def action_in(table: dict[str, str], state: str, fallback: str) -> str:
    """The state's action of a pair; from any other state the first one, which the flow then refuses by name."""
    return table.get(state, fallback)


ACTION_LABELS = {
    AssessmentAction.CREATE: _("Added to the round"),
    AssessmentAction.SAVE: _("Self-assessment saved"),
    AssessmentAction.SAVE_RETURNED: _("Self-assessment saved"),
    AssessmentAction.ATTACH: _("Evidence added"),
    AssessmentAction.ATTACH_RETURNED: _("Evidence added"),
    AssessmentAction.DETACH: _("Evidence removed"),
    AssessmentAction.DETACH_RETURNED: _("Evidence removed"),
    AssessmentAction.SUBMIT: _("Self-assessment submitted"),
    AssessmentAction.RETURN: _("Returned by the street"),
    AssessmentAction.APPROVE: _("Approved by the street"),
    AssessmentAction.SEND_BACK: _("Sent back to the street by the city"),
    AssessmentAction.ACCEPT: _("Accepted by the city, stars set"),
    AssessmentAction.HIGHER_REVIEW: _("Higher review recorded"),
    AssessmentAction.LOWER: _("Stars lowered"),
    AssessmentAction.LOWER_HIGHER: _("Stars lowered"),
}


class RoundAction:
    CREATE = "create"
    ADD_TARGETS = "add_targets"
    CLOSE = "close"


OPEN = frozenset({RoundState.OPEN})

ROUND_FLOW = Flow(
    subject=_("round"),
    states=RoundState,
    initial=RoundState.OPEN,
    moves={
        RoundAction.ADD_TARGETS: Move(OPEN, RoundState.OPEN, _("Add targets")),
        RoundAction.CLOSE: Move(OPEN, RoundState.CLOSED, _("Close the round")),
    },
)

ROUND_ACTION_LABELS = {
    RoundAction.CREATE: _("Round opened"),
    RoundAction.ADD_TARGETS: _("Targets added"),
    RoundAction.CLOSE: _("Round closed"),
}
