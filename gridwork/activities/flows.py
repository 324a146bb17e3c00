"""The table of an activity's moves: created planned; the minutes recorded after it began make it held (recorded
again to amend them); a planned activity may be cancelled (its room booking is cancelled with it); the check-in
token may be rotated while it is planned (the old QR link stops working).

Who may make each move is the services' business (``gridwork.activities.services``); this table says only from which
states each move goes and where to.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridwork.activities.models import ActivityState
from gridwork.common.flows import START, Flow, Move


class ActivityAction:
    CREATE = START  # the first event, written by ``flow_start``
    RECORD_MINUTES = "record_minutes"
    CANCEL = "cancel"
    ROTATE_TOKEN = "rotate_token"  # noqa: S105  (an action's name, not a secret)


_PLANNED = frozenset({ActivityState.PLANNED})

ACTIVITY_FLOW = Flow(
    subject=_("activity"),
    states=ActivityState,
    initial=ActivityState.PLANNED,
    moves={
        ActivityAction.RECORD_MINUTES: Move(
            frozenset({ActivityState.PLANNED, ActivityState.HELD}), ActivityState.HELD, _("Record the minutes")
        ),
        ActivityAction.CANCEL: Move(_PLANNED, ActivityState.CANCELLED, _("Cancel the activity")),
        ActivityAction.ROTATE_TOKEN: Move(_PLANNED, ActivityState.PLANNED, _("Make a new check-in code")),
    },
)

ACTION_LABELS = {
    ActivityAction.CREATE: _("Created"),
    ActivityAction.RECORD_MINUTES: _("Minutes recorded"),
    ActivityAction.CANCEL: _("Cancelled"),
    ActivityAction.ROTATE_TOKEN: _("New check-in code"),
}
