"""Background tasks of the closed loop, run by the worker on the schedule in ``settings.GRIDWORK_SCHEDULE``."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from gridwork.matters.retention import anonymise_closed


@task()
def anonymise() -> dict[str, Any]:
    """Remove the reporter's personal data from matters closed longer than ``GRIDWORK_PERSONAL_DATA_DAYS``."""
    done = anonymise_closed()
    return {"matters": done.matters, "skipped": done.skipped, "closed_before": done.before.isoformat()}
