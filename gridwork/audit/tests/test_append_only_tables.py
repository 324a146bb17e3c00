"""Every table a migration made append-only is in ``APPEND_ONLY_TABLES``: the test database's flush lifts only the
listed ones, so an unlisted table breaks every test that commits (on PostgreSQL its TRUNCATE trigger refuses)."""

from __future__ import annotations

import pytest
from django.db import connection

from gridwork.audit.triggers import APPEND_ONLY_TABLES


def _tables_with_append_only_triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers "
                "WHERE trigger_name LIKE %s ESCAPE '\\'",
                ["%\\_no\\_change"],
            )
        else:
            cursor.execute(
                "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s ESCAPE '\\'",
                ["%\\_no\\_update"],
            )
        return {table for (table,) in cursor.fetchall()}


@pytest.mark.django_db
def test_every_table_with_an_append_only_trigger_is_listed() -> None:
    found = _tables_with_append_only_triggers()
    assert found, "no append-only trigger found: the query no longer sees them"
    assert found - set(APPEND_ONLY_TABLES) == set(), "add these tables to audit.triggers.APPEND_ONLY_TABLES"
    assert set(APPEND_ONLY_TABLES) - found == set(), "these listed tables have no trigger: a migration lost it"
