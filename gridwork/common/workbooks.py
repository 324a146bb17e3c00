"""Sheets, values and cells for the Excel exports (openpyxl): the header every export's sheet starts with, what every
export does to a value before Excel gets it, and the guard that keeps typed text from being run as a formula.

``headed_sheet``, ``cell_value`` and ``safe_cell`` serve the write-only workbooks, whose rows are appended as values or
cells; ``head_sheet`` and ``append_row`` serve the ordinary ones, whose cells exist once a row is appended.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="C00000")
HEADER_ALIGNMENT = Alignment(vertical="center", wrap_text=True)
DEFAULT_WIDTH = 16  # for a column given by its header alone
SHEET_TITLE_LENGTH = 31  # Excel refuses longer sheet names
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Column:
    """A column of an export: its header (a lazy translation is fine; it is translated when the sheet is written), its
    width in Excel's character widths, and the number format of its cells, which ``headed_sheet`` leaves to whoever
    appends the rows."""

    header: str | Promise
    width: float = DEFAULT_WIDTH
    number_format: str = ""


def sheet_title(title: str | Promise) -> str:
    """``title`` as Excel accepts a sheet's name: each character it forbids (``[]:*?/\\``) made a space, without the
    control characters XML cannot hold, cut to 31 characters, not starting or ending with a space or an apostrophe;
    "Sheet" if nothing is left. openpyxl refuses the forbidden characters, and Excel "repairs" the rest."""
    text = _SHEET_TITLE_FORBIDDEN.sub(" ", ILLEGAL_CHARACTERS_RE.sub("", str(title)))
    return text.strip(" '")[:SHEET_TITLE_LENGTH].rstrip(" '") or "Sheet"


def _columns(columns: Sequence[Column | str | Promise]) -> list[Column]:
    return [column if isinstance(column, Column) else Column(column) for column in columns]


def _style_header(cell: Cell, header: str | Promise) -> None:
    """A header cell: always text (a header made of someone's words is never run as a formula), white bold on red."""
    cell.value = cell_value(header)
    cell.data_type = "s"
    cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT


def _lay_out(sheet: WriteOnlyWorksheet | Worksheet, columns: Sequence[Column]) -> None:
    """Each column's width, and the pane frozen below the header so it stays in view while the rows scroll."""
    layout: Any = sheet  # a write-only sheet has column dimensions, which its type stubs do not name
    for index, column in enumerate(columns, start=1):
        layout.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"


def headed_sheet(
    workbook: Workbook, title: str | Promise, columns: Sequence[Column | str | Promise]
) -> WriteOnlyWorksheet:
    """A new sheet of the write-only ``workbook`` that starts as every export's sheet does: named by ``sheet_title``,
    each column's width (``DEFAULT_WIDTH`` for a column given by its header alone), the pane frozen below the header,
    and the header row in white bold on red. The rows are the caller's to append."""
    if not workbook.write_only:
        raise ValueError("headed_sheet writes to a write-only workbook; head an ordinary sheet with head_sheet.")
    sheet = cast(WriteOnlyWorksheet, workbook.create_sheet(sheet_title(title)))
    specs = _columns(columns)
    _lay_out(sheet, specs)  # before the first row: a write-only sheet writes its layout ahead of the rows
    header = []
    for column in specs:
        cell = WriteOnlyCell(sheet)
        _style_header(cell, column.header)
        header.append(cell)
    sheet.append(header)
    return sheet


def head_sheet(sheet: Worksheet, title: str | Promise, columns: Sequence[Column | str | Promise]) -> None:
    """Name an ordinary ``sheet`` and give it the header, widths and frozen pane ``headed_sheet`` gives a write-only
    one, for the exports that build an ordinary workbook; write it before the rows, into the sheet's first row."""
    sheet.title = sheet_title(title)
    specs = _columns(columns)
    for index, column in enumerate(specs, start=1):
        _style_header(cast(Cell, sheet.cell(row=1, column=index)), column.header)  # row 1 is never merged
    _lay_out(sheet, specs)


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
