"""Background tasks of the screening, run by the worker on the schedule in ``settings.GRIDWORK_SCHEDULE``."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from gridwork.screening.services import screening_remind


@task()
def remind_unscreened() -> dict[str, Any]:
    """排查提醒: on the due day of the month, remind the grid workers of the grids not yet screened (runs daily; acts
    only on the due day, once per worker)."""
    return {"reminded": screening_remind()}
