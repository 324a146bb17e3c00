"""The table of an admission request's moves: the requester drafts and submits it; the approving bodies' decisions
approve it (the last of them approving) or refuse it (the first refusal); the requester withdraws it while it is a
draft or waiting. Admitted, refused and withdrawn are final.

Who may make each move is the services' business (``gridwork.admission.services``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridwork.admission.models import AdmissionState
from gridwork.common.flows import START, Flow, Move


class AdmissionAction:
    CREATE = START
    SUBMIT = "submit"
    APPROVE = "approve"
    REFUSE = "refuse"
    WITHDRAW = "withdraw"


ADMISSION_FLOW = Flow(
    subject=_("admission request"),
    states=AdmissionState,
    initial=AdmissionState.DRAFT,
    moves={
        AdmissionAction.SUBMIT: Move(frozenset({AdmissionState.DRAFT}), AdmissionState.SUBMITTED, _("Submit")),
        AdmissionAction.APPROVE: Move(frozenset({AdmissionState.SUBMITTED}), AdmissionState.APPROVED, _("Admit")),
        AdmissionAction.REFUSE: Move(frozenset({AdmissionState.SUBMITTED}), AdmissionState.REFUSED, _("Refuse")),
        AdmissionAction.WITHDRAW: Move(
            frozenset({AdmissionState.DRAFT, AdmissionState.SUBMITTED}), AdmissionState.WITHDRAWN, _("Withdraw")
        ),
    },
)

ACTION_LABELS = {
    AdmissionAction.CREATE: _("Drafted"),
    AdmissionAction.SUBMIT: _("Submitted"),
    AdmissionAction.APPROVE: _("Admitted"),
    AdmissionAction.REFUSE: _("Refused"),
    AdmissionAction.WITHDRAW: _("Withdrawn"),
}
