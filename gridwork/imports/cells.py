"""Turning the text of one cell into a value: numbers, yes/no, dates and choices written as Chinese labels.

Each parser returns the value or raises ``CellError`` with a reason a clerk can act on.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _


class CellError(ValueError):
    """A cell whose text is not a value of the column's type."""


TRUE_WORDS = frozenset({"是", "在职", "y", "yes", "true", "1", "√", "✓", "t"})
FALSE_WORDS = frozenset({"否", "不是", "非在职", "n", "no", "false", "0", "×", "✗", "f"})
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00)?)?$")


def cell_integer(text: str) -> int:
    cleaned = text.replace(",", "").replace("，", "").replace(" ", "")
    try:
        value = float(cleaned)
    except ValueError as exc:
        raise CellError(_("“%(text)s” is not a whole number.") % {"text": text}) from exc
    if not math.isfinite(value) or not value.is_integer():
        raise CellError(_("“%(text)s” is not a whole number.") % {"text": text})
    return int(value)


def cell_decimal(text: str) -> float:
    cleaned = text.replace(" ", "").replace("°", "")
    try:
        value = float(cleaned)
    except ValueError as exc:
        raise CellError(_("“%(text)s” is not a number.") % {"text": text}) from exc
    if not math.isfinite(value):
        raise CellError(_("“%(text)s” is not a number.") % {"text": text})
    return value


def cell_boolean(text: str) -> bool:
    word = text.strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("Write 是 (yes) or 否 (no), not “%(text)s”.") % {"text": text})


def cell_date(text: str) -> datetime.date:
    match = _DATE_RE.match(text.strip())
    if match is None:
        compact = text.strip()
        if len(compact) == 8 and compact.isdigit():
            match = re.match(r"^(\d{4})(\d{2})(\d{2})$", compact)
    if match is None:
        raise CellError(_("“%(text)s” is not a date; write it as 2021-07-01.") % {"text": text})
    year, month, day = (int(part) for part in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError as exc:
        raise CellError(_("“%(text)s” is not a date in the calendar.") % {"text": text}) from exc


def choice_lookup(choices: Sequence[tuple[str, Any]], chinese: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """A table from every accepted spelling (value, English label, active-language label, Chinese labels) to value."""
    table: dict[str, str] = {}
    for value, label in choices:
        for spelling in (value, str(label), *chinese.get(value, ())):
            table.setdefault(spelling.strip().casefold(), value)
    return table
