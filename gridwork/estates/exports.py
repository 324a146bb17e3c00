"""The coverage rates as an Excel workbook (openpyxl, write-only): a row per unit as the page shows it (numerator,
denominator and rate of each figure), a sheet of the definitions, and a sheet saying what the export is. No personal
data."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from gridwork.common.workbooks import safe_cell
from gridwork.estates.figures import DEFINITIONS, CoverageRow

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="C00000")
PERCENT_FORMAT = '0.0"%"'


def _sheet(
    workbook: Workbook, title: str | Promise, columns: Sequence[tuple[str | Promise, int]]
) -> WriteOnlyWorksheet:
    sheet = cast(WriteOnlyWorksheet, workbook.create_sheet(str(title)[:31]))
    layout: Any = sheet
    for index, (_heading, width) in enumerate(columns, start=1):
        layout.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header = []
    for heading, _width in columns:
        cell = WriteOnlyCell(sheet, value=str(heading))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        header.append(cell)
    sheet.append(header)
    return sheet


def coverage_xlsx(rows: Sequence[CoverageRow], *, about: Sequence[tuple[str | Promise, Any]]) -> bytes:
    workbook = Workbook(write_only=True)
    columns: list[tuple[str | Promise, int]] = [(_("Unit"), 24), (_("Level"), 10)]
    formats = ["", ""]
    for figure, _definition in DEFINITIONS:
        columns += [(f"{figure}: {_('numerator')}", 12), (f"{figure}: {_('denominator')}", 12), (f"{figure} %", 10)]
        formats += ["", "", PERCENT_FORMAT]
    sheet = _sheet(workbook, _("Committee coverage"), columns)
    for row in rows:
        values: list[Any] = [row.place.name, str(row.place.get_level_display())]
        for rate in row.rates():
            values += [rate.numerator, rate.denominator, rate.percent]
        sheet.append([safe_cell(sheet, value, fmt) for value, fmt in zip(values, formats, strict=True)])
    definitions = _sheet(workbook, _("Definitions"), ((_("Figure"), 24), (_("Definition"), 100)))
    for figure, text in DEFINITIONS:
        definitions.append([str(figure), str(text)])
    about_sheet = _sheet(workbook, _("About this export"), ((_("Item"), 24), (_("Value"), 70)))
    for label, value in about:
        fmt = "yyyy-mm-dd hh:mm:ss" if isinstance(value, datetime) else "yyyy-mm-dd" if isinstance(value, date) else ""
        about_sheet.append([str(label), safe_cell(about_sheet, value, fmt)])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
