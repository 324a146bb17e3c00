from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError

from gridwork.common.locks import advisory_key, advisory_xact_lock

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no advisory locks")


def test_advisory_key_is_a_stable_signed_64_bit_key_per_name() -> None:
    key = advisory_key("number:centres.Booking.number:订-2026-")
    assert key == advisory_key("number:centres.Booking.number:订-2026-")
    assert key != advisory_key("number:centres.Booking.number:订-2027-")
    assert -(2**63) <= key < 2**63


@pytest.mark.django_db(transaction=True)
def test_advisory_lock_outside_a_transaction_is_refused() -> None:
    with pytest.raises(TransactionManagementError):
        advisory_xact_lock("anything")


def other_connection_gets(key: int) -> bool:
    """Whether another connection could take ``key`` now (without waiting)."""
    got: list[bool] = []

    def attempt() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [key])
                got.append(cursor.fetchone()[0])
        finally:
            connection.close()

    thread = threading.Thread(target=attempt)
    thread.start()
    thread.join(timeout=30)
    return got == [True]


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("key", ["a name", 0x6772_6964_6175_6474])
def test_advisory_lock_is_held_until_the_transaction_ends(key: int | str) -> None:
    number = key if isinstance(key, int) else advisory_key(key)
    with transaction.atomic():
        advisory_xact_lock(key)
        assert not other_connection_gets(number)
    assert other_connection_gets(number)
