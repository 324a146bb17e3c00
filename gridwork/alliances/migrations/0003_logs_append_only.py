"""The alliances' logs are append-only in the database: events, changes of chair, meetings and their attendance."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from gridwork.audit import triggers

TABLES = (
    "alliances_allianceevent",
    "alliances_chairchange",
    "alliances_jointmeeting",
    "alliances_meetingattendance",
)


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for table in TABLES:
        triggers.install(schema_editor.connection, table)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for table in TABLES:
        triggers.remove(schema_editor.connection, table)


class Migration(migrations.Migration):
    dependencies = [("alliances", "0002_members_chairs_meetings"), ("audit", "0002_append_only")]
    operations = [migrations.RunPython(create, drop)]
