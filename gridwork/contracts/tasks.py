"""Background tasks of the contracts, run by the worker on the schedule in ``settings.GRIDWORK_SCHEDULE``."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from gridwork.contracts.services import contracts_warn_expiring


@task()
def warn_expiring() -> dict[str, Any]:
    """到期提醒: warn of the published contracts whose term ends within 30 days, once each."""
    return {"warned": contracts_warn_expiring()}
