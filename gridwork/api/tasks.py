"""Background tasks of the API, run by the worker on the schedule in ``settings.GRIDWORK_SCHEDULE``."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from gridwork.api.models import ApiIdempotencyKey

IDEMPOTENCY_KEY_DAYS = 7


def prune_idempotency_keys(*, days: int = IDEMPOTENCY_KEY_DAYS) -> int:
    """Forget answers older than ``days``: a retry later than that is a new request. Returns how many were removed."""
    removed, _ = ApiIdempotencyKey.objects.filter(created_at__lt=timezone.now() - timedelta(days=days)).delete()
    return removed


@task()
def prune_old_idempotency_keys() -> dict[str, int]:
    return {"removed": prune_idempotency_keys()}
