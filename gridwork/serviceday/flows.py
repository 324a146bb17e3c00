"""The tables of the service day's moves.

A cycle moves through its five stages, one completion each: collect → sort (the collection is closed) → serve (the
items are sorted and their helpers named) → evaluate (the service day's results are recorded) → summary (the feedback
is published) → closed (the summary is published). When each may be completed is the calendar's business
(``calendar.completable_from``), what each needs is the services'.

An item is planned, then done or not done on the service day (a result may be corrected to the other while the cycle
is still at its service day); a planned item may be edited or dropped while the cycle sorts or prepares the day.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridwork.common.flows import START, Flow, Move
from gridwork.serviceday.models import CycleState, ItemState


class CycleAction:
    OPEN = START
    CLOSE_COLLECTION = "close_collection"
    FINISH_SORTING = "finish_sorting"
    FINISH_SERVICE_DAY = "finish_service_day"
    PUBLISH_FEEDBACK = "publish_feedback"
    PUBLISH_SUMMARY = "publish_summary"


CYCLE_FLOW = Flow(
    subject=_("service day cycle"),
    states=CycleState,
    initial=CycleState.COLLECT,
    moves={
        CycleAction.CLOSE_COLLECTION: Move(
            frozenset({CycleState.COLLECT}), CycleState.SORT, _("Close the collection of opinions")
        ),
        CycleAction.FINISH_SORTING: Move(frozenset({CycleState.SORT}), CycleState.SERVE, _("Finish sorting")),
        CycleAction.FINISH_SERVICE_DAY: Move(
            frozenset({CycleState.SERVE}), CycleState.EVALUATE, _("Finish the service day")
        ),
        CycleAction.PUBLISH_FEEDBACK: Move(
            frozenset({CycleState.EVALUATE}), CycleState.SUMMARY, _("Publish the feedback")
        ),
        CycleAction.PUBLISH_SUMMARY: Move(frozenset({CycleState.SUMMARY}), CycleState.CLOSED, _("Publish the summary")),
    },
)

# The move that completes each stage.
COMPLETES: dict[str, str] = {
    CycleState.COLLECT: CycleAction.CLOSE_COLLECTION,
    CycleState.SORT: CycleAction.FINISH_SORTING,
    CycleState.SERVE: CycleAction.FINISH_SERVICE_DAY,
    CycleState.EVALUATE: CycleAction.PUBLISH_FEEDBACK,
    CycleState.SUMMARY: CycleAction.PUBLISH_SUMMARY,
}

CYCLE_ACTION_LABELS = {
    CycleAction.OPEN: _("Cycle opened"),
    CycleAction.CLOSE_COLLECTION: _("Collection closed"),
    CycleAction.FINISH_SORTING: _("Sorting finished"),
    CycleAction.FINISH_SERVICE_DAY: _("Service day's results recorded"),
    CycleAction.PUBLISH_FEEDBACK: _("Feedback published"),
    CycleAction.PUBLISH_SUMMARY: _("Summary published"),
}


class ItemAction:
    CREATE = START
    EDIT = "edit"
    DONE = "done"
    NOT_DONE = "not_done"
    DROP = "drop"


ITEM_FLOW = Flow(
    subject=_("service day item"),
    states=ItemState,
    initial=ItemState.PLANNED,
    moves={
        ItemAction.EDIT: Move(frozenset({ItemState.PLANNED}), ItemState.PLANNED, _("Edit")),
        ItemAction.DONE: Move(frozenset({ItemState.PLANNED, ItemState.NOT_DONE}), ItemState.DONE, _("Record as done")),
        ItemAction.NOT_DONE: Move(
            frozenset({ItemState.PLANNED, ItemState.DONE}), ItemState.NOT_DONE, _("Record as not done")
        ),
        ItemAction.DROP: Move(frozenset({ItemState.PLANNED}), ItemState.DROPPED, _("Drop")),
    },
)

ITEM_ACTION_LABELS = {
    ItemAction.CREATE: _("Item made"),
    ItemAction.EDIT: _("Item edited"),
    ItemAction.DONE: _("Done on the service day"),
    ItemAction.NOT_DONE: _("Not done on the service day"),
    ItemAction.DROP: _("Item dropped"),
}
