"""The table of a dispute case's moves (枫桥经验): registered → assigned (a mediator takes it) → mediating (a session
was held) → concluded (an outcome) → closed; a case may be referred (诉调对接) from any state before it is closed,
and comes back to the community when the receiving body refuses it. A resident who applied may withdraw the
application while it is in mediation (registered, assigned or mediating: concluded as withdrawn), and staff may
correct a case's details (``edit``) until it is closed.

Who may make each move is the services' business (``gridwork.mediation.services``); this table says only from which
states each move goes and where to. Every service of the app moves a case through this table only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridwork.common.flows import START, Flow, Move
from gridwork.mediation.models import CaseState, ReferralResult


class CaseAction:
    REGISTER = START  # the first event, written by ``flow_start``
    ASSIGN = "assign"
    REASSIGN = "reassign"
    RECUSE = "recuse"
    HOLD_SESSION = "hold_session"
    CONCLUDE = "conclude"
    REFER = "refer"
    REFERRAL_RESULT = "referral_result"
    CLOSE = "close"
    FOLLOW_UP = "follow_up"
    WITHDRAW = "withdraw"  # the applicant asks to end the mediation (People's Mediation Law, art. 23)
    EDIT = "edit"  # staff correct the title, type, risk level, facts or place described


_WITH_MEDIATOR = frozenset({CaseState.ASSIGNED, CaseState.MEDIATING})
_IN_MEDIATION = frozenset({CaseState.REGISTERED, CaseState.ASSIGNED, CaseState.MEDIATING})

CASE_FLOW = Flow(
    subject=_("dispute case"),
    states=CaseState,
    initial=CaseState.REGISTERED,
    moves={
        CaseAction.ASSIGN: Move(frozenset({CaseState.REGISTERED}), CaseState.ASSIGNED, _("Assign a mediator")),
        CaseAction.REASSIGN: Move(_WITH_MEDIATOR, CaseState.ASSIGNED, _("Replace the mediator")),
        CaseAction.RECUSE: Move(_WITH_MEDIATOR, CaseState.REGISTERED, _("Another mediator at a party's request")),
        CaseAction.HOLD_SESSION: Move(_WITH_MEDIATOR, CaseState.MEDIATING, _("Record a session")),
        CaseAction.CONCLUDE: Move(frozenset({CaseState.MEDIATING}), CaseState.CONCLUDED, _("Record the outcome")),
        CaseAction.REFER: Move(
            frozenset({CaseState.REGISTERED, CaseState.ASSIGNED, CaseState.MEDIATING, CaseState.CONCLUDED}),
            CaseState.REFERRED,
            _("Refer"),
        ),
        CaseAction.REFERRAL_RESULT: Move(
            frozenset({CaseState.REFERRED}), CaseState.CLOSED, _("Record the referral's result")
        ),
        CaseAction.CLOSE: Move(frozenset({CaseState.CONCLUDED}), CaseState.CLOSED, _("Close")),
        CaseAction.FOLLOW_UP: Move(
            frozenset({CaseState.CONCLUDED, CaseState.CLOSED}), CaseState.CLOSED, _("Record a follow-up")
        ),
        CaseAction.WITHDRAW: Move(_IN_MEDIATION, CaseState.CONCLUDED, _("Withdraw the application")),
        CaseAction.EDIT: Move(
            frozenset(CaseState.values) - {CaseState.CLOSED}, CaseState.REGISTERED, _("Correct the case's details")
        ),
    },
)

# Moves that keep the state whichever it is (``reassign`` while mediating stays mediating, ``follow_up`` on a closed
# case stays closed, ``edit`` changes only the case's details): one ``Move`` has one target, so ``case_target`` says it
# for these.
SAME_STATE = frozenset({CaseAction.REASSIGN, CaseAction.FOLLOW_UP, CaseAction.EDIT})


def case_target(state: str, action: str, data: Mapping[str, Any] | None = None) -> str:
    """The state after ``action`` from ``state`` (``MoveRefused`` when the table has no such move). A referral's
    result closes the case when the body accepted or settled it, and gives it back to the community (registered)
    when the body refused it."""
    target = CASE_FLOW.target(state, action)
    if action in SAME_STATE:
        return state
    if action == CaseAction.REFERRAL_RESULT and (data or {}).get("result") == ReferralResult.REFUSED:
        return CaseState.REGISTERED
    return target


def single_move_flow(state: str, action: str, target: str) -> Flow:
    """A one-move table for ``flow_move``: the move already checked against ``CASE_FLOW`` by ``case_target``."""
    label = CASE_FLOW.moves[action].label
    return Flow(
        subject=CASE_FLOW.subject,
        states=CaseState,
        initial=CaseState.REGISTERED,
        moves={action: Move(frozenset({state}), target, label)},
    )


ACTION_LABELS = {
    CaseAction.REGISTER: pgettext_lazy("dispute case", "Registered"),
    CaseAction.ASSIGN: _("Mediator assigned"),
    CaseAction.REASSIGN: _("Mediator replaced"),
    CaseAction.RECUSE: _("Mediator recused at a party's request"),
    CaseAction.HOLD_SESSION: _("Session held"),
    CaseAction.CONCLUDE: _("Outcome recorded"),
    CaseAction.REFER: _("Referred"),
    CaseAction.REFERRAL_RESULT: _("Referral's result recorded"),
    CaseAction.CLOSE: _("Closed"),
    CaseAction.FOLLOW_UP: _("Follow-up recorded"),
    CaseAction.WITHDRAW: _("Withdrawn by the applicant"),
    CaseAction.EDIT: _("Case details corrected"),
}
