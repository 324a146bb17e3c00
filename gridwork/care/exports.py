"""The Excel workbook of households in difficulty (困难户包联台账): one row per record of the list's filter, masked
like the page (names and addresses shown only where the user holds VIEW_PERSONAL_DATA). The view audits every
export."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from gridwork.care.models import HouseholdInDifficulty
from gridwork.care.selectors import household_label, kind_labels, partner_label, person_label, unmasked_for
from gridwork.common.workbooks import Column, append_row, head_sheet

EXPORT_CAP = 100_000


@dataclass(frozen=True)
class HouseholdsWorkbook:
    content: bytes
    rows: int
    unmasked: int


def _append(sheet: Any, values: list[Any]) -> None:
    """A row as ``append_row`` writes it, its dates shown as dates."""
    append_row(sheet, values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, date):
            cell.number_format = "yyyy-mm-dd"


def households_xlsx(
    records: Iterable[HouseholdInDifficulty], *, unmasked_paths: list[str], about: list[tuple[Any, Any]]
) -> HouseholdsWorkbook:
    """The workbook: a sheet of households (from ``selectors.household_list``) and a sheet saying what was exported,
    when and by whom."""
    workbook = Workbook()
    sheet: Any = workbook.active
    headers = [
        Column(_("Grid"), 20),
        Column(_("Household"), 30),
        Column(_("Householder"), 12),
        Column(_("Mobile phone"), 15),
        Column(_("Kinds of difficulty"), 36),
        Column(_("In difficulty since"), 14),
        Column(_("Partners"), 30),
        Column(_("Last visit"), 14),
        Column(_("Ended on"), 14),
    ]
    head_sheet(sheet, _("Households in difficulty"), headers)
    rows = unmasked = 0
    for record in records:
        if rows >= EXPORT_CAP:
            break
        household = record.household
        shown = unmasked_for(unmasked_paths, household)
        people = getattr(household, "people", [])
        name, phone = person_label(people[0] if people else None, unmasked=shown)
        grid = household.parent.parent if household.parent is not None else None
        _append(
            sheet,
            [
                grid.name if grid is not None else "",
                household_label(household, unmasked=shown),
                name,
                phone,
                "、".join(kind_labels(record.kinds)),
                record.since,
                "、".join(partner_label(p, unmasked=shown) for p in getattr(record, "open_pairings", [])),
                getattr(record, "last_visit", None),
                record.ended_on,
            ],
        )
        rows += 1
        unmasked += shown
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(rows + 1, 1)}"
    info = workbook.create_sheet(_("About this export")[:31])
    for label, value in about:
        _append(info, [str(label), value])
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 60
    buffer = io.BytesIO()
    workbook.save(buffer)
    return HouseholdsWorkbook(content=buffer.getvalue(), rows=rows, unmasked=unmasked)
