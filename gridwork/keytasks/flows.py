"""The table of a key task's moves: a draft is activated (its project list is then worked on), an active task is
completed (when no item is still under way), a draft or active task is cancelled with its reason.

Who may make each move is the services' business (``gridwork.keytasks.services``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridwork.common.flows import START, Flow, Move
from gridwork.keytasks.models import TaskState


class TaskAction:
    CREATE = START
    ACTIVATE = "activate"
    COMPLETE = "complete"
    CANCEL = "cancel"


TASK_FLOW = Flow(
    subject=_("key task"),
    states=TaskState,
    initial=TaskState.DRAFT,
    moves={
        TaskAction.ACTIVATE: Move(frozenset({TaskState.DRAFT}), TaskState.ACTIVE, _("Start the task")),
        TaskAction.COMPLETE: Move(frozenset({TaskState.ACTIVE}), TaskState.COMPLETED, _("Mark completed")),
        TaskAction.CANCEL: Move(frozenset({TaskState.DRAFT, TaskState.ACTIVE}), TaskState.CANCELLED, _("Cancel")),
    },
)

ACTION_LABELS = {
    TaskAction.CREATE: _("Defined"),
    TaskAction.ACTIVATE: _("Started"),
    TaskAction.COMPLETE: _("Completed"),
    TaskAction.CANCEL: _("Cancelled"),
    "edit": _("Edited"),
}
