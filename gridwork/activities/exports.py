"""Organisation life (三会一课) as an Excel workbook (openpyxl, write-only): a row per branch, meeting and period with
its status and how many were held, a sheet of the rules and definitions, and one that says what the export is, when
and by whom. No personal data."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from gridwork.activities.life import DUE_DAYS, REQUIREMENTS, BranchLife
from gridwork.common.workbooks import Column, headed_sheet, safe_cell

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"

LIFE_COLUMNS: tuple[Column, ...] = (
    Column(_("Branch"), 28),
    Column(_("Code"), 18),
    Column(_("Place served"), 20),
    Column(_("Meeting"), 22),
    Column(_("Required"), 14),
    Column(_("Period"), 10),
    Column(_("Status"), 26),
    Column(_("Held"), 8),
)


def life_xlsx(lives: Sequence[BranchLife], *, about: Sequence[tuple[str | Promise, Any]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = headed_sheet(workbook, _("Organisation life"), LIFE_COLUMNS)
    count = 0
    for life in lives:
        branch = life.branch
        for row in life.rows:
            for cell in row.cells:
                values = (
                    branch.name,
                    branch.code,
                    branch.place.name,
                    str(row.requirement.label),
                    str(row.requirement.rule),
                    cell.period.code,
                    cell.status_label,
                    cell.held,
                )
                sheet.append([safe_cell(sheet, value) for value in values])
                count += 1
    layout: Any = sheet
    layout.auto_filter.ref = f"A1:{get_column_letter(len(LIFE_COLUMNS))}{count + 1}"

    rules = headed_sheet(
        workbook, _("Rules"), (Column(_("Meeting"), 28), Column(_("Required"), 16), Column(_("Definition"), 90))
    )
    for requirement in REQUIREMENTS:
        rules.append([str(requirement.label), str(requirement.rule), ""])
    rules.append(
        [
            str(_("Held")),
            "",
            str(
                _(
                    "An activity of that kind organised by the branch (a party group meeting: by the branch or one of "
                    "its party groups), started in the period, with its minutes recorded."
                )
            ),
        ]
    )
    rules.append([str(_("Gap")), "", str(_("The period has ended and the meeting was not held."))])
    rules.append(
        [
            str(_("Due")),
            "",
            str(_("The current period, in its last %(days)d days, without the meeting.") % {"days": DUE_DAYS}),
        ]
    )

    about_sheet = headed_sheet(workbook, _("About this export"), (Column(_("Item"), 24), Column(_("Value"), 70)))
    for label, value in about:
        about_sheet.append(
            [str(label), safe_cell(about_sheet, value, DATETIME_FORMAT if isinstance(value, datetime) else "")]
        )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def xlsx_response(content: bytes, *, ascii_name: str, display_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(display_name, safe='')}"
    )
    response["Cache-Control"] = "private, no-store"
    return response
