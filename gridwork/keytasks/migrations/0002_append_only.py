"""The key tasks' events, progress reports, their evidence and the milestone warnings are append-only."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from gridwork.audit import triggers

TABLES = (
    "keytasks_keytaskevent",
    "keytasks_progressreport",
    "keytasks_reportevidence",
    "keytasks_milestonewarning",
)


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for table in TABLES:
        triggers.install(schema_editor.connection, table)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for table in TABLES:
        triggers.remove(schema_editor.connection, table)


class Migration(migrations.Migration):
    dependencies = [("keytasks", "0001_initial"), ("audit", "0002_append_only")]
    operations = [migrations.RunPython(create, drop)]
