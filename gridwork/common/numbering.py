"""Gap-free numbers of a series (``订-2026-000123``): the series' highest number plus one."""

from __future__ import annotations

from django.db.models import Max, Model

from gridwork.common.locks import advisory_xact_lock


def next_number(model: type[Model], *, prefix: str, width: int, field: str = "number") -> str:
    """The next number of the series ``prefix`` (a yearly series has its year in the prefix) on ``model.field``: the
    prefix and the sequence, zero-padded to ``width`` digits. Takes the series' advisory lock until the transaction
    ends, so that numbers allocated at once follow one another instead of clashing on the same one: save the row in
    the same transaction. The field's unique constraint stays the last guard."""
    advisory_xact_lock(f"number:{model._meta.label}.{field}:{prefix}")
    rows = model._default_manager.filter(**{f"{field}__startswith": prefix})
    last = rows.aggregate(last=Max(field))["last"]
    sequence = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{sequence:0{width}d}"
