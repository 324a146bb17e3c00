"""Seed the taxonomy: the three-level classes of the public message taxonomy (TipDM 2020, 附件1), the
GB/T 30428 component and event classes most reported by residents, and local community classes.
Administrators edit them afterwards; this migration only adds what is missing."""

import csv
from pathlib import Path

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

DATA = Path(__file__).resolve().parent.parent / "data"

PERSONAL_FIRST_LEVELS = {"劳动和社会保障", "民政"}
# Two-character words too common to tell one class from another.
GENERIC_WORDS = {"管理", "处理", "问题", "其他", "服务", "建设", "工作", "相关", "事项", "综合", "政策", "事故"}


def _keywords(name: str) -> str:
    """The name itself and, for a compound name of 4 or more characters, its two-character words."""
    words = [name]
    if len(name) >= 4 and len(name) % 2 == 0:
        words += [name[i : i + 2] for i in range(0, len(name), 2) if name[i : i + 2] not in GENERIC_WORDS]
    return "\n".join(dict.fromkeys(words))


def seed(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Category = apps.get_model("matters", "Category")
    existing = set(Category.objects.values_list("code", flat=True))
    by_code = {c.code: c for c in Category.objects.all()}
    order = 0

    def add(  # noqa: PLR0917
        code: str, name: str, parent_code: str | None, level: int, kind: str, keywords: str, source: str
    ) -> None:
        nonlocal order
        order += 1
        if code in existing:
            return
        by_code[code] = Category.objects.create(
            code=code,
            name=name,
            parent=by_code.get(parent_code) if parent_code else None,
            level=level,
            default_kind=kind,
            keywords=keywords,
            source=source,
            sort_order=order,
        )

    first: dict[str, str] = {}
    second: dict[tuple[str, str], str] = {}
    third_count: dict[str, int] = {}
    with (DATA / "message_taxonomy_tipdm2020.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            level1, level2, level3 = row["level1"].strip(), row["level2"].strip(), row["level3"].strip()
            kind = "personal" if level1 in PERSONAL_FIRST_LEVELS else "professional"
            if level1 not in first:
                first[level1] = f"T{len(first) + 1:02d}"
                add(first[level1], level1, None, 1, kind, "", "tipdm2020")
            if (level1, level2) not in second:
                siblings = sum(1 for key in second if key[0] == level1)
                second[(level1, level2)] = f"{first[level1]}.{siblings + 1:02d}"
                add(second[(level1, level2)], level2, first[level1], 2, kind, "", "tipdm2020")
            parent = second[(level1, level2)]
            if level3:
                third_count[parent] = third_count.get(parent, 0) + 1
                add(f"{parent}.{third_count[parent]:03d}", level3, parent, 3, kind, _keywords(level3), "tipdm2020")
    with (DATA / "categories_extra.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["code"].strip()
            source = {"G": "gbt30428", "L": "local"}[code[0]]
            add(
                code,
                row["name"].strip(),
                row["parent_code"].strip() or None,
                code.count(".") + 1,
                row["default_kind"].strip(),
                "\n".join(word for word in row["keywords"].split("|") if word.strip()),
                source,
            )


class Migration(migrations.Migration):
    dependencies = [("matters", "0002_event_log_append_only")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
