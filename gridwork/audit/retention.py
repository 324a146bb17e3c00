"""The audit log's retention: rows older than ``GRIDWORK_AUDIT_RETENTION_DAYS`` (never less than six months, the
网络安全法's minimum for network logs, which the database's triggers enforce too) are deleted, oldest first, with
their links of the hash chain; an ``AuditCheckpoint`` records where the chain now starts, so that verification goes
on from the last purged link's hash instead of from the beginning.

The purge follows the chain's order and stops at the first link whose row (or the link itself) is not old enough:
what remains is always an unbroken tail of the chain.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gridwork.audit.chain import BATCH, lock_head
from gridwork.audit.models import AuditCheckpoint, AuditEvent, AuditSeal
from gridwork.audit.triggers import RETAIN_DAYS

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Purge:
    before: datetime
    rows: int
    checkpoint: int | None  # the chain position the log now starts after, if anything was purged


def retention_days() -> int:
    days = int(settings.GRIDWORK_AUDIT_RETENTION_DAYS)
    if days < RETAIN_DAYS:
        raise ValueError(f"GRIDWORK_AUDIT_RETENTION_DAYS must be at least {RETAIN_DAYS} (six months).")
    return days


def last_checkpoint() -> AuditCheckpoint | None:
    return AuditCheckpoint.objects.order_by("-sequence").first()


def _purgeable_prefix(*, after: int, before: datetime, limit: int) -> list[dict[str, Any]]:
    """The links after position ``after``, in order, up to the first one not old enough (row or link)."""
    links: list[Any] = list(
        AuditSeal.objects.filter(sequence__gt=after)
        .order_by("sequence")
        .values("sequence", "event_id", "hash", "sealed_at")[:limit]
    )
    times = dict(AuditEvent.objects.filter(pk__in=[link["event_id"] for link in links]).values_list("pk", "at"))
    prefix = []
    for link in links:
        at = times.get(link["event_id"])
        if at is None or at >= before or link["sealed_at"] >= before:
            break
        prefix.append(link)
    return prefix


def purge(*, now: datetime | None = None, days: int | None = None, limit: int = 100_000) -> Purge:
    """Delete the audit rows and links older than the retention period; returns what was done."""
    now = now or timezone.now()
    days = retention_days() if days is None else days
    if days < RETAIN_DAYS:
        raise ValueError(f"audit rows are kept at least {RETAIN_DAYS} days")
    before = now - timedelta(days=days)
    purged, checkpoint = 0, None
    while purged < limit:
        with transaction.atomic():
            lock_head()
            start = last_checkpoint()
            links = _purgeable_prefix(
                after=start.sequence if start else 0, before=before, limit=min(BATCH, limit - purged)
            )
            if not links:
                break
            last = links[-1]
            AuditCheckpoint.objects.create(
                sequence=last["sequence"],
                hash=last["hash"],
                before=before,
                rows_purged=len(links),
                created_at=now,
            )
            AuditEvent.objects.filter(pk__in=[link["event_id"] for link in links]).delete()
            AuditSeal.objects.filter(sequence__lte=last["sequence"]).delete()
            purged += len(links)
            checkpoint = last["sequence"]
    if purged:
        logger.info("audit log: purged %s rows older than %s; the chain starts after %s", purged, before, checkpoint)
    return Purge(before=before, rows=purged, checkpoint=checkpoint)
