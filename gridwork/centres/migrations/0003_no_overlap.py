"""Two bookings that hold their slot (pending or confirmed) never overlap in one room, whoever writes them: on
PostgreSQL an exclusion constraint over (room =, [starts_at, ends_at) &&) — btree_gist gives the room's equality a
GiST operator class —, on SQLite triggers before insert and update that abort with the same name. Touching slots
([10:00, 11:00) and [11:00, 12:00)) do not overlap. ``services.booking_create`` turns the refusal into the slot's
field error."""

from typing import Any

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

NAME = "centres_booking_no_overlap"
HOLDING = "('pending', 'confirmed')"

POSTGRESQL = [
    f"ALTER TABLE centres_booking ADD CONSTRAINT {NAME} EXCLUDE USING gist "
    "(room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
    f"WHERE (state IN {HOLDING})",
]
POSTGRESQL_DROP = [f"ALTER TABLE centres_booking DROP CONSTRAINT IF EXISTS {NAME}"]

# Another holding booking of the same room whose slot meets the new row's. Django writes every datetime of SQLite
# in one format (UTC, "YYYY-MM-DD HH:MM:SS[.ffffff]"), which sorts as text in time order.
OVERLAPPING = (
    "SELECT 1 FROM centres_booking AS other"  # noqa: S608 — constant SQL, no input
    " WHERE other.room_id = NEW.room_id"
    f" AND other.state IN {HOLDING}"
    " AND other.starts_at < NEW.ends_at"
    " AND NEW.starts_at < other.ends_at"
)
SQLITE = [
    # Before an insert SQLite may have no id yet: every row already there is another row.
    f"CREATE TRIGGER {NAME}_insert BEFORE INSERT ON centres_booking FOR EACH ROW "
    f"WHEN NEW.state IN {HOLDING} AND EXISTS ({OVERLAPPING}) "
    f"BEGIN SELECT RAISE(ABORT, '{NAME}: the room is already booked at this time'); END",
    f"CREATE TRIGGER {NAME}_update BEFORE UPDATE ON centres_booking FOR EACH ROW "
    f"WHEN NEW.state IN {HOLDING} AND EXISTS ({OVERLAPPING} AND other.id <> NEW.id) "
    f"BEGIN SELECT RAISE(ABORT, '{NAME}: the room is already booked at this time'); END",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {NAME}_insert", f"DROP TRIGGER IF EXISTS {NAME}_update"]


class BtreeGist(BtreeGistExtension):
    """``BtreeGistExtension``, which already does nothing forwards on other databases than PostgreSQL, and here not
    backwards either (Django's would query ``pg_extension`` on SQLite)."""

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def _run(schema_editor: BaseDatabaseSchemaEditor, *, sqlite: list[str], postgresql: list[str]) -> None:
    statements = {"sqlite": sqlite, "postgresql": postgresql}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement, params=None)


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, sqlite=SQLITE, postgresql=POSTGRESQL)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, sqlite=SQLITE_DROP, postgresql=POSTGRESQL_DROP)


class Migration(migrations.Migration):
    dependencies = [("centres", "0002_append_only")]

    operations = [
        BtreeGist(),
        migrations.RunPython(create, drop),
    ]
