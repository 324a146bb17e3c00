"""Every alert has its area now (0005): the columns become required; the notice's evidence of a street, a community
or a department reads its own index ``(level, subject, unit, raised_at)``, which replaces ``(level, subject,
raised_at)`` (0004), read by nothing else."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0002_path_prefix_index"),
        ("supervision", "0005_alert_units"),
    ]

    operations = [
        migrations.AlterField(
            model_name="deadlinealert",
            name="district",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="places.place"
            ),
        ),
        migrations.AlterField(
            model_name="deadlinealert",
            name="street",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="places.place"
            ),
        ),
        migrations.AlterField(
            model_name="deadlinealert",
            name="community",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="places.place"
            ),
        ),
        migrations.AlterField(
            model_name="deadlinealert",
            name="grid",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="places.place"
            ),
        ),
        migrations.RemoveIndex(model_name="deadlinealert", name="alert_level_raised"),
        migrations.AddIndex(
            model_name="deadlinealert",
            index=models.Index(fields=["level", "subject", "street", "raised_at"], name="alert_street_raised"),
        ),
        migrations.AddIndex(
            model_name="deadlinealert",
            index=models.Index(fields=["level", "subject", "community", "raised_at"], name="alert_community_raised"),
        ),
        migrations.AddIndex(
            model_name="deadlinealert",
            index=models.Index(
                fields=["level", "subject", "lead_department", "raised_at"], name="alert_department_raised"
            ),
        ),
    ]
