"""The blank files users download and fill in: an .xlsx (headers, a sheet explaining each column, drop-down
lists for the choice columns), a .csv with the headers, and an example GeoJSON for boundaries."""

from __future__ import annotations

import io
import json

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from gridwork.common.workbooks import HEADER_FILL, HEADER_FONT
from gridwork.imports.specs import Column, ImportSpec

TEMPLATE_ROWS = 5000  # how far down the drop-down lists and the text format reach
TEXT_FORMAT = "@"


def template_xlsx(spec: ImportSpec) -> bytes:
    workbook = Workbook()
    data = workbook.active
    assert data is not None
    data.title = str(spec.title)[:31]
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        cell = data.cell(row=1, column=index, value=column.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        data.column_dimensions[letter].width = max(14, len(column.example) + 4)
        if column.type in {"code", "text"}:
            # Long codes typed into a number cell lose digits; a text column keeps them as typed.
            data.column_dimensions[letter].number_format = TEXT_FORMAT
        if column.allowed:
            validation = DataValidation(
                type="list", formula1=f'"{",".join(column.allowed)}"', allow_blank=not column.required
            )
            validation.error = _("Choose one of the allowed values.")
            validation.showErrorMessage = True
            data.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
    data.freeze_panes = "A2"
    _help_sheet(workbook, spec)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _help_sheet(workbook: Workbook, spec: ImportSpec) -> None:
    sheet = workbook.create_sheet(_("Columns")[:31])
    titles = [_("Column"), _("Key"), _("Required"), _("Explanation"), _("Allowed values")]
    for index, title in enumerate(titles, start=1):
        sheet.cell(row=1, column=index, value=title).font = Font(bold=True)
    for row, column in enumerate(spec.columns, start=2):
        values = [column.header, column.key, _("yes") if column.required else "", str(column.help), _allowed(column)]
        for index, value in enumerate(values, start=1):
            sheet.cell(row=row, column=index, value=value).alignment = Alignment(wrap_text=True, vertical="top")
    example_row = len(spec.columns) + 3
    sheet.cell(row=example_row, column=1, value=_("An example row for the first sheet:")).font = Font(bold=True)
    for index, column in enumerate(spec.columns, start=1):
        sheet.cell(row=example_row + 1, column=index, value=column.header).font = Font(bold=True)
        cell = sheet.cell(row=example_row + 2, column=index, value=column.example)
        cell.number_format = TEXT_FORMAT
    sheet.cell(
        row=example_row + 4,
        column=1,
        value=_("Fill in the first sheet from row 2. Nothing is imported unless every row is correct."),
    )
    for letter, width in zip("ABCDE", (16, 18, 8, 60, 40), strict=True):
        sheet.column_dimensions[letter].width = width


def _allowed(column: Column) -> str:
    if column.allowed:
        return "、".join(column.allowed)
    if column.type == "boolean":
        return "是、否"
    return ""


def template_csv(spec: ImportSpec) -> bytes:
    """The header line, UTF-8 with a byte-order mark so that Excel shows the Chinese headers."""
    return ("\ufeff" + ",".join(column.header for column in spec.columns) + "\r\n").encode("utf-8")


def template_geojson() -> bytes:
    ring = [[106.70, 26.60], [106.71, 26.60], [106.71, 26.61], [106.70, 26.61], [106.70, 26.60]]
    example = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "520102003012007", "name": "春晖社区第七网格"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        ],
    }
    return json.dumps(example, ensure_ascii=False, indent=2).encode("utf-8")
