"""Background tasks of the activities, run by the worker on the schedule in ``settings.GRIDWORK_SCHEDULE``."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from gridwork.activities.services.life import life_warn_gaps


@task()
def warn_life_gaps() -> dict[str, Any]:
    """组织生活提醒: tell the community's staff of each branch meeting not held in the month or quarter that ended last
    (runs daily; each gap is told once)."""
    return {"warned": life_warn_gaps()}
