"""Background tasks of the property companies, run by the worker on the schedule in ``settings.GRIDWORK_SCHEDULE``."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from gridwork.propertyfirms.services import recognitions_expire


@task()
def expire_recognitions() -> dict[str, Any]:
    """Red property recognitions whose period has passed are marked expired, so that a new one can be decided."""
    return {"expired": recognitions_expire()}
