"""Background tasks of the outbound webhooks: send one delivery now (enqueued after the commit that wrote it), and
the periodic retry of everything due, run every minute from ``settings.GRIDWORK_SCHEDULE``."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from gridwork.webhooks.services import deliveries_send_due, delivery_attempt


@task()
def deliver(delivery_id: int) -> dict[str, Any]:
    """The first attempt of a new (or redelivered) delivery; nothing if another sender has it or it is not due."""
    outcome = delivery_attempt(delivery_id=delivery_id)
    return outcome.as_dict() if outcome is not None else {"delivery_id": delivery_id, "attempted": False}


@task()
def deliver_due() -> dict[str, int]:
    """Every pending delivery whose time has come: retries after the back-off, and any the immediate task missed."""
    return deliveries_send_due().as_dict()
