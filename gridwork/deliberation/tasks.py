"""Background tasks of the deliberation app, run by the worker on the schedule in ``settings.GRIDWORK_SCHEDULE``."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from gridwork.deliberation.services import deliberations_remind_meetings


@task()
def remind_meetings() -> dict[str, Any]:
    """Tell the community's staff, once per deliberation, that voting has ended and the meeting is to be recorded."""
    return {"reminded": deliberations_remind_meetings()}
