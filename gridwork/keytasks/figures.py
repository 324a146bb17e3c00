"""The figures of a key task, over the items the reader may see (a community sees its own items' figures only).

- Items: how many are on the list (cancelled ones left out), done, under way, and overdue (under way past their
  deadline).
- Milestones: how many, done on time (done on or before the due date), done late, and overdue (not done, due date
  passed); the on-time rate is on-time ÷ milestones whose due date has passed or that are done.
- Progress: the mean of the items' last reported percent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from gridwork.keytasks.models import ItemState, ProjectItem

DEFINITIONS = (
    (_("Items"), _("Items of the project list, cancelled ones left out.")),
    (_("Items overdue"), _("Items still under way whose deadline has passed.")),
    (_("Milestones on time"), _("Milestones done on or before their due date.")),
    (_("Milestones overdue"), _("Milestones not done whose due date has passed.")),
    (
        _("On-time rate"),
        _("Milestones done on time ÷ milestones that are done or whose due date has passed (none: shown as —)."),
    ),
    (_("Mean progress"), _("The mean of the items' last reported percent.")),
)


@dataclass(frozen=True)
class TaskFigures:
    items: int = 0
    items_done: int = 0
    items_open: int = 0
    items_overdue: int = 0
    milestones: int = 0
    on_time: int = 0
    late: int = 0
    milestones_overdue: int = 0
    mean_percent: float = 0.0

    @property
    def on_time_rate(self) -> float | None:
        """Percent of the milestones that are due or done which were done on time."""
        judged = self.on_time + self.late + self.milestones_overdue
        return round(100 * self.on_time / judged, 1) if judged else None


def task_figures(items: Iterable[ProjectItem], *, today: date) -> TaskFigures:
    """The figures of the given items (with their milestones prefetched)."""
    counted = [item for item in items if item.state != ItemState.CANCELLED]
    on_time = late = overdue = total = 0
    for item in counted:
        for milestone in item.milestones.all():
            total += 1
            if milestone.done_on is not None:
                if milestone.done_on <= milestone.due_on:
                    on_time += 1
                else:
                    late += 1
            elif milestone.due_on < today:
                overdue += 1
    return TaskFigures(
        items=len(counted),
        items_done=sum(1 for item in counted if item.state == ItemState.DONE),
        items_open=sum(1 for item in counted if item.state == ItemState.OPEN),
        items_overdue=sum(1 for item in counted if item.state == ItemState.OPEN and item.deadline < today),
        milestones=total,
        on_time=on_time,
        late=late,
        milestones_overdue=overdue,
        mean_percent=round(sum(item.percent for item in counted) / len(counted), 1) if counted else 0.0,
    )
