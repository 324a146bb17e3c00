"""The other side of 准入 in the database (migration 0003 guards the assignment row): a request that has assignments
stays admitted and keeps its scope, whoever writes it — an UPDATE moving it out of ``approved`` or changing its scope
would leave communities holding a task that is no longer admitted for them."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

NAME = "admission_request_assigned_stays"
MESSAGE = "admission_request_assigned_stays: the task is assigned to communities and stays admitted for them"

BREAKS = (
    "(NEW.state <> 'approved' OR NEW.scope_id <> OLD.scope_id)"
    " AND EXISTS (SELECT 1 FROM admission_assignment AS a WHERE a.admission_id = OLD.id)"
)

SQLITE = [
    f"CREATE TRIGGER {NAME} BEFORE UPDATE OF state, scope_id ON admission_admissionrequest FOR EACH ROW "
    f"WHEN {BREAKS} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {NAME}"]

POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION {NAME}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF {BREAKS} THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$""",
    f"CREATE TRIGGER {NAME} BEFORE UPDATE OF state, scope_id ON admission_admissionrequest "
    f"FOR EACH ROW EXECUTE FUNCTION {NAME}()",
]
POSTGRESQL_DROP = [f"DROP TRIGGER IF EXISTS {NAME} ON admission_admissionrequest", f"DROP FUNCTION IF EXISTS {NAME}()"]


def _run(schema_editor: BaseDatabaseSchemaEditor, *, sqlite: list[str], postgresql: list[str]) -> None:
    statements = {"sqlite": sqlite, "postgresql": postgresql}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement, params=None)


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, sqlite=SQLITE, postgresql=POSTGRESQL)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, sqlite=SQLITE_DROP, postgresql=POSTGRESQL_DROP)


class Migration(migrations.Migration):
    dependencies = [("admission", "0003_admitted_only")]
    operations = [migrations.RunPython(create, drop)]
