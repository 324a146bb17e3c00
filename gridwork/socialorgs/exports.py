"""The target figures as an Excel workbook (openpyxl, write-only): a sheet of communities, a sheet of areas (streets,
districts, city), the definitions, and what the export is, when and by whom. No personal data."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from gridwork.common.workbooks import safe_cell
from gridwork.socialorgs.figures import DEFINITIONS, Figures, Row

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="C00000")


def _sheet(workbook: Workbook, title: str | Promise, headings: Sequence[str | Promise]) -> WriteOnlyWorksheet:
    sheet = cast(WriteOnlyWorksheet, workbook.create_sheet(str(title)[:31]))
    sheet.freeze_panes = "A2"
    header = []
    for heading in headings:
        cell = WriteOnlyCell(sheet, value=str(heading))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        header.append(cell)
    sheet.append(header)
    return sheet


def _counts(row: Row) -> list[Any]:
    return [
        row.counting,
        row.unfiled,
        row.volunteer_teams,
        row.cultural_groups,
        row.other,
        row.members,
        row.incubated,
        row.in_incubation,
        row.graduated,
    ]


COUNT_HEADINGS = (
    _("Counting toward the target"),
    _("Not yet filed"),
    _("Volunteer teams"),
    _("Cultural groups"),
    _("Other"),
    _("Members"),
    _("Incubated"),
    _("In incubation"),
    _("Graduated"),
)


def figures_xlsx(figures: Figures, *, about: Sequence[tuple[str | Promise, Any]]) -> bytes:
    workbook = Workbook(write_only=True)
    communities = _sheet(
        workbook,
        _("Communities"),
        (_("Community"), _("Code"), _("Target"), *COUNT_HEADINGS, _("Meets the target"), _("Gap")),
    )
    for row in figures.communities:
        values = [row.place.name, row.place.code, row.target, *_counts(row), str(_("yes") if row.meets else _("no"))]
        communities.append([safe_cell(communities, value) for value in [*values, row.gap]])
    areas = _sheet(
        workbook,
        _("Areas"),
        (
            _("Area"),
            _("Code"),
            _("Level"),
            _("Communities"),
            _("Communities meeting the target"),
            _("Share meeting (%)"),
            *COUNT_HEADINGS,
            _("Street-level organisations"),
        ),
    )
    for row in figures.areas:
        values = [
            row.place.name,
            row.place.code,
            str(row.place.get_level_display()),
            row.communities,
            row.meeting,
            row.share,
            *_counts(row),
            row.street_level,
        ]
        areas.append([safe_cell(areas, value) for value in values])
    definitions = _sheet(workbook, _("Definitions"), (_("Figure"), _("Definition")))
    for figure, text in DEFINITIONS:
        definitions.append([str(figure), str(text)])
    about_sheet = _sheet(workbook, _("About this export"), (_("Item"), _("Value")))
    for label, value in about:
        about_sheet.append(
            [str(label), safe_cell(about_sheet, value, "yyyy-mm-dd hh:mm:ss" if isinstance(value, datetime) else "")]
        )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
