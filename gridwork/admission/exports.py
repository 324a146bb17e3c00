"""The admission figures as an Excel workbook (openpyxl, write-only): the years, the communities' task load for a
year, the definitions, and what the export is, when and by whom. No personal data."""

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

from gridwork.admission.figures import DEFINITIONS, CommunityRow, YearRow
from gridwork.common.workbooks import safe_cell

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="C00000")


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


def figures_xlsx(
    years: Sequence[YearRow], load: Sequence[CommunityRow], *, about: Sequence[tuple[str | Promise, Any]]
) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = _sheet(
        workbook,
        _("Requests per year"),
        (
            (_("Year"), 8),
            (_("Submitted"), 12),
            (_("Admitted"), 12),
            (_("Refused"), 12),
            (_("Withdrawn"), 12),
            (_("Reports"), 12),
        ),
    )
    for row in years:
        sheet.append([row.year, row.submitted, row.approved, row.refused, row.withdrawn, row.reports])
    sheet = _sheet(
        workbook,
        _("Communities' task load"),
        (
            (_("Community"), 24),
            (_("Code"), 16),
            (_("Assigned"), 10),
            (_("Received"), 10),
            (_("Not yet received"), 14),
            (_("Reports"), 10),
        ),
    )
    for load_row in load:
        sheet.append(
            [
                safe_cell(sheet, load_row.community.name),
                safe_cell(sheet, load_row.community.code),
                load_row.assigned,
                load_row.received,
                load_row.waiting,
                load_row.reports,
            ]
        )
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
