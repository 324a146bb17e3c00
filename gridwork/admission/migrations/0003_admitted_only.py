"""准入 in the database: an assignment row names a task that is admitted (approved) and a community within the task's
scope, whoever writes it — the services check first, and a trigger before insert and before update refuses anything
else, on SQLite (``RAISE(ABORT)``) and on PostgreSQL (a PL/pgSQL function raising ``check_violation``). Admitted is a
final state of a request, so an assignment once made stays valid."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

NAME = "admission_assignment_admitted"
MESSAGE = "admission_assignment_admitted: the task is not admitted for this community"

# The request is approved and the community is a community under the request's scope.
ADMITTED = (
    "EXISTS (SELECT 1 FROM admission_admissionrequest AS r"
    " JOIN places_place AS s ON s.id = r.scope_id"
    " JOIN places_place AS c ON c.id = NEW.community_id"
    " WHERE r.id = NEW.admission_id AND r.state = 'approved' AND c.level = 'community'"
    " AND substr(c.path, 1, length(s.path)) = s.path)"
)

SQLITE = [
    f"CREATE TRIGGER {NAME}_insert BEFORE INSERT ON admission_assignment FOR EACH ROW "
    f"WHEN NOT {ADMITTED} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER {NAME}_update BEFORE UPDATE OF admission_id, community_id ON admission_assignment FOR EACH ROW "
    f"WHEN NOT {ADMITTED} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {NAME}_insert", f"DROP TRIGGER IF EXISTS {NAME}_update"]

POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION {NAME}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NOT {ADMITTED} THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$""",
    f"CREATE TRIGGER {NAME} BEFORE INSERT OR UPDATE OF admission_id, community_id ON admission_assignment "
    f"FOR EACH ROW EXECUTE FUNCTION {NAME}()",
]
POSTGRESQL_DROP = [f"DROP TRIGGER IF EXISTS {NAME} ON admission_assignment", f"DROP FUNCTION IF EXISTS {NAME}()"]


def _run(schema_editor: BaseDatabaseSchemaEditor, *, sqlite: list[str], postgresql: list[str]) -> None:
    statements = {"sqlite": sqlite, "postgresql": postgresql}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement, params=None)


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, sqlite=SQLITE, postgresql=POSTGRESQL)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, sqlite=SQLITE_DROP, postgresql=POSTGRESQL_DROP)


class Migration(migrations.Migration):
    dependencies = [("admission", "0002_append_only"), ("places", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
