"""The database triggers that make the audit log append-only, for each database the platform runs on.

The migration installs them; the test suite's ``flush`` (see management/commands/flush.py) lifts them for
the moment of emptying a test database and puts them back.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "audit_auditevent"

CREATE: dict[str, list[str]] = {
    "sqlite": [
        f"""CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON {TABLE}
           BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
        f"""CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON {TABLE}
           BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION audit_event_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$""",
        f"""CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON {TABLE}
           FOR EACH ROW EXECUTE FUNCTION audit_event_refuse()""",
        f"""CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON {TABLE}
           FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse()""",
    ],
}

DROP: dict[str, list[str]] = {
    "sqlite": ["DROP TRIGGER IF EXISTS audit_event_no_update", "DROP TRIGGER IF EXISTS audit_event_no_delete"],
    "postgresql": [
        f"DROP TRIGGER IF EXISTS audit_event_no_change ON {TABLE}",
        f"DROP TRIGGER IF EXISTS audit_event_no_truncate ON {TABLE}",
    ],
}


def install(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in CREATE.get(connection.vendor, []):
            cursor.execute(statement)


def remove(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in DROP.get(connection.vendor, []):
            cursor.execute(statement)
