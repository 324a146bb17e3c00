"""Locks held for the rest of the database transaction."""

from __future__ import annotations

import hashlib

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.transaction import TransactionManagementError


def advisory_key(name: str) -> int:
    """A lock's name as PostgreSQL's signed 64-bit advisory lock key."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


def advisory_xact_lock(key: int | str, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Wait for the lock ``key`` and hold it until the transaction ends (PostgreSQL's ``pg_advisory_xact_lock``; a
    name is hashed by ``advisory_key``), so that transactions taking the same key run one after another. Nothing to
    take on SQLite, which has one writer at a time. Outside a transaction the lock would be released at once:
    ``TransactionManagementError``, on every database."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise TransactionManagementError("An advisory lock is held until the transaction ends: take it inside one.")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key if isinstance(key, int) else advisory_key(key)])
