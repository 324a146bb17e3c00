"""The Excel roster of part-time members (兼职委员名册): one row per term of the list's filter. Names are masked
(张*明) unless the viewer holds VIEW_PERSONAL_DATA over the organisation's place; the roster holds no phone number."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from gridwork.accounts.roles import Perm
from gridwork.common.masking import mask_name
from gridwork.common.workbooks import Column, append_row, head_sheet
from gridwork.party.exports import EXPORT_CAP
from gridwork.party.models import PartTimeMember
from gridwork.party.parttime_selectors import TermStatus, term_status


def _personal_data_paths(viewer: Any) -> list[str]:
    if viewer is None or not getattr(viewer, "is_authenticated", False) or not hasattr(viewer, "scope_paths"):
        return []
    return list(viewer.scope_paths(Perm.VIEW_PERSONAL_DATA))


def _under(path: str, paths: list[str]) -> bool:
    return any(path.startswith(scope) for scope in paths)


def part_time_xlsx(
    terms: Iterable[PartTimeMember], *, about: list[tuple[Any, Any]], today: date, viewer: Any = None
) -> tuple[bytes, int]:
    """The workbook (the roster and a sheet saying what was exported) and its number of rows. Each name is shown
    whole only when ``viewer`` holds VIEW_PERSONAL_DATA over the place of the term's organisation (no viewer: all
    masked)."""
    unmasked_under = _personal_data_paths(viewer)
    workbook = Workbook()
    sheet: Any = workbook.active
    headers = [
        Column(_("Organisation"), 28),
        Column(_("Place"), 16),
        Column(_("Name"), 12),
        Column(_("Resident unit"), 28),
        Column(_("Position in the unit"), 20),
        Column(_("First day"), 12),
        Column(_("Last day"), 12),
        Column(_("Ended early on"), 12),
        Column(_("Reason"), 28),
        Column(_("Status"), 14),
        Column(_("Renews the term of"), 12),
        Column(_("Duties"), 48),
    ]
    head_sheet(sheet, _("Part-time members"), headers)
    rows = 0
    for term in terms:
        if rows >= EXPORT_CAP:
            break
        append_row(
            sheet,
            [
                term.organisation.name,
                term.organisation.place.name,
                term.name if _under(term.organisation.place.path, unmasked_under) else mask_name(term.name),
                term.resident_unit.name,
                term.position,
                term.term_start,
                term.term_end,
                term.ended_on,
                term.end_reason,
                str(TermStatus(term_status(term, today)).label),
                term.renewed_from.term_start if term.renewed_from else None,
                "\n".join(term.duty_list),
            ],
        )
        for column in (6, 7, 8, 11):
            sheet.cell(row=sheet.max_row, column=column).number_format = "yyyy-mm-dd"
        rows += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(rows + 1, 1)}"
    info = workbook.create_sheet(_("About this export")[:31])
    for label, value in about:
        append_row(info, [str(label), value])
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 60
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), rows
