"""One company serves an estate at a time: two service contracts of one estate never share a day, whoever writes them.
On PostgreSQL an exclusion constraint over (estate =, [starts_on, ends_on] &&) — btree_gist gives the estate's
equality a GiST operator class —, on SQLite triggers before insert and update that abort with the same name. Both
days are included: a contract ending on the 31st and the next starting on the 1st do not overlap.
``services.contract_create`` turns the refusal into the start date's field error."""

from typing import Any

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

NAME = "propertyfirms_contract_no_overlap"
TABLE = "propertyfirms_servicecontract"

POSTGRESQL = [
    f"ALTER TABLE {TABLE} ADD CONSTRAINT {NAME} EXCLUDE USING gist "
    "(estate_id WITH =, daterange(starts_on, ends_on, '[]') WITH &&)",
]
POSTGRESQL_DROP = [f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS {NAME}"]

# Another contract of the same estate sharing a day with the new row; SQLite keeps dates as ISO text, which sorts in
# date order.
OVERLAPPING = (
    f"SELECT 1 FROM {TABLE} AS other"  # noqa: S608 — constant SQL, no input
    " WHERE other.estate_id = NEW.estate_id"
    " AND other.starts_on <= NEW.ends_on"
    " AND NEW.starts_on <= other.ends_on"
)
SQLITE = [
    f"CREATE TRIGGER {NAME}_insert BEFORE INSERT ON {TABLE} FOR EACH ROW "
    f"WHEN EXISTS ({OVERLAPPING}) "
    f"BEGIN SELECT RAISE(ABORT, '{NAME}: the estate is served by another contract then'); END",
    f"CREATE TRIGGER {NAME}_update BEFORE UPDATE ON {TABLE} FOR EACH ROW "
    f"WHEN EXISTS ({OVERLAPPING} AND other.id <> NEW.id) "
    f"BEGIN SELECT RAISE(ABORT, '{NAME}: the estate is served by another contract then'); END",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {NAME}_insert", f"DROP TRIGGER IF EXISTS {NAME}_update"]


class BtreeGist(BtreeGistExtension):
    """``BtreeGistExtension`` that does nothing backwards on other databases than PostgreSQL."""

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
    dependencies = [("propertyfirms", "0001_initial")]

    operations = [BtreeGist(), migrations.RunPython(create, drop)]
