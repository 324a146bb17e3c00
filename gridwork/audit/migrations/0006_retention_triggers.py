"""The audit log and its chain keep every row at least six months in the database itself (``triggers.RETAIN_DAYS``):
older rows may be deleted by the purge job, nothing younger, nothing ever updated. The checkpoints of purges are
append-only."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from gridwork.audit import triggers

RETAINED = ("audit_auditevent", "audit_auditseal")
CHECKPOINTS = "audit_auditcheckpoint"


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for table in RETAINED:
        triggers.remove(schema_editor.connection, table)
        triggers.install(schema_editor.connection, table)
    triggers.install(schema_editor.connection, CHECKPOINTS)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    triggers.remove(schema_editor.connection, CHECKPOINTS)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_auditcheckpoint")]
    operations = [migrations.RunPython(create, drop)]
