"""The table of allowed moves of a reward exchange (积分兑换), on the shared engine ``gridwork.common.flows``.

A member asks (``create``: requested); the community approves (the points are spent and the stock goes down in the
same transaction) or rejects with a reason; the member may withdraw while it waits. Every end is final: an approved
exchange is not undone here (a mistake is put right by a new entry, never by editing the ledger).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridwork.common.flows import START, Flow, Move
from gridwork.points.models import ExchangeState

REQUESTED = ExchangeState.REQUESTED


class ExchangeAction:
    APPROVE = "approve"
    REJECT = "reject"
    WITHDRAW = "withdraw"


EXCHANGE_FLOW = Flow(
    subject=_("exchange request"),
    states=ExchangeState,
    initial=REQUESTED,
    moves={
        ExchangeAction.APPROVE: Move(frozenset({REQUESTED}), ExchangeState.APPROVED, _("Approve")),
        ExchangeAction.REJECT: Move(frozenset({REQUESTED}), ExchangeState.REJECTED, _("Reject")),
        ExchangeAction.WITHDRAW: Move(frozenset({REQUESTED}), ExchangeState.WITHDRAWN, _("Withdraw")),
    },
)

# What the event list shows for each action, the first event included.
EVENT_LABELS = {
    START: _("Requested"),
    ExchangeAction.APPROVE: _("Approved"),
    ExchangeAction.REJECT: _("Rejected"),
    ExchangeAction.WITHDRAW: _("Withdrawn"),
}
