"""The quarterly ratings as an Excel workbook (openpyxl, write-only): a row per company with the rating's parts, and a
sheet of the definitions. No personal data."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, cast

from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from gridwork.common.workbooks import safe_cell
from gridwork.propertyfirms.figures import DEFINITIONS, QuarterRating

COLUMNS = (
    _("Company"),
    _("Credit code"),
    _("Quarter"),
    _("Residents' average (1–5)"),
    _("Ratings"),
    _("Survey answers"),
    _("Residents' part"),
    _("Community assessments"),
    _("Community part"),
    _("Linked matters"),
    _("Resolved"),
    _("Satisfied"),
    _("Matters' part"),
    _("Rating"),
    _("Red property"),
)


def _number(value: Any) -> Any:
    return float(value) if value is not None else None


def ratings_workbook(rows: Sequence[QuarterRating], red: set[int]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = cast(WriteOnlyWorksheet, workbook.create_sheet(str(_("Quarterly ratings"))[:31]))
    sheet.append([str(heading) for heading in COLUMNS])
    for row in rows:
        values = [
            row.company.name,
            row.company.credit_code,
            f"{row.year}Q{row.quarter}",
            _number(row.residents_average),
            row.ratings,
            row.survey_answers,
            _number(row.residents_part),
            row.assessments,
            _number(row.community_part),
            row.matters,
            row.resolved,
            row.satisfied,
            _number(row.matters_part),
            _number(row.score),
            str(_("yes")) if row.company.pk in red else "",
        ]
        sheet.append([safe_cell(sheet, value) for value in values])
    definitions = cast(WriteOnlyWorksheet, workbook.create_sheet(str(_("Definitions"))[:31]))
    for term, meaning in DEFINITIONS:
        definitions.append([str(term), str(meaning)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
