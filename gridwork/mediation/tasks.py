"""Background tasks of the dispute cases, run by the worker on the schedule in ``settings.GRIDWORK_SCHEDULE``."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from gridwork.mediation.services.agreements import followups_remind


@task()
def remind_follow_ups() -> dict[str, Any]:
    """回访提醒: the follow-ups of agreements due today, told to the community's dispute staff and the mediator."""
    return {"reminded": followups_remind()}
