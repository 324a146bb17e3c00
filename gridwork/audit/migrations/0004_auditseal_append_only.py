"""The audit log's chain links are append-only in the database, as the log itself is."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from gridwork.audit import triggers

TABLES = ("audit_auditseal",)


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for table in TABLES:
        triggers.install(schema_editor.connection, table)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for table in TABLES:
        triggers.remove(schema_editor.connection, table)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_auditseal")]
    operations = [migrations.RunPython(create, drop)]
