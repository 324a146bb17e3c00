"""The tables of moves of deliberations, 民生实事 programmes and their proposals.

A deliberation is open (comments and, within its window, votes) until a meeting record closes it, or the community
cancels it; once closed, its decision may become a matter, a proposal or a contract clause (a move that keeps the
state, made once: the services check the outcome is still empty, the compare-and-set on the version does the rest).
The system's reminder to record the meeting is a move that keeps the deliberation open.

A programme goes proposals → screening → voting → chosen → done. A proposal waits for screening, is accepted or
rejected, then is chosen or not when the programme chooses; a chosen one records its progress until it is done.

Who may make each move is the services' business (``gridwork.deliberation.services``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridwork.common.flows import START, Flow, Move
from gridwork.deliberation.models import DeliberationState, ProgrammePhase, ProposalState


class DeliberationAction:
    OPEN = START
    CLOSE = "close"
    CANCEL = "cancel"
    REMIND = "remind"
    TO_MATTER = "to_matter"
    TO_PROPOSAL = "to_proposal"
    TO_CLAUSE = "to_clause"


_OPEN = frozenset({DeliberationState.OPEN})
_CLOSED = frozenset({DeliberationState.CLOSED})

DELIBERATION_FLOW = Flow(
    subject=_("deliberation"),
    states=DeliberationState,
    initial=DeliberationState.OPEN,
    moves={
        DeliberationAction.CLOSE: Move(_OPEN, DeliberationState.CLOSED, _("Record the meeting and close")),
        DeliberationAction.CANCEL: Move(_OPEN, DeliberationState.CANCELLED, _("Cancel")),
        DeliberationAction.REMIND: Move(_OPEN, DeliberationState.OPEN, _("Remind to record the meeting")),
        DeliberationAction.TO_MATTER: Move(_CLOSED, DeliberationState.CLOSED, _("Turn the decision into a matter")),
        DeliberationAction.TO_PROPOSAL: Move(
            _CLOSED, DeliberationState.CLOSED, _("Turn the decision into a project proposal")
        ),
        DeliberationAction.TO_CLAUSE: Move(
            _CLOSED, DeliberationState.CLOSED, _("Turn the decision into a contract clause")
        ),
    },
)

DELIBERATION_EVENT_LABELS = {
    DeliberationAction.OPEN: _("Opened"),
    DeliberationAction.CLOSE: _("Meeting recorded, closed"),
    DeliberationAction.CANCEL: _("Cancelled"),
    DeliberationAction.REMIND: _("Reminded to record the meeting"),
    DeliberationAction.TO_MATTER: _("Decision filed as a matter"),
    DeliberationAction.TO_PROPOSAL: _("Decision proposed as a public-interest project"),
    DeliberationAction.TO_CLAUSE: _("Decision drafted as a contract clause"),
}


class ProgrammeAction:
    OPEN = START
    START_SCREENING = "start_screening"
    START_VOTING = "start_voting"
    CHOOSE = "choose"
    FINISH = "finish"


PROGRAMME_FLOW = Flow(
    subject=_("public-interest programme"),
    states=ProgrammePhase,
    initial=ProgrammePhase.PROPOSALS,
    moves={
        ProgrammeAction.START_SCREENING: Move(
            frozenset({ProgrammePhase.PROPOSALS}), ProgrammePhase.SCREENING, _("Close proposals and screen")
        ),
        ProgrammeAction.START_VOTING: Move(
            frozenset({ProgrammePhase.SCREENING}), ProgrammePhase.VOTING, _("Open the vote")
        ),
        ProgrammeAction.CHOOSE: Move(
            frozenset({ProgrammePhase.VOTING}), ProgrammePhase.CHOSEN, _("Close the vote and choose")
        ),
        ProgrammeAction.FINISH: Move(frozenset({ProgrammePhase.CHOSEN}), ProgrammePhase.DONE, _("Mark done")),
    },
)

PROGRAMME_EVENT_LABELS = {
    ProgrammeAction.OPEN: _("Opened for proposals"),
    ProgrammeAction.START_SCREENING: _("Proposals closed, screening"),
    ProgrammeAction.START_VOTING: _("Vote opened"),
    ProgrammeAction.CHOOSE: _("Vote closed, items chosen"),
    ProgrammeAction.FINISH: _("All chosen items done"),
}


class ProposalAction:
    SUBMIT = START
    ACCEPT = "accept"
    REJECT = "reject"
    CHOOSE = "choose"
    PASS_OVER = "pass_over"  # noqa: S105 — an action's name, not a password
    PROGRESS = "progress"
    COMPLETE = "complete"


PROPOSAL_FLOW = Flow(
    subject=_("project proposal"),
    states=ProposalState,
    initial=ProposalState.SUBMITTED,
    moves={
        ProposalAction.ACCEPT: Move(frozenset({ProposalState.SUBMITTED}), ProposalState.ACCEPTED, _("Accept")),
        ProposalAction.REJECT: Move(frozenset({ProposalState.SUBMITTED}), ProposalState.REJECTED, _("Reject")),
        ProposalAction.CHOOSE: Move(frozenset({ProposalState.ACCEPTED}), ProposalState.CHOSEN, _("Choose")),
        ProposalAction.PASS_OVER: Move(frozenset({ProposalState.ACCEPTED}), ProposalState.NOT_CHOSEN, _("Not chosen")),
        ProposalAction.PROGRESS: Move(frozenset({ProposalState.CHOSEN}), ProposalState.CHOSEN, _("Record progress")),
        ProposalAction.COMPLETE: Move(frozenset({ProposalState.CHOSEN}), ProposalState.DONE, _("Record completion")),
    },
)

PROPOSAL_EVENT_LABELS = {
    ProposalAction.SUBMIT: _("Proposed"),
    ProposalAction.ACCEPT: _("Accepted for the vote"),
    ProposalAction.REJECT: _("Not accepted"),
    ProposalAction.CHOOSE: _("Chosen"),
    ProposalAction.PASS_OVER: _("Not chosen"),
    ProposalAction.PROGRESS: _("Progress recorded"),
    ProposalAction.COMPLETE: _("Done"),
}
