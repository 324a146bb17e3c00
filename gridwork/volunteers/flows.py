"""The table of a volunteer order's moves (居民点单—支部下单—党员接单). Who may make each move is the services' rule."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridwork.common.flows import Flow, Move
from gridwork.volunteers.models import OrderState


class OrderAction:
    ISSUE = "issue"
    DECLINE = "decline"
    TAKE = "take"
    GIVE_BACK = "give_back"
    COMPLETE = "complete"
    RATE = "rate"
    CANCEL = "cancel"


ORDER_FLOW = Flow(
    subject=_("order"),
    states=OrderState,
    initial=OrderState.ORDERED,
    moves={
        # 下单: the branch (community staff) offers the order to members; issuing again adds members to the offer.
        OrderAction.ISSUE: Move(frozenset({OrderState.ORDERED, OrderState.ISSUED}), OrderState.ISSUED, _("Issue")),
        OrderAction.DECLINE: Move(frozenset({OrderState.ORDERED}), OrderState.DECLINED, _("Decline")),
        # 接单: one of the members it was issued to.
        OrderAction.TAKE: Move(frozenset({OrderState.ISSUED}), OrderState.TAKEN, _("Take")),
        OrderAction.GIVE_BACK: Move(frozenset({OrderState.TAKEN}), OrderState.ISSUED, _("Give back")),
        OrderAction.COMPLETE: Move(frozenset({OrderState.TAKEN}), OrderState.COMPLETED, _("Complete")),
        OrderAction.RATE: Move(frozenset({OrderState.COMPLETED}), OrderState.RATED, _("Rate")),
        OrderAction.CANCEL: Move(frozenset({OrderState.ORDERED, OrderState.ISSUED}), OrderState.CANCELLED, _("Cancel")),
    },
)
