"""Background tasks of the centres, run by the worker on the schedule in ``settings.GRIDWORK_SCHEDULE``."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from gridwork.centres.services import bookings_expire


@task()
def expire_pending_bookings() -> dict[str, Any]:
    """Pending bookings whose time has come without a decision are refused, and their bookers told."""
    return {"refused": bookings_expire()}
