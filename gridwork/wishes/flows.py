"""The table of a micro-wish's moves (微心愿): posted → reviewed → published → claimed → fulfilled → confirmed.

Who may make each move is the services' business (``gridwork.wishes.services``); this table says only from which
states each move goes and where to. A claim can be released back to publication; a wish can be withdrawn before
anyone has claimed it.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridwork.common.flows import Flow, Move
from gridwork.wishes.models import WishState


class WishAction:
    CREATE = "create"  # the first event, written by ``flow_start``
    PUBLISH = "publish"
    REJECT = "reject"
    CLAIM = "claim"
    RELEASE = "release"
    FULFIL = "fulfil"
    CONFIRM = "confirm"
    CANCEL = "cancel"


WISH_FLOW = Flow(
    subject=_("micro-wish"),
    states=WishState,
    initial=WishState.SUBMITTED,
    moves={
        WishAction.PUBLISH: Move(frozenset({WishState.SUBMITTED}), WishState.PUBLISHED, _("Publish")),
        WishAction.REJECT: Move(frozenset({WishState.SUBMITTED}), WishState.REJECTED, _("Reject")),
        WishAction.CLAIM: Move(frozenset({WishState.PUBLISHED}), WishState.CLAIMED, _("Claim")),
        WishAction.RELEASE: Move(frozenset({WishState.CLAIMED}), WishState.PUBLISHED, _("Release the claim")),
        WishAction.FULFIL: Move(frozenset({WishState.CLAIMED}), WishState.FULFILLED, _("Fulfil")),
        WishAction.CONFIRM: Move(frozenset({WishState.FULFILLED}), WishState.CONFIRMED, _("Confirm")),
        WishAction.CANCEL: Move(
            frozenset({WishState.SUBMITTED, WishState.PUBLISHED}), WishState.CANCELLED, _("Withdraw")
        ),
    },
)

ACTION_LABELS = {
    WishAction.CREATE: _("Posted"),
    WishAction.PUBLISH: _("Published"),
    WishAction.REJECT: _("Not accepted"),
    WishAction.CLAIM: _("Claimed"),
    WishAction.RELEASE: _("Claim released"),
    WishAction.FULFIL: _("Fulfilled"),
    WishAction.CONFIRM: _("Confirmed"),
    WishAction.CANCEL: _("Withdrawn"),
}
