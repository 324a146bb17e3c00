"""The tables of moves of needs, resources and projects. Who may make each move is the services' rule.

Moves whose source and target are the same state only record (an edit, a match made, a milestone added or done):
they still go through the compare-and-set, so an edit on a stale page is refused, and they leave an event.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridwork.cobuild.models import NeedState, ProjectState, ResourceState
from gridwork.common.flows import Flow, Move


class NeedAction:
    EDIT = "edit"
    MATCH = "match"
    MEET = "meet"
    REOPEN = "reopen"
    WITHDRAW = "withdraw"


NEED_FLOW = Flow(
    subject=_("need"),
    states=NeedState,
    initial=NeedState.OPEN,
    moves={
        NeedAction.EDIT: Move(frozenset({NeedState.OPEN}), NeedState.OPEN, _("Edit")),
        NeedAction.MATCH: Move(frozenset({NeedState.OPEN}), NeedState.OPEN, _("Match a resource")),
        NeedAction.MEET: Move(frozenset({NeedState.OPEN}), NeedState.MET, _("Mark as met")),
        NeedAction.REOPEN: Move(frozenset({NeedState.MET}), NeedState.OPEN, _("Reopen")),
        NeedAction.WITHDRAW: Move(frozenset({NeedState.OPEN}), NeedState.WITHDRAWN, _("Withdraw")),
    },
)


class ResourceAction:
    EDIT = "edit"
    USE_UP = "use_up"
    RESTORE = "restore"
    WITHDRAW = "withdraw"


RESOURCE_FLOW = Flow(
    subject=_("resource"),
    states=ResourceState,
    initial=ResourceState.AVAILABLE,
    moves={
        ResourceAction.EDIT: Move(frozenset({ResourceState.AVAILABLE}), ResourceState.AVAILABLE, _("Edit")),
        ResourceAction.USE_UP: Move(frozenset({ResourceState.AVAILABLE}), ResourceState.USED_UP, _("Mark as used up")),
        ResourceAction.RESTORE: Move(
            frozenset({ResourceState.USED_UP}), ResourceState.AVAILABLE, _("Make available again")
        ),
        ResourceAction.WITHDRAW: Move(
            frozenset({ResourceState.AVAILABLE, ResourceState.USED_UP}), ResourceState.WITHDRAWN, _("Withdraw")
        ),
    },
)


class ProjectAction:
    EDIT = "edit"
    ADD_MILESTONE = "add_milestone"
    MILESTONE_DONE = "milestone_done"
    START = "start"
    FINISH = "finish"
    CANCEL = "cancel"


_LIVE = frozenset({ProjectState.PLANNED, ProjectState.UNDER_WAY})

PROJECT_FLOW = Flow(
    subject=_("project"),
    states=ProjectState,
    initial=ProjectState.PLANNED,
    moves={
        ProjectAction.EDIT: Move(frozenset({ProjectState.PLANNED}), ProjectState.PLANNED, _("Edit")),
        ProjectAction.ADD_MILESTONE: Move(
            frozenset({ProjectState.PLANNED}), ProjectState.PLANNED, _("Add a milestone")
        ),
        ProjectAction.START: Move(frozenset({ProjectState.PLANNED}), ProjectState.UNDER_WAY, _("Start")),
        ProjectAction.MILESTONE_DONE: Move(
            frozenset({ProjectState.UNDER_WAY}), ProjectState.UNDER_WAY, _("Milestone done")
        ),
        ProjectAction.FINISH: Move(frozenset({ProjectState.UNDER_WAY}), ProjectState.DONE, _("Mark as done")),
        ProjectAction.CANCEL: Move(_LIVE, ProjectState.CANCELLED, _("Cancel")),
    },
)
