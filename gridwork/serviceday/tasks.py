"""Background task of the service day, run by the worker on the schedule in ``settings.GRIDWORK_SCHEDULE``."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from gridwork.serviceday.services.cycles import serviceday_daily


@task()
def run_service_days() -> dict[str, Any]:
    """便民服务日: open this month's cycle for every community, remind the staff of the stages opening or due today,
    and of the stages gone late (runs daily; each reminder goes out once)."""
    return serviceday_daily()
