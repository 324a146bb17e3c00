"""Background tasks of the audit log, run by the worker on the schedule in ``settings.GRIDWORK_SCHEDULE``."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from gridwork.audit import retention
from gridwork.audit.chain import seal_pending


@task()
def seal() -> dict[str, Any]:
    """Seal the audit rows committed since the last run into the hash chain."""
    return {"sealed": seal_pending()}


@task()
def purge() -> dict[str, Any]:
    """Delete the audit rows older than the retention period, moving the chain's checkpoint past them."""
    seal_pending()
    done = retention.purge()
    return {"purged": done.rows, "before": done.before.isoformat(), "checkpoint": done.checkpoint}
