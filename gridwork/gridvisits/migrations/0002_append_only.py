"""Grid visits and their photos are append-only in the database (a wrong visit is corrected by a new one)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from gridwork.audit import triggers

TABLES = ("gridvisits_gridvisit", "gridvisits_visitphoto")


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for table in TABLES:
        triggers.install(schema_editor.connection, table)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for table in TABLES:
        triggers.remove(schema_editor.connection, table)


class Migration(migrations.Migration):
    dependencies = [("gridvisits", "0001_initial"), ("audit", "0002_append_only")]
    operations = [migrations.RunPython(create, drop)]
