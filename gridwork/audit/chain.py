"""The audit log's hash chain (等保 2.0: the integrity of audit records).

Each audit row, once committed, is *sealed*: an ``AuditSeal`` row gives it the next position in the chain and
``hash = SHA-256(previous hash, position, the row's canonical content)``. Both tables are append-only for the
application (database triggers), so editing or deleting a row needs someone who can lift the triggers — a database
superuser — and then ``verify`` finds it: the row's content no longer gives its seal's hash (edited), the seal points
at a missing row (deleted), a seal is missing from the sequence or carries another previous hash (a seal removed or
forged), or an old row has no seal at all (slipped in behind the log's back). Rewriting the whole chain after an edit
would need every later hash recomputed: the head hash printed by ``audit_verify`` (and written to the application
log each sealing) is what an outside record of it catches.

Sealing runs after the request, not in it (``seal_pending``, every minute on the schedule and by ``audit_seal``):
no user's request waits on the chain's lock. Rows are sealed in the order they become visible (committed), which on
PostgreSQL is not always the order of their ids; a row committed late is sealed in the next run.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from gridwork.audit.models import AuditCheckpoint, AuditEvent, AuditSeal
from gridwork.common.locks import advisory_xact_lock

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
# A row must be sealed within this long of being written; an older unsealed row is a finding of ``verify``.
SEAL_GRACE = timedelta(minutes=15)
# How far back a run looks for rows that committed after later ones were sealed (PostgreSQL's ids are handed out
# at insert, rows become visible at commit): a transaction open longer than this would be sealed by no run.
LATE_COMMIT_WINDOW = timedelta(hours=6)
BATCH = 2000
_LOCK_KEY = 0x6772_6964_6175_6474  # "gridaudt": the PostgreSQL advisory lock of the chain's head

CONTENT_FIELDS = (
    "id",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "ip_address",
    "detail",
)


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def content_of(row: dict[str, Any]) -> str:
    """A row's content as the chain hashes it: its fields as stored, in one JSON text with sorted keys."""
    return json.dumps(
        {name: _canonical(row[name]) for name in CONTENT_FIELDS},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


def link_hash(previous: str, sequence: int, content: str) -> str:
    return hashlib.sha256(f"{previous}\n{sequence}\n{content}".encode()).hexdigest()


def lock_head() -> None:
    """One sealer at a time: PostgreSQL takes an advisory lock for the transaction; SQLite's IMMEDIATE transactions
    already hold the database's write lock from their start."""
    advisory_xact_lock(_LOCK_KEY)


def _start() -> tuple[int, str]:
    """Where the chain starts: position 0 and the genesis hash, or the last purge's checkpoint."""
    checkpoint = AuditCheckpoint.objects.order_by("-sequence").values("sequence", "hash").first()
    return (checkpoint["sequence"], checkpoint["hash"]) if checkpoint else (0, GENESIS)


def _head() -> tuple[int, str]:
    head = AuditSeal.objects.order_by("-sequence").values("sequence", "hash").first()
    return (head["sequence"], head["hash"]) if head else _start()


def _unsealed(*, now: datetime) -> Any:
    sealed = AuditSeal.objects.filter(event_id=OuterRef("pk"))
    last_sealed = AuditSeal.objects.aggregate(last=Max("event_id"))["last"] or 0
    recent = Q(pk__gt=last_sealed) | Q(at__gte=now - LATE_COMMIT_WINDOW)
    return AuditEvent.objects.filter(recent).filter(~Exists(sealed)).order_by("pk").values(*CONTENT_FIELDS)


def seal_pending(*, now: datetime | None = None, limit: int = 50_000) -> int:
    """Seal the committed rows not yet sealed, oldest first; returns how many were sealed."""
    now = now or timezone.now()
    sealed = 0
    while sealed < limit:
        with transaction.atomic():
            lock_head()
            sequence, previous = _head()
            rows = list(_unsealed(now=now)[: min(BATCH, limit - sealed)])
            if not rows:
                break
            seals = []
            for row in rows:
                sequence += 1
                current = link_hash(previous, sequence, content_of(row))
                seals.append(
                    AuditSeal(sequence=sequence, event_id=row["id"], prev_hash=previous, hash=current, sealed_at=now)
                )
                previous = current
            AuditSeal.objects.bulk_create(seals)
            sealed += len(seals)
    if sealed:
        logger.info("audit chain: sealed %s rows; head %s", sealed, AuditSeal.objects.order_by("-sequence")[0].hash)
    return sealed


@dataclass
class Finding:
    kind: str  # edited | deleted | broken | unsealed
    sequence: int | None
    event_id: int | None
    detail: str


@dataclass
class Verification:
    sealed: int = 0
    unsealed_recent: int = 0
    head: str = GENESIS
    findings: list[Finding] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.findings


def _seals_in_order(after: int) -> Iterator[Any]:
    while True:
        chunk = list(
            AuditSeal.objects.filter(sequence__gt=after)
            .order_by("sequence")
            .values("sequence", "event_id", "prev_hash", "hash")[:BATCH]
        )
        if not chunk:
            return
        yield from chunk
        after = chunk[-1]["sequence"]


def verify(*, now: datetime | None = None, max_findings: int = 100) -> Verification:
    """Walk the whole chain and recompute every hash from the rows as they are now; report what does not match."""
    now = now or timezone.now()
    result = Verification()
    start, previous = _start()
    expected_sequence = start + 1
    pending: list[dict[str, Any]] = []

    def check(batch: list[dict[str, Any]]) -> None:
        ids = [seal["event_id"] for seal in batch]
        rows = {row["id"]: row for row in AuditEvent.objects.filter(pk__in=ids).values(*CONTENT_FIELDS)}
        for seal in batch:
            row = rows.get(seal["event_id"])
            if row is None:
                result.findings.append(
                    Finding("deleted", seal["sequence"], seal["event_id"], "the sealed audit row is gone")
                )
            elif link_hash(seal["prev_hash"], seal["sequence"], content_of(row)) != seal["hash"]:
                result.findings.append(
                    Finding("edited", seal["sequence"], seal["event_id"], "the row's content no longer gives its hash")
                )

    for seal in _seals_in_order(start):
        if seal["sequence"] != expected_sequence or seal["prev_hash"] != previous:
            result.findings.append(
                Finding(
                    "broken",
                    seal["sequence"],
                    seal["event_id"],
                    f"expected position {expected_sequence} after hash {previous[:12]}…",
                )
            )
        expected_sequence, previous = seal["sequence"] + 1, seal["hash"]
        result.sealed += 1
        pending.append(seal)
        if len(pending) >= BATCH:
            check(pending)
            pending = []
        if len(result.findings) >= max_findings:
            break
    if pending:
        check(pending)
    result.head = previous
    sealed = AuditSeal.objects.filter(event_id=OuterRef("pk"))
    unsealed = AuditEvent.objects.filter(~Exists(sealed))
    result.unsealed_recent = unsealed.filter(at__gte=now - SEAL_GRACE).count()
    for row in unsealed.filter(at__lt=now - SEAL_GRACE).order_by("pk").values("id", "at")[:max_findings]:
        result.findings.append(
            Finding("unsealed", None, row["id"], f"written {row['at']:%Y-%m-%d %H:%M:%S} and never sealed")
        )
    return result
