"""Background tasks of supervision, run by the worker on the schedule in ``settings.GRIDWORK_SCHEDULE``."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from gridwork.supervision.sweep import run_sweep


@task()
def sweep_deadlines() -> dict[str, Any]:
    """The deadline sweep (``supervision.sweep``); what it raised is returned as the task's result."""
    return run_sweep().as_dict()
