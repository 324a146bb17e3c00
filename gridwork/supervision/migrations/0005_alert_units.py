"""The units of each deadline alert (district, street, community, grid, lead department), recorded on the alert so
that the public notice's evidence of one unit needs no join to the matters; existing alerts get them here, by the
rule the rollup counts them with (``models.fill_alert_units``): the matter's area, and the department of its last
dispatch before the alert was raised. In batches of ids, one UPDATE each, on SQLite and PostgreSQL alike.

Migration 0006 makes the area columns required and indexes them (a separate migration: on PostgreSQL the foreign
keys' deferred checks of these updates must have run before the table is altered)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, NullIf

BATCH = 20_000


def fill_units(apps, schema_editor):
    alerts = apps.get_model("supervision", "DeadlineAlert").objects.using(schema_editor.connection.alias)
    matters = apps.get_model("matters", "Matter").objects.using(schema_editor.connection.alias)
    events = apps.get_model("matters", "MatterEvent").objects.using(schema_editor.connection.alias)

    def place(name):
        return Subquery(matters.filter(pk=OuterRef("matter_id")).values(name)[:1])

    last_dispatch = (
        events.filter(matter_id=OuterRef("matter_id"), action="dispatch", at__lt=OuterRef("raised_at"))
        .order_by("-sequence")
        # a dispatch to a place stores null: SQLite's key transform gives the text 'null', which casts to 0
        .annotate(
            department=NullIf(
                Cast(KeyTextTransform("lead_department_id", "data"), models.BigIntegerField()), models.Value(0)
            )
        )
        .values("department")[:1]
    )
    last = 0
    while True:
        ids = list(alerts.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            break
        alerts.filter(pk__gte=ids[0], pk__lte=ids[-1]).update(
            district_id=place("district_id"),
            street_id=place("street_id"),
            community_id=place("community_id"),
            grid_id=place("grid_id"),
            lead_department_id=Subquery(last_dispatch),
        )
        last = ids[-1]


class Migration(migrations.Migration):
    dependencies = [
        ("matters", "0007_matter_follower"),
        ("places", "0002_path_prefix_index"),
        ("supervision", "0004_alert_level_raised"),
    ]

    operations = [
        migrations.AddField(
            model_name="deadlinealert",
            name="district",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="places.place",
            ),
        ),
        migrations.AddField(
            model_name="deadlinealert",
            name="street",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="places.place",
            ),
        ),
        migrations.AddField(
            model_name="deadlinealert",
            name="community",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="places.place",
            ),
        ),
        migrations.AddField(
            model_name="deadlinealert",
            name="grid",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="places.place",
            ),
        ),
        migrations.AddField(
            model_name="deadlinealert",
            name="lead_department",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="places.department",
            ),
        ),
        migrations.RunPython(fill_units, migrations.RunPython.noop, elidable=True),
    ]
