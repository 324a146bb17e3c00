"""The committees' status history and the election warnings sent are append-only in the database."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from gridwork.audit import triggers

TABLES = ("estates_committeeevent", "estates_electionwarning")


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for table in TABLES:
        triggers.install(schema_editor.connection, table)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for table in TABLES:
        triggers.remove(schema_editor.connection, table)


class Migration(migrations.Migration):
    dependencies = [("estates", "0002_committees"), ("audit", "0002_append_only")]
    operations = [migrations.RunPython(create, drop)]
