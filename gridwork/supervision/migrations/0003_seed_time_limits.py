"""The default time limits, made visible and editable (a copy of ``supervision.deadlines.DEFAULT_LIMITS``)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

# (stage, kind, urgency, amount, unit, note)
DEFAULTS = [
    ("accept", "", "", 2, "working_hours", "签收: 2 working hours"),
    ("accept", "", "urgent", 1, "hours", "紧急: accept within an hour"),
    ("reply", "", "", 7, "working_days", "一般: 7 working days"),
    ("reply", "", "urgent", 24, "hours", "紧急: 24 hours"),
    ("reply", "hard", "", 15, "working_days", "难事/复杂: 15 working days"),
    ("reply", "personal", "", 3, "working_days", "个事: 3 working days"),
    ("callback", "", "", 3, "working_days", "回访: 3 working days after the reply"),
    ("report", "", "", 4, "working_hours", "报到: 4 working hours after the whistle"),
    ("report", "", "urgent", 1, "hours", "紧急报到: within an hour"),
    ("level", "", "", 10, "working_days", "难事: 10 working days at a level before escalation"),
]


def seed(apps: Any, schema_editor: Any) -> None:
    TimeLimit = apps.get_model("supervision", "TimeLimit")
    for stage, kind, urgency, amount, unit, note in DEFAULTS:
        TimeLimit.objects.get_or_create(
            stage=stage,
            category=None,
            kind=kind,
            urgency=urgency,
            defaults={"amount": amount, "unit": unit, "note": note},
        )


class Migration(migrations.Migration):
    dependencies = [("supervision", "0002_limits_whistles_meetings")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
