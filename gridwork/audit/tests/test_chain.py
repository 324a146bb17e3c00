"""The audit log's hash chain: sealing links every committed row; verification recomputes the chain and finds a row
edited, deleted or slipped in by someone who lifted the append-only triggers (a database superuser), and a link
removed. The application itself can change neither table."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from gridwork.audit import chain, triggers
from gridwork.audit.models import AuditEvent, AuditSeal
from gridwork.audit.services import audit_record
from gridwork.common.tests.racing import race

pytestmark = pytest.mark.django_db


def _write(count: int, *, start: int = 0) -> list[AuditEvent]:
    return [
        audit_record(actor=None, action="test.event", actor_name=f"user{n}", detail={"n": n, "名": "张三"})
        for n in range(start, start + count)
    ]


@contextmanager
def _as_superuser(table: str) -> Iterator[None]:
    """What a database superuser can do and the application cannot: lift the table's triggers for a moment."""
    triggers.remove(connection, table)
    try:
        yield
    finally:
        triggers.install(connection, table)


def _findings(result: chain.Verification) -> list[tuple[str, int | None]]:
    return [(finding.kind, finding.event_id) for finding in result.findings]


def test_sealing_links_every_row_and_the_chain_verifies() -> None:
    rows = _write(5)
    assert chain.seal_pending() == 5
    seals = list(AuditSeal.objects.order_by("sequence"))
    assert [seal.event_id for seal in seals] == [row.pk for row in rows]
    assert [seal.sequence for seal in seals] == [1, 2, 3, 4, 5]
    assert seals[0].prev_hash == chain.GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(seals))
    result = chain.verify()
    assert result.intact, result.findings
    assert (result.sealed, result.head) == (5, seals[-1].hash)


def test_sealing_again_seals_only_the_new_rows() -> None:
    _write(3)
    chain.seal_pending()
    head = AuditSeal.objects.order_by("-sequence")[0].hash
    assert chain.seal_pending() == 0
    _write(2, start=3)
    assert chain.seal_pending() == 2
    assert AuditSeal.objects.get(sequence=4).prev_hash == head
    assert chain.verify().intact


def test_a_row_committed_after_later_ones_were_sealed_is_sealed_in_the_next_run() -> None:
    """On PostgreSQL a row with a lower id can commit after a higher one was sealed; the next run still seals it."""
    early, late = _write(2)
    # Seal only the later row, as a run would that saw it before the earlier transaction committed.
    AuditSeal.objects.create(
        sequence=1,
        event_id=late.pk,
        prev_hash=chain.GENESIS,
        hash=chain.link_hash(chain.GENESIS, 1, chain.content_of(_row(late))),
        sealed_at=timezone.now(),
    )
    assert chain.seal_pending() == 1
    assert AuditSeal.objects.get(sequence=2).event_id == early.pk
    assert chain.verify().intact


def _row(event: AuditEvent) -> dict[str, Any]:
    return AuditEvent.objects.filter(pk=event.pk).values(*chain.CONTENT_FIELDS).get()


def test_the_application_can_change_neither_rows_nor_links() -> None:
    row = _write(1)[0]
    chain.seal_pending()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=row.pk).update(detail={"n": 99})
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditSeal.objects.filter(event_id=row.pk).update(hash="0" * 64)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditSeal.objects.filter(event_id=row.pk).delete()
    assert chain.verify().intact


def test_verify_finds_a_row_edited_by_a_superuser() -> None:
    rows = _write(4)
    chain.seal_pending()
    with _as_superuser("audit_auditevent"):
        AuditEvent.objects.filter(pk=rows[2].pk).update(actor_name="someone else")
    result = chain.verify()
    assert _findings(result) == [("edited", rows[2].pk)]
    assert result.findings[0].sequence == 3


def test_verify_finds_a_detail_edited_by_a_superuser_even_a_single_character() -> None:
    rows = _write(2)
    chain.seal_pending()
    with _as_superuser("audit_auditevent"):
        AuditEvent.objects.filter(pk=rows[0].pk).update(detail={"n": 0, "名": "张四"})
    assert _findings(chain.verify()) == [("edited", rows[0].pk)]


def test_verify_finds_a_row_deleted_by_a_superuser() -> None:
    rows = _write(3)
    chain.seal_pending()
    with _as_superuser("audit_auditevent"):
        AuditEvent.objects.filter(pk=rows[1].pk).delete()
    assert _findings(chain.verify()) == [("deleted", rows[1].pk)]


def test_verify_finds_a_link_removed_by_a_superuser() -> None:
    rows = _write(3)
    chain.seal_pending()
    with _as_superuser("audit_auditseal"):
        AuditSeal.objects.filter(sequence=2).delete()
    result = chain.verify(now=timezone.now())
    kinds = _findings(result)
    assert ("broken", rows[2].pk) in kinds  # the third link no longer follows the first
    assert ("unsealed", rows[1].pk) not in kinds  # written just now: within the grace, not yet a finding
    later = chain.verify(now=timezone.now() + chain.SEAL_GRACE + timedelta(minutes=1))
    assert ("unsealed", rows[1].pk) in _findings(later)


def test_verify_finds_an_old_row_slipped_in_without_a_seal() -> None:
    _write(2)
    chain.seal_pending()
    slipped = _write(1, start=2)[0]
    assert chain.verify().intact  # just written: the next sealing will take it
    assert _findings(chain.verify(now=timezone.now() + timedelta(hours=1))) == [("unsealed", slipped.pk)]


def test_the_verify_command_prints_the_head_and_fails_on_a_finding() -> None:
    rows = _write(2)
    call_command("audit_seal", stdout=StringIO())
    out = StringIO()
    call_command("audit_verify", stdout=out)
    head = AuditSeal.objects.order_by("-sequence")[0].hash
    assert f"head hash: {head}" in out.getvalue()
    assert "intact" in out.getvalue()
    with _as_superuser("audit_auditevent"):
        AuditEvent.objects.filter(pk=rows[0].pk).update(action="test.other")
    out = StringIO()
    with pytest.raises(CommandError, match="1 finding"):
        call_command("audit_verify", stdout=out)
    assert f"EDITED: audit row {rows[0].pk}" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_two_sealers_at_once_make_one_chain() -> None:
    _write(30)
    results = race(lambda _i, _p: chain.seal_pending(), threads=2)
    assert all(isinstance(result, int) for result in results), results
    assert sum(results) == 30
    assert AuditSeal.objects.count() == 30
    assert list(AuditSeal.objects.order_by("sequence").values_list("sequence", flat=True)) == list(range(1, 31))
    assert chain.verify().intact
