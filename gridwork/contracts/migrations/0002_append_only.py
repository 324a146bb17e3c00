"""The contracts' history is append-only in the database: the events, the performance records and their evidence,
the parties' evaluations with their clause scores, and the residents' ratings."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from gridwork.audit import triggers

TABLES = (
    "contracts_contractevent",
    "contracts_performance",
    "contracts_evidence",
    "contracts_evaluation",
    "contracts_clausescore",
    "contracts_residentrating",
)


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for table in TABLES:
        triggers.install(schema_editor.connection, table)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for table in TABLES:
        triggers.remove(schema_editor.connection, table)


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial"), ("audit", "0002_append_only")]
    operations = [migrations.RunPython(create, drop)]
