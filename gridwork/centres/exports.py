"""The usage figures as an Excel workbook (openpyxl, write-only): a row per centre and per room as the page shows
them, a sheet of the definitions, and a sheet saying what the export is, when and by whom. No personal data."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from gridwork.centres.figures import DEFINITIONS, CentreUsage, Usage, kind_labels
from gridwork.common.workbooks import safe_cell

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="C00000")
HOURS_FORMAT = "0.0"
PERCENT_FORMAT = '0.0"%"'

Spec = tuple[str | Promise, int, str]


def _sheet(workbook: Workbook, title: str | Promise, columns: Sequence[Spec]) -> WriteOnlyWorksheet:
    sheet = cast(WriteOnlyWorksheet, workbook.create_sheet(str(title)[:31]))
    layout: Any = sheet
    for index, (_header, width, _format) in enumerate(columns, start=1):
        layout.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header = []
    for heading, _width, _format in columns:
        cell = WriteOnlyCell(sheet, value=str(heading))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        header.append(cell)
    sheet.append(header)
    return sheet


def _columns() -> tuple[Spec, ...]:
    return (
        (_("Centre"), 28, ""),
        (_("Room"), 18, ""),
        (_("Place served"), 18, ""),
        (_("Bookings confirmed"), 12, ""),
        (_("Hours booked"), 10, HOURS_FORMAT),
        (_("Hours open"), 10, HOURS_FORMAT),
        (_("Occupancy"), 10, PERCENT_FORMAT),
        (_("Attendees"), 10, ""),
        *((label, 10, "") for label in kind_labels()),
        (_("Pending"), 9, ""),
        (_("Refused"), 9, ""),
        (_("Cancelled"), 9, ""),
    )


def _values(row: Usage, room_name: str) -> list[Any]:
    return [
        row.centre.name,
        room_name,
        row.centre.place.name,
        row.confirmed,
        round(row.hours_booked, 2),
        round(row.hours_open, 2),
        row.occupancy,
        row.attendees,
        *row.kinds,
        row.pending,
        row.refused,
        row.cancelled,
    ]


def usage_xlsx(rows: Sequence[CentreUsage], *, about: Sequence[tuple[str | Promise, Any]]) -> bytes:
    workbook = Workbook(write_only=True)
    columns = _columns()
    sheet = _sheet(workbook, _("Usage of centres"), columns)
    count = 0
    for centre in rows:
        for values in (
            _values(centre.total, str(_("(all rooms)"))),
            *(_values(r, r.room.name) for r in centre.rooms if r.room),
        ):
            sheet.append([safe_cell(sheet, value, fmt) for value, (_h, _w, fmt) in zip(values, columns, strict=True)])
            count += 1
    layout: Any = sheet
    layout.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    definitions = _sheet(workbook, _("Definitions"), ((_("Figure"), 24, ""), (_("Definition"), 100, "")))
    for figure, text in DEFINITIONS:
        definitions.append([str(figure), str(text)])
    about_sheet = _sheet(workbook, _("About this export"), ((_("Item"), 24, ""), (_("Value"), 70, "")))
    for label, value in about:
        fmt = "yyyy-mm-dd hh:mm:ss" if isinstance(value, datetime) else "yyyy-mm-dd" if isinstance(value, date) else ""
        about_sheet.append([str(label), safe_cell(about_sheet, value, fmt)])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
