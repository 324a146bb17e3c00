"""The table of an incubation's moves: an organisation enters a base (``create``), mentoring starts, it graduates;
it may be withdrawn while entered or mentoring. Graduated and withdrawn are final. Who may move is the services'
business (``gridwork.socialorgs.services``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridwork.common.flows import START, Flow, Move
from gridwork.socialorgs.models import IncubationState


class IncubationAction:
    ENTER = START
    MENTOR = "mentor"
    GRADUATE = "graduate"
    WITHDRAW = "withdraw"


INCUBATION_FLOW = Flow(
    subject=_("incubation"),
    states=IncubationState,
    initial=IncubationState.ENTERED,
    moves={
        IncubationAction.MENTOR: Move(
            frozenset({IncubationState.ENTERED}), IncubationState.MENTORING, _("Start mentoring")
        ),
        IncubationAction.GRADUATE: Move(
            frozenset({IncubationState.MENTORING}), IncubationState.GRADUATED, _("Graduate")
        ),
        IncubationAction.WITHDRAW: Move(
            frozenset({IncubationState.ENTERED, IncubationState.MENTORING}), IncubationState.WITHDRAWN, _("Withdraw")
        ),
    },
)

ACTION_LABELS = {
    IncubationAction.ENTER: _("Entered the base"),
    IncubationAction.MENTOR: _("Mentoring started"),
    IncubationAction.GRADUATE: _("Graduated"),
    IncubationAction.WITHDRAW: _("Withdrawn"),
}
