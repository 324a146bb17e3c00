"""The usage figures as an Excel workbook (openpyxl, write-only): a row per centre and per room as the page shows
them, a sheet of the definitions, and a sheet saying what the export is, when and by whom. No personal data."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from gridwork.centres.figures import DEFINITIONS, CentreUsage, Usage, kind_labels
from gridwork.common.workbooks import Column, headed_sheet, safe_cell

HOURS_FORMAT = "0.0"
PERCENT_FORMAT = '0.0"%"'


def _columns() -> tuple[Column, ...]:
    return (
        Column(_("Centre"), 28),
        Column(_("Room"), 18),
        Column(_("Place served"), 18),
        Column(_("Bookings confirmed"), 12),
        Column(_("Hours booked"), 10, HOURS_FORMAT),
        Column(_("Hours open"), 10, HOURS_FORMAT),
        Column(_("Occupancy"), 10, PERCENT_FORMAT),
        Column(_("Attendees"), 10),
        *(Column(label, 10) for label in kind_labels()),
        Column(_("Pending"), 9),
        Column(_("Refused"), 9),
        Column(_("Cancelled"), 9),
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
    sheet = headed_sheet(workbook, _("Usage of centres"), columns)
    count = 0
    for centre in rows:
        for values in (
            _values(centre.total, str(_("(all rooms)"))),
            *(_values(r, r.room.name) for r in centre.rooms if r.room),
        ):
            sheet.append(
                [safe_cell(sheet, value, column.number_format) for value, column in zip(values, columns, strict=True)]
            )
            count += 1
    layout: Any = sheet
    layout.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    definitions = headed_sheet(workbook, _("Definitions"), (Column(_("Figure"), 24), Column(_("Definition"), 100)))
    for figure, text in DEFINITIONS:
        definitions.append([str(figure), str(text)])
    about_sheet = headed_sheet(workbook, _("About this export"), (Column(_("Item"), 24), Column(_("Value"), 70)))
    for label, value in about:
        fmt = "yyyy-mm-dd hh:mm:ss" if isinstance(value, datetime) else "yyyy-mm-dd" if isinstance(value, date) else ""
        about_sheet.append([str(label), safe_cell(about_sheet, value, fmt)])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
