"""The service day's event logs (cycles and items) and the residents' ratings are append-only in the database."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from gridwork.audit import triggers

TABLES = ("serviceday_cycleevent", "serviceday_itemevent", "serviceday_itemrating")


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for table in TABLES:
        triggers.install(schema_editor.connection, table)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for table in TABLES:
        triggers.remove(schema_editor.connection, table)


class Migration(migrations.Migration):
    dependencies = [("serviceday", "0001_initial"), ("audit", "0002_append_only")]
    operations = [migrations.RunPython(create, drop)]
