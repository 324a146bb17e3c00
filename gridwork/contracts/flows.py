"""The table of a contract's moves (契约化共建): negotiating → (one signature) signing → (the other) signed →
published and performed → evaluated → closed; a negotiation may be abandoned.

A stage cannot be skipped: publication needs both signatures, performance is recorded only once the contract is
published, evaluation only after it was performed. Moves that only record (clauses, comments, performance,
evaluations, the expiry warning) keep the state and are events all the same. Who may make each move is the services'
business (``gridwork.contracts.services``); this table says only from which states each move goes and where to.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridwork.common.flows import Flow, Move
from gridwork.contracts.models import ContractState

NEGOTIATING = frozenset({ContractState.NEGOTIATING})


class ContractAction:
    CREATE = "create"  # the first event, written by ``flow_start``
    EDIT = "edit"
    ADD_CLAUSE = "add_clause"
    EDIT_CLAUSE = "edit_clause"
    REMOVE_CLAUSE = "remove_clause"
    COMMENT = "comment"
    SIGN = "sign"
    COUNTERSIGN = "countersign"
    REOPEN = "reopen"
    CANCEL = "cancel"
    PUBLISH = "publish"
    PERFORM = "perform"
    WARN_EXPIRY = "warn_expiry"
    START_EVALUATION = "start_evaluation"
    EVALUATE = "evaluate"
    CLOSE = "close"


CONTRACT_FLOW = Flow(
    subject=_("contract"),
    states=ContractState,
    initial=ContractState.NEGOTIATING,
    moves={
        ContractAction.EDIT: Move(NEGOTIATING, ContractState.NEGOTIATING, _("Change the terms")),
        ContractAction.ADD_CLAUSE: Move(NEGOTIATING, ContractState.NEGOTIATING, _("Add a clause")),
        ContractAction.EDIT_CLAUSE: Move(NEGOTIATING, ContractState.NEGOTIATING, _("Change a clause")),
        ContractAction.REMOVE_CLAUSE: Move(NEGOTIATING, ContractState.NEGOTIATING, _("Remove a clause")),
        ContractAction.COMMENT: Move(NEGOTIATING, ContractState.NEGOTIATING, _("Comment")),
        ContractAction.SIGN: Move(NEGOTIATING, ContractState.SIGNING, _("Sign")),
        ContractAction.COUNTERSIGN: Move(frozenset({ContractState.SIGNING}), ContractState.SIGNED, _("Sign")),
        ContractAction.REOPEN: Move(
            frozenset({ContractState.SIGNING}), ContractState.NEGOTIATING, _("Withdraw the signature")
        ),
        ContractAction.CANCEL: Move(
            frozenset({ContractState.NEGOTIATING, ContractState.SIGNING}),
            ContractState.CANCELLED,
            _("Abandon the negotiation"),
        ),
        ContractAction.PUBLISH: Move(frozenset({ContractState.SIGNED}), ContractState.PERFORMING, _("Publish")),
        ContractAction.PERFORM: Move(
            frozenset({ContractState.PERFORMING}), ContractState.PERFORMING, _("Record performance")
        ),
        ContractAction.WARN_EXPIRY: Move(
            frozenset({ContractState.PERFORMING}), ContractState.PERFORMING, _("Warn of the term's end")
        ),
        ContractAction.START_EVALUATION: Move(
            frozenset({ContractState.PERFORMING}), ContractState.EVALUATING, _("Start the evaluation")
        ),
        ContractAction.EVALUATE: Move(frozenset({ContractState.EVALUATING}), ContractState.EVALUATING, _("Evaluate")),
        ContractAction.CLOSE: Move(frozenset({ContractState.EVALUATING}), ContractState.CLOSED, _("Close")),
    },
)

# A renewal (续约) starts a new contract from one that is published or has ended; it moves neither.
RENEWABLE_STATES = frozenset({ContractState.PERFORMING, ContractState.EVALUATING, ContractState.CLOSED})

ACTION_LABELS = {
    ContractAction.CREATE: _("Negotiation started"),
    ContractAction.EDIT: _("Terms changed"),
    ContractAction.ADD_CLAUSE: _("Clause added"),
    ContractAction.EDIT_CLAUSE: _("Clause changed"),
    ContractAction.REMOVE_CLAUSE: _("Clause removed"),
    ContractAction.COMMENT: _("Comment"),
    ContractAction.SIGN: _("Signed"),
    ContractAction.COUNTERSIGN: _("Signed by both parties"),
    ContractAction.REOPEN: _("Signature withdrawn, negotiating again"),
    ContractAction.CANCEL: _("Negotiation abandoned"),
    ContractAction.PUBLISH: _("Published on the public board"),
    ContractAction.PERFORM: _("Performance recorded"),
    ContractAction.WARN_EXPIRY: _("Warned: the term ends soon"),
    ContractAction.START_EVALUATION: _("Evaluation started"),
    ContractAction.EVALUATE: _("Evaluated"),
    ContractAction.CLOSE: _("Closed"),
}
