"""Map the shipped model's seven classes to the first-level categories of the same name (the TipDM taxonomy seeded by
matters 0003), and create the policy row with auto-dispatch off."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

CLASSES = ("城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生")


def seed(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Category = apps.get_model("matters", "Category")
    ClassMapping = apps.get_model("triage", "ClassMapping")
    TriagePolicy = apps.get_model("triage", "TriagePolicy")
    for label in CLASSES:
        category = Category.objects.filter(name=label, parent__isnull=True).first()
        ClassMapping.objects.get_or_create(label=label, defaults={"category": category})
    TriagePolicy.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("triage", "0001_initial"),
        ("matters", "0003_seed_categories"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
