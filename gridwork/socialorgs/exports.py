"""The target figures as an Excel workbook (openpyxl, write-only): a sheet of communities, a sheet of areas (streets,
districts, city), the definitions, and what the export is, when and by whom. No personal data."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from gridwork.common.workbooks import headed_sheet, safe_cell
from gridwork.socialorgs.figures import DEFINITIONS, Figures, Row


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
    communities = headed_sheet(
        workbook,
        _("Communities"),
        (_("Community"), _("Code"), _("Target"), *COUNT_HEADINGS, _("Meets the target"), _("Gap")),
    )
    for row in figures.communities:
        values = [row.place.name, row.place.code, row.target, *_counts(row), str(_("yes") if row.meets else _("no"))]
        communities.append([safe_cell(communities, value) for value in [*values, row.gap]])
    areas = headed_sheet(
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
    definitions = headed_sheet(workbook, _("Definitions"), (_("Figure"), _("Definition")))
    for figure, text in DEFINITIONS:
        definitions.append([str(figure), str(text)])
    about_sheet = headed_sheet(workbook, _("About this export"), (_("Item"), _("Value")))
    for label, value in about:
        about_sheet.append(
            [str(label), safe_cell(about_sheet, value, "yyyy-mm-dd hh:mm:ss" if isinstance(value, datetime) else "")]
        )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
