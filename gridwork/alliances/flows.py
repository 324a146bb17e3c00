"""The table of an alliance's moves (党建联盟). An active alliance changes without changing state — edited, members
joining and leaving, the chair order changed or handed over, meetings recorded — each move an event of the
alliance; dissolving it ends it. Who may make each move is the services' business (``gridwork.alliances.services``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridwork.alliances.models import AllianceState
from gridwork.common.flows import Flow, Move


class AllianceAction:
    CREATE = "create"  # the first event, written by ``flow_start``
    UPDATE = "update"
    JOIN = "join"
    LEAVE = "leave"
    ORDER = "order"
    HAND_OVER = "hand_over"
    MEETING = "meeting"
    DISSOLVE = "dissolve"


_ACTIVE = frozenset({AllianceState.ACTIVE})

ALLIANCE_FLOW = Flow(
    subject=_("alliance"),
    states=AllianceState,
    initial=AllianceState.ACTIVE,
    moves={
        AllianceAction.UPDATE: Move(_ACTIVE, AllianceState.ACTIVE, _("Edit")),
        AllianceAction.JOIN: Move(_ACTIVE, AllianceState.ACTIVE, _("Add members")),
        AllianceAction.LEAVE: Move(_ACTIVE, AllianceState.ACTIVE, _("Record a member leaving")),
        AllianceAction.ORDER: Move(_ACTIVE, AllianceState.ACTIVE, _("Change the chair order")),
        AllianceAction.HAND_OVER: Move(_ACTIVE, AllianceState.ACTIVE, _("Hand over the chair")),
        AllianceAction.MEETING: Move(_ACTIVE, AllianceState.ACTIVE, _("Record a joint meeting")),
        AllianceAction.DISSOLVE: Move(_ACTIVE, AllianceState.DISSOLVED, _("Dissolve")),
    },
)

ACTION_LABELS = {
    AllianceAction.CREATE: _("Formed"),
    AllianceAction.UPDATE: _("Edited"),
    AllianceAction.JOIN: _("Members joined"),
    AllianceAction.LEAVE: _("A member left"),
    AllianceAction.ORDER: _("Chair order changed"),
    AllianceAction.HAND_OVER: _("Chair handed over"),
    AllianceAction.MEETING: _("Joint meeting recorded"),
    AllianceAction.DISSOLVE: _("Dissolved"),
}
