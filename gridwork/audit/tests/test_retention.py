"""The audit log's retention: rows older than the period are purged with their links, a checkpoint keeps the chain
verifiable from where it now starts, and the database itself refuses to delete anything younger than six months."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.utils import timezone

from gridwork.audit import chain, retention, tasks, triggers
from gridwork.audit.models import AuditCheckpoint, AuditEvent, AuditSeal
from gridwork.audit.services import audit_record

pytestmark = pytest.mark.django_db


@contextmanager
def _clock(at: datetime) -> Iterator[None]:
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


def _write(count: int, *, days_ago: int, sealed_days_ago: int | None = None) -> list[AuditEvent]:
    """``count`` audit rows written ``days_ago`` and sealed ``sealed_days_ago`` (the same day by default)."""
    at = timezone.now() - timedelta(days=days_ago)
    with _clock(at):
        rows = [audit_record(actor=None, action="test.event", actor_name=f"u{n}") for n in range(count)]
    sealed_at = timezone.now() - timedelta(days=days_ago if sealed_days_ago is None else sealed_days_ago)
    chain.seal_pending(now=sealed_at)
    return rows


def _ids() -> set[int]:
    return set(AuditEvent.objects.values_list("pk", flat=True))


def test_purge_deletes_only_rows_older_than_the_period_and_the_chain_still_verifies() -> None:
    old = _write(4, days_ago=400)
    recent = _write(3, days_ago=10)
    done = retention.purge(days=365)
    assert done.rows == 4
    assert _ids() == {row.pk for row in recent}
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.sequence, done.checkpoint) == (4, 4)
    assert not AuditSeal.objects.filter(event_id__in=[row.pk for row in old]).exists()
    result = chain.verify()
    assert result.intact, result.findings
    assert result.sealed == 3
    # The chain goes on after the purge.
    _write(2, days_ago=0)
    result = chain.verify()
    assert result.intact, result.findings
    assert result.sealed == 5


def test_checkpoint_carries_the_last_purged_links_hash() -> None:
    _write(3, days_ago=500)
    head = AuditSeal.objects.order_by("-sequence").first()
    assert head is not None
    retention.purge(days=365)
    assert AuditCheckpoint.objects.get().hash == head.hash
    assert not AuditSeal.objects.exists()
    # With every link purged, the next row's link follows the checkpoint, not the genesis hash.
    _write(1, days_ago=0)
    link = AuditSeal.objects.get()
    assert (link.sequence, link.prev_hash) == (4, head.hash)
    assert chain.verify().intact


def test_purge_stops_at_the_first_link_that_is_not_old_enough() -> None:
    _write(2, days_ago=400)
    _write(1, days_ago=400, sealed_days_ago=100)  # written long ago, sealed late: its link is recent
    _write(2, days_ago=390)
    done = retention.purge(days=365)
    assert done.rows == 2
    assert AuditEvent.objects.count() == 3
    assert chain.verify().intact


def test_an_edit_after_a_purge_is_found() -> None:
    _write(2, days_ago=400)
    recent = _write(2, days_ago=5)
    retention.purge(days=365)
    triggers.remove(connection, "audit_auditevent")
    try:
        AuditEvent.objects.filter(pk=recent[1].pk).update(actor_name="someone else")
    finally:
        triggers.install(connection, "audit_auditevent")
    assert [(finding.kind, finding.event_id) for finding in chain.verify().findings] == [("edited", recent[1].pk)]


def test_the_database_refuses_deleting_a_row_younger_than_six_months() -> None:
    young = _write(1, days_ago=triggers.RETAIN_DAYS - 2)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=young.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditSeal.objects.filter(event_id=young.pk).delete()
    assert AuditEvent.objects.filter(pk=young.pk).exists()


def test_the_database_refuses_updating_even_an_old_row() -> None:
    old = _write(1, days_ago=400)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=old.pk).update(actor_name="rewritten")
    assert AuditEvent.objects.get(pk=old.pk).actor_name == "u0"


def test_checkpoints_are_append_only() -> None:
    _write(2, days_ago=400)
    retention.purge(days=365)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditCheckpoint.objects.update(sequence=0)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditCheckpoint.objects.all().delete()
    assert AuditCheckpoint.objects.get().sequence == 2


def test_a_period_shorter_than_six_months_is_refused() -> None:
    _write(1, days_ago=400)
    with pytest.raises(ValueError, match="183"):
        retention.purge(days=100)
    with override_settings(GRIDWORK_AUDIT_RETENTION_DAYS=90):
        assert [message.id for message in checks.run_checks() if message.id.startswith("audit.")] == ["audit.E001"]
        with pytest.raises(CommandError):
            call_command("audit_purge", stdout=StringIO())
    assert AuditEvent.objects.count() == 1


@override_settings(GRIDWORK_AUDIT_RETENTION_DAYS=365)
def test_the_command_purges_with_the_setting() -> None:
    _write(2, days_ago=366)
    _write(1, days_ago=364)
    out = StringIO()
    call_command("audit_purge", stdout=out)
    assert "2 purged" in out.getvalue()
    assert "position 2" in out.getvalue()
    assert AuditEvent.objects.count() == 1


def test_nothing_to_purge_writes_no_checkpoint() -> None:
    _write(2, days_ago=30)
    assert retention.purge(days=365).rows == 0
    assert not AuditCheckpoint.objects.exists()


@override_settings(GRIDWORK_AUDIT_RETENTION_DAYS=200)
def test_the_nightly_job_seals_then_purges() -> None:
    with _clock(timezone.now() - timedelta(days=250)):
        audit_record(actor=None, action="test.event", actor_name="unsealed yet")
    result = tasks.purge.call()
    assert (result["purged"], result["checkpoint"]) == (0, None)  # sealed just now: the link is too young
    assert AuditSeal.objects.count() == 1
