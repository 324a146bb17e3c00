"""The month's visit coverage as an Excel workbook: a row per street, community and grid with the numerator, the
denominator and the rate, as the page shows them, and the definition. No personal data."""

from __future__ import annotations

import io
from typing import Any, cast

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from gridwork.common.workbooks import safe_cell
from gridwork.gridvisits.coverage import DEFINITION, Coverage, Street

PERCENT_FORMAT = "0.0%"


def _row(sheet: WriteOnlyWorksheet, level: str, line: Coverage) -> list[Any]:
    return [
        safe_cell(sheet, level),
        safe_cell(sheet, line.place.name),
        safe_cell(sheet, line.place.code),
        line.visited,
        line.households,
        safe_cell(sheet, line.rate, PERCENT_FORMAT),
    ]


def coverage_workbook(streets: list[Street], *, year: int, month: int) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = cast(WriteOnlyWorksheet, workbook.create_sheet(_("Coverage")[:31]))
    sheet.append([_("Visit coverage of %(year)d-%(month)02d") % {"year": year, "month": month}])
    header = [_("Level"), _("Unit"), _("Code"), _("Households visited"), _("Households"), _("Coverage")]
    sheet.append([safe_cell(sheet, text) for text in header])
    for street in streets:
        sheet.append(_row(sheet, _("Street"), street.total))
        for community in street.communities:
            sheet.append(_row(sheet, _("Community"), community))
            for grid in community.grids:
                sheet.append(_row(sheet, _("Grid"), grid))
    notes = cast(WriteOnlyWorksheet, workbook.create_sheet(_("Definition")[:31]))
    notes.append([safe_cell(notes, _("Definition"))])
    notes.append([safe_cell(notes, str(DEFINITION))])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
