"""Background tasks of analysis, run by the worker on the schedule in ``settings.GRIDWORK_SCHEDULE``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django_tasks import task

from gridwork.analytics import rises


@task()
def detect_rises(day: str | None = None) -> dict[str, Any]:
    """研判 of one day (ISO date; by default yesterday, China time): the alerts written are the task's result."""
    on = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    return rises.detect_rises(on).as_dict()
