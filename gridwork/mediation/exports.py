"""The dispute figures as an Excel workbook (openpyxl, write-only): a row per unit as the page shows them (the total
first), the counts behind each rate beside it, a sheet of the definitions, and a sheet that says what the export is,
when and by whom. No personal data."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from gridwork.common.workbooks import Column, headed_sheet, safe_cell
from gridwork.mediation.figures import COLUMNS, FigureRow

PERCENT_FORMAT = '0.0"%"'
DAYS_FORMAT = "0.0"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def _append(sheet: WriteOnlyWorksheet, columns: Sequence[Column], values: Sequence[Any]) -> None:
    sheet.append([safe_cell(sheet, value, column.number_format) for value, column in zip(values, columns, strict=True)])


def _number(value: Any) -> Any:
    """Decimals as floats (Excel has no decimals); None stays an empty cell."""
    return float(value) if value is not None and not isinstance(value, int) else value


FIGURE_COLUMNS: tuple[Column, ...] = (
    Column(_("Unit"), 24),
    Column(_("Level"), 10),
    Column(_("Code"), 22),
    *(
        Column(
            column.label,
            12,
            PERCENT_FORMAT if column.kind == "percent" else DAYS_FORMAT if column.kind == "days" else "",
        )
        for column in COLUMNS
    ),
    Column(_("Concluded with an agreement or a partial agreement"), 14),
    Column(_("Agreements followed up"), 12),
    Column(_("Grid-months"), 10),
    Column(_("Grid-months screened"), 10),
)


def figures_xlsx(rows: Sequence[FigureRow], *, about: Sequence[tuple[str | Promise, Any]]) -> bytes:
    """The figures table: the unit chosen (total) first, then the units under it; definitions and about after."""
    workbook = Workbook(write_only=True)
    sheet = headed_sheet(workbook, _("Dispute figures"), FIGURE_COLUMNS)
    for row in rows:
        figures = row.figures
        _append(
            sheet,
            FIGURE_COLUMNS,
            (
                row.place.name,
                row.place.get_level_display(),
                row.place.code,
                *(_number(getattr(figures, column.key)) for column in COLUMNS),
                figures.successful,
                figures.agreements_followed_up,
                figures.grid_months,
                figures.grid_months_screened,
            ),
        )
    layout: Any = sheet
    layout.auto_filter.ref = f"A1:{get_column_letter(len(FIGURE_COLUMNS))}{len(rows) + 1}"

    definitions = headed_sheet(workbook, _("Definitions"), (Column(_("Figure"), 24), Column(_("Definition"), 100)))
    for column in COLUMNS:
        definitions.append([str(column.label), str(column.definition)])

    about_sheet = headed_sheet(workbook, _("About this export"), (Column(_("Item"), 24), Column(_("Value"), 70)))
    for label, value in about:
        fmt = DATETIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT if isinstance(value, date) else ""
        about_sheet.append([str(label), safe_cell(about_sheet, value, fmt)])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
