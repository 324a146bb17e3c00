"""The coverage rates as an Excel workbook (openpyxl, write-only): a row per unit as the page shows it (numerator,
denominator and rate of each figure), a sheet of the definitions, and a sheet saying what the export is. No personal
data."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from gridwork.common.workbooks import Column, headed_sheet, safe_cell
from gridwork.estates.figures import DEFINITIONS, CoverageRow

PERCENT_FORMAT = '0.0"%"'


def coverage_xlsx(rows: Sequence[CoverageRow], *, about: Sequence[tuple[str | Promise, Any]]) -> bytes:
    workbook = Workbook(write_only=True)
    columns = [Column(_("Unit"), 24), Column(_("Level"), 10)]
    for figure, _definition in DEFINITIONS:
        columns += [
            Column(f"{figure}: {_('numerator')}", 12),
            Column(f"{figure}: {_('denominator')}", 12),
            Column(f"{figure} %", 10, PERCENT_FORMAT),
        ]
    sheet = headed_sheet(workbook, _("Committee coverage"), columns)
    for row in rows:
        values: list[Any] = [row.place.name, str(row.place.get_level_display())]
        for rate in row.rates():
            values += [rate.numerator, rate.denominator, rate.percent]
        sheet.append(
            [safe_cell(sheet, value, column.number_format) for value, column in zip(values, columns, strict=True)]
        )
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
