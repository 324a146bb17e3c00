"""The admission figures as an Excel workbook (openpyxl, write-only): the years, the communities' task load for a
year, the definitions, and what the export is, when and by whom. No personal data."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from gridwork.admission.figures import DEFINITIONS, CommunityRow, YearRow
from gridwork.common.workbooks import Column, headed_sheet, safe_cell


def figures_xlsx(
    years: Sequence[YearRow], load: Sequence[CommunityRow], *, about: Sequence[tuple[str | Promise, Any]]
) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = headed_sheet(
        workbook,
        _("Requests per year"),
        (
            Column(_("Year"), 8),
            Column(_("Submitted"), 12),
            Column(_("Admitted"), 12),
            Column(_("Refused"), 12),
            Column(_("Withdrawn"), 12),
            Column(_("Reports"), 12),
        ),
    )
    for row in years:
        sheet.append([row.year, row.submitted, row.approved, row.refused, row.withdrawn, row.reports])
    sheet = headed_sheet(
        workbook,
        _("Communities' task load"),
        (
            Column(_("Community"), 24),
            Column(_("Code"), 16),
            Column(_("Assigned"), 10),
            Column(_("Received"), 10),
            Column(_("Not yet received"), 14),
            Column(_("Reports"), 10),
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
