"""Indexes for the staff work queue, read newest first (created_at DESC, id DESC) with keyset pagination.

One "recent" index per level of a user's unit (grid, community, street, district), each ending in the id so that
a backward scan gives the queue's exact order; and one per state, for the city's and a department's tabs.
The community and street indexes are redefined with the id (they were (community, -created_at)).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("matters", "0003_seed_categories")]

    operations = [
        migrations.RemoveIndex(model_name="matter", name="matter_community_recent"),
        migrations.RemoveIndex(model_name="matter", name="matter_street_recent"),
        migrations.AddIndex(
            model_name="matter",
            index=models.Index(fields=["state", "created_at", "id"], name="matter_state_recent"),
        ),
        migrations.AddIndex(
            model_name="matter",
            index=models.Index(fields=["grid", "created_at", "id"], name="matter_grid_recent"),
        ),
        migrations.AddIndex(
            model_name="matter",
            index=models.Index(fields=["community", "created_at", "id"], name="matter_community_recent"),
        ),
        migrations.AddIndex(
            model_name="matter",
            index=models.Index(fields=["street", "created_at", "id"], name="matter_street_recent"),
        ),
        migrations.AddIndex(
            model_name="matter",
            index=models.Index(fields=["district", "created_at", "id"], name="matter_district_recent"),
        ),
    ]
