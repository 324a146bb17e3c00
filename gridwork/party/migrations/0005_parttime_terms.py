"""Part-time members' terms: ended early, renewed, who appointed them; one person holds one term on an organisation at
any day, which a trigger keeps (the same rule as ``gridwork.party.parttime``, for every writer)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

MESSAGE = "party_parttimemember: one person holds one term on an organisation at a time"
# Another row of the same person (name, unit) on the same organisation whose days in office meet the new row's.
SAME_PERSON_MEETING_DAYS = (
    "SELECT 1 FROM party_parttimemember AS other"
    " WHERE other.organisation_id = NEW.organisation_id"
    " AND other.resident_unit_id = NEW.resident_unit_id"
    " AND other.name = NEW.name"
    " AND other.term_start <= COALESCE(NEW.ended_on, NEW.term_end)"
    " AND NEW.term_start <= COALESCE(other.ended_on, other.term_end)"
)
OTHER_ROW = " AND other.id <> NEW.id"

SQLITE = [
    # In a BEFORE INSERT trigger SQLite has no id yet: every row already there is another row.
    "CREATE TRIGGER party_parttimemember_no_overlap_insert BEFORE INSERT ON party_parttimemember FOR EACH ROW "
    f"WHEN EXISTS ({SAME_PERSON_MEETING_DAYS}) BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    "CREATE TRIGGER party_parttimemember_no_overlap_update BEFORE UPDATE ON party_parttimemember FOR EACH ROW "
    f"WHEN EXISTS ({SAME_PERSON_MEETING_DAYS}{OTHER_ROW}) BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS party_parttimemember_no_overlap_insert",
    "DROP TRIGGER IF EXISTS party_parttimemember_no_overlap_update",
]
POSTGRESQL = [
    # 23P01 (exclusion_violation) reaches Django as an IntegrityError.
    "CREATE OR REPLACE FUNCTION party_parttime_refuse_overlap() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN IF EXISTS ({SAME_PERSON_MEETING_DAYS}{OTHER_ROW}) THEN "
    f"RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = '23P01'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER party_parttimemember_no_overlap BEFORE INSERT OR UPDATE ON party_parttimemember "
    "FOR EACH ROW EXECUTE FUNCTION party_parttime_refuse_overlap()",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS party_parttimemember_no_overlap ON party_parttimemember",
    "DROP FUNCTION IF EXISTS party_parttime_refuse_overlap()",
]


def _run(schema_editor: BaseDatabaseSchemaEditor, *, sqlite: list[str], postgresql: list[str]) -> None:
    statements = {"sqlite": sqlite, "postgresql": postgresql}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement, params=None)


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, sqlite=SQLITE, postgresql=POSTGRESQL)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, sqlite=SQLITE_DROP, postgresql=POSTGRESQL_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("party", "0004_member_evaluations"),
        ("people", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="parttimemember",
            name="appointed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="appointed by",
            ),
        ),
        migrations.AddField(
            model_name="parttimemember",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, null=True, verbose_name="recorded at"),
        ),
        migrations.AddField(
            model_name="parttimemember",
            name="end_reason",
            field=models.TextField(blank=True, verbose_name="why the term ended early"),
        ),
        migrations.AddField(
            model_name="parttimemember",
            name="ended_on",
            field=models.DateField(blank=True, null=True, verbose_name="ended early on"),
        ),
        migrations.AddField(
            model_name="parttimemember",
            name="renewed_from",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="renewal",
                to="party.parttimemember",
                verbose_name="renews the term",
            ),
        ),
        migrations.AlterField(
            model_name="parttimemember",
            name="duties",
            field=models.TextField(blank=True, help_text="One duty a line.", verbose_name="duties"),
        ),
        migrations.AddIndex(
            model_name="parttimemember",
            index=models.Index(fields=["organisation", "term_end"], name="parttime_org_term_end"),
        ),
        migrations.AddConstraint(
            model_name="parttimemember",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("ended_on__isnull", True),
                    models.Q(("ended_on__gte", models.F("term_start")), ("ended_on__lt", models.F("term_end"))),
                    _connector="OR",
                ),
                name="parttime_ended_within_term",
            ),
        ),
        migrations.RunPython(create, drop),
    ]
