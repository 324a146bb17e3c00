"""Background tasks of key tasks, run by the worker on the schedule in ``settings.GRIDWORK_SCHEDULE``."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from gridwork.keytasks.services import milestones_warn


@task()
def warn_milestones() -> dict[str, Any]:
    """Milestones due within N working days, and overdue ones, warned to their responsible people (each once)."""
    return milestones_warn()
