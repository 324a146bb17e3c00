"""The table of a room booking's moves: a booking starts pending (the centre approves its bookings) or confirmed (it
does not, or a manager of the centre booked it); a manager approves or refuses a pending booking (a refusal with its
reason); the booker or a manager cancels a pending or confirmed one. Refused and cancelled bookings free their slot.

Who may make each move is the services' business (``gridwork.centres.services``); this table says only from which
states each move goes and where to.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridwork.centres.models import BookingState
from gridwork.common.flows import START, Flow, Move


class BookingAction:
    BOOK = START  # the first event, written by ``flow_start``
    APPROVE = "approve"
    REFUSE = "refuse"
    CANCEL = "cancel"


_MOVES = {
    BookingAction.APPROVE: Move(frozenset({BookingState.PENDING}), BookingState.CONFIRMED, _("Approve")),
    BookingAction.REFUSE: Move(frozenset({BookingState.PENDING}), BookingState.REFUSED, _("Refuse")),
    BookingAction.CANCEL: Move(
        frozenset({BookingState.PENDING, BookingState.CONFIRMED}), BookingState.CANCELLED, _("Cancel the booking")
    ),
}

BOOKING_FLOW = Flow(subject=_("room booking"), states=BookingState, initial=BookingState.PENDING, moves=_MOVES)
# The same table for a booking that needs no approval: it starts confirmed.
BOOKING_FLOW_CONFIRMED = Flow(
    subject=_("room booking"), states=BookingState, initial=BookingState.CONFIRMED, moves=_MOVES
)

ACTION_LABELS = {
    BookingAction.BOOK: pgettext_lazy("room booking", "Booked"),
    BookingAction.APPROVE: _("Approved"),
    BookingAction.REFUSE: _("Refused"),
    BookingAction.CANCEL: _("Cancelled"),
}
