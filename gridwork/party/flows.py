"""The tables of allowed moves of the two registrations (双报到), on the shared engine ``gridwork.common.flows``.

A member's registration (``MemberRegistration``) waits for the community to confirm or reject it; the member may
withdraw it while it waits or once it holds; confirming a move (a new registration of a member who already holds
one) ends the old one with ``transfer_out``. A unit's registration (``UnitRegistration``) has the same first three
moves and no transfer: a unit may hold registrations with several communities.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridwork.common.flows import Flow, Move
from gridwork.party.models import RegistrationState

PENDING = RegistrationState.PENDING
CONFIRMED = RegistrationState.CONFIRMED


class RegistrationAction:
    CONFIRM = "confirm"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    TRANSFER_OUT = "transfer_out"


REGISTRATION_FLOW = Flow(
    subject=_("registration"),
    states=RegistrationState,
    initial=PENDING,
    moves={
        RegistrationAction.CONFIRM: Move(frozenset({PENDING}), CONFIRMED, _("Confirm")),
        RegistrationAction.REJECT: Move(frozenset({PENDING}), RegistrationState.REJECTED, _("Reject")),
        RegistrationAction.WITHDRAW: Move(frozenset({PENDING, CONFIRMED}), RegistrationState.WITHDRAWN, _("Withdraw")),
        RegistrationAction.TRANSFER_OUT: Move(
            frozenset({CONFIRMED}), RegistrationState.TRANSFERRED, _("Moved to another community")
        ),
    },
)

UNIT_REGISTRATION_FLOW = Flow(
    subject=_("unit registration"),
    states=RegistrationState,
    initial=PENDING,
    moves={
        RegistrationAction.CONFIRM: Move(frozenset({PENDING}), CONFIRMED, _("Confirm")),
        RegistrationAction.REJECT: Move(frozenset({PENDING}), RegistrationState.REJECTED, _("Reject")),
        RegistrationAction.WITHDRAW: Move(frozenset({PENDING, CONFIRMED}), RegistrationState.WITHDRAWN, _("Withdraw")),
    },
)

# What the event list shows for each action, the first event (``create``) included.
EVENT_LABELS = {
    "create": _("Registered"),
    RegistrationAction.CONFIRM: _("Confirmed"),
    RegistrationAction.REJECT: _("Rejected"),
    RegistrationAction.WITHDRAW: _("Withdrawn"),
    RegistrationAction.TRANSFER_OUT: _("Moved to another community"),
}
