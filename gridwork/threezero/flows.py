"""The table of a three-zero application's moves:

    applied ──grant──▶ granted
       │ ──refuse─▶ refused
       └──withdraw─▶ withdrawn

Granting, refusing and withdrawing happen once; a decided application is not decided again (a second reviewer who
loaded the page before the first one decided gets ``StaleState``). Who may make each move is the services' business.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridwork.common.flows import Flow, Move
from gridwork.threezero.models import ApplicationState


class ApplicationAction:
    CREATE = "create"
    GRANT = "grant"
    REFUSE = "refuse"
    WITHDRAW = "withdraw"


APPLIED = frozenset({ApplicationState.APPLIED})

APPLICATION_FLOW = Flow(
    subject=_("three-zero application"),
    states=ApplicationState,
    initial=ApplicationState.APPLIED,
    moves={
        ApplicationAction.GRANT: Move(APPLIED, ApplicationState.GRANTED, _("Grant the three-zero status")),
        ApplicationAction.REFUSE: Move(APPLIED, ApplicationState.REFUSED, _("Refuse the application")),
        ApplicationAction.WITHDRAW: Move(APPLIED, ApplicationState.WITHDRAWN, _("Withdraw the application")),
    },
)

ACTION_LABELS = {
    ApplicationAction.CREATE: _("Applied"),
    ApplicationAction.GRANT: _("Granted"),
    ApplicationAction.REFUSE: _("Refused"),
    ApplicationAction.WITHDRAW: _("Withdrawn"),
}
