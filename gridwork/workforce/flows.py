"""The table of a community worker's moves. Every change to a worker is an event of the worker (``WorkerEvent``,
append-only): appointment, edits of the record, a move to another community, a regrade, leaving and returning. Who
may make each move is the services' rule."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridwork.common.flows import Flow, Move
from gridwork.workforce.models import WorkerState


class WorkerAction:
    EDIT = "edit"
    MOVE = "move"
    REGRADE = "regrade"
    LEAVE = "leave"
    RETURN = "return"


SERVING = frozenset({WorkerState.SERVING})

WORKER_FLOW = Flow(
    subject=_("worker"),
    states=WorkerState,
    initial=WorkerState.SERVING,
    moves={
        WorkerAction.EDIT: Move(SERVING, WorkerState.SERVING, _("Edit")),
        WorkerAction.MOVE: Move(SERVING, WorkerState.SERVING, _("Move to another community")),
        WorkerAction.REGRADE: Move(SERVING, WorkerState.SERVING, _("Change post or grade")),
        WorkerAction.LEAVE: Move(SERVING, WorkerState.LEFT, _("Leave")),
        WorkerAction.RETURN: Move(frozenset({WorkerState.LEFT}), WorkerState.SERVING, _("Return to service")),
    },
)
