"""The Excel workbook of members' points accounts (积分台账): one row per member registered with the user's
communities, with balance and points earned in all. Names are masked unless the row says the user may see them
(VIEW_PERSONAL_DATA over the community); the view audits an export with any unmasked row."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from gridwork.common.masking import mask_name
from gridwork.common.workbooks import Column, append_row, head_sheet
from gridwork.party.models import MemberRegistration

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_CAP = 100_000


@dataclass(frozen=True)
class AccountsWorkbook:
    content: bytes
    rows: int
    unmasked: int


def accounts_xlsx(members: Iterable[MemberRegistration], *, about: list[tuple[str, Any]]) -> AccountsWorkbook:
    """The workbook: a sheet of accounts (``account_list``'s rows, each masked unless marked ``unmasked``) and a sheet
    saying what was exported, when and by whom."""
    workbook = Workbook()
    sheet: Any = workbook.active
    headers = [
        Column(_("Community"), 18),
        Column(_("Building"), 18),
        Column(_("Name"), 12),
        Column(_("Employer"), 28),
        Column(_("Balance"), 10),
        Column(_("Earned in all"), 12),
        Column(_("Spent"), 10),
    ]
    head_sheet(sheet, _("Points accounts"), headers)
    rows = unmasked = 0
    for member in members:
        if rows >= EXPORT_CAP:
            break
        shown = bool(getattr(member, "unmasked", False))
        balance = int(getattr(member, "balance", 0) or 0)
        earned = int(getattr(member, "earned", 0) or 0)
        append_row(
            sheet,
            [
                member.community.name,
                member.building.name,
                member.name if shown else mask_name(member.name),
                member.employer,
                balance,
                earned,
                earned - balance,
            ],
        )
        rows += 1
        unmasked += shown
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(rows + 1, 1)}"
    info = workbook.create_sheet(_("About this export")[:31])
    for label, value in about:
        append_row(info, [str(label), value])
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 60
    buffer = io.BytesIO()
    workbook.save(buffer)
    return AccountsWorkbook(content=buffer.getvalue(), rows=rows, unmasked=unmasked)
