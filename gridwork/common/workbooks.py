"""Values and cells for the Excel exports (openpyxl): what every export does to a value before Excel gets it, and the
guard that keeps typed text from being run as a formula.

``cell_value`` and ``safe_cell`` serve the write-only workbooks, whose rows are appended as values or cells;
``append_row`` serves the ordinary ones, whose cells exist once a row is appended.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet


def cell_value(value: Any, *, whole_seconds: bool = True) -> Any:
    """``value`` as Excel can hold it: an aware datetime in local time without its zone (Excel has none), in whole
    seconds unless ``whole_seconds`` is false; a lazy string as text; text without the control characters Excel
    refuses. A naive datetime, and anything else, is left as it is."""
    if isinstance(value, datetime):
        if not timezone.is_aware(value):
            return value
        local = timezone.localtime(value).replace(tzinfo=None)
        return local.replace(microsecond=0) if whole_seconds else local
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def safe_cell(sheet: WriteOnlyWorksheet, value: Any, number_format: str = "", *, whole_seconds: bool = True) -> Any:
    """What to append to a write-only ``sheet`` for ``value`` (see ``cell_value``): the value itself, or a cell when it
    needs a ``number_format`` or is text starting with "=", which stays text, so that nobody's words are ever run as a
    formula."""
    value = cell_value(value, whole_seconds=whole_seconds)
    text_formula = isinstance(value, str) and value.startswith("=")
    if value is None or (not number_format and not text_formula):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if text_formula:
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    return cell


def append_row(sheet: Worksheet, values: Sequence[Any]) -> None:
    """Append ``values`` (see ``cell_value``) as a row of an ordinary ``sheet``; text starting with "=" stays text, so
    that what someone typed is never run as a formula."""
    sheet.append([cell_value(value) for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"
