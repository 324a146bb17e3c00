"""The table of a committee's status moves: a committee is recorded forming (筹备) or, when it was elected already,
active; a forming committee becomes active when elected; an active one's term ends (换届: a new committee then
forms); a forming or active one may be dissolved. An estate has at most one forming-or-active committee (the
database refuses a second).

Who may make each move is the services' business (``gridwork.estates.services``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridwork.common.flows import START, Flow, Move
from gridwork.estates.models import CommitteeStatus


class CommitteeAction:
    RECORD = START
    ACTIVATE = "activate"
    END_TERM = "end_term"
    DISSOLVE = "dissolve"


_MOVES = {
    CommitteeAction.ACTIVATE: Move(frozenset({CommitteeStatus.FORMING}), CommitteeStatus.ACTIVE, _("Elected: active")),
    CommitteeAction.END_TERM: Move(frozenset({CommitteeStatus.ACTIVE}), CommitteeStatus.TERM_ENDED, _("End the term")),
    CommitteeAction.DISSOLVE: Move(
        frozenset({CommitteeStatus.FORMING, CommitteeStatus.ACTIVE}), CommitteeStatus.DISSOLVED, _("Dissolve")
    ),
}

COMMITTEE_FLOW = Flow(
    subject=_("owners' committee"), states=CommitteeStatus, initial=CommitteeStatus.FORMING, moves=_MOVES
)
COMMITTEE_FLOW_ACTIVE = Flow(
    subject=_("owners' committee"), states=CommitteeStatus, initial=CommitteeStatus.ACTIVE, moves=_MOVES
)

ACTION_LABELS = {
    CommitteeAction.RECORD: _("Recorded"),
    CommitteeAction.ACTIVATE: _("Elected"),
    CommitteeAction.END_TERM: _("Term ended"),
    CommitteeAction.DISSOLVE: _("Dissolved"),
}
