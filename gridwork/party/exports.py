"""The Excel workbook of registered members (在职党员报到名册): one row per confirmed registration of the user's
communities, by community and building. Names and phones are masked unless the row says the user may see them
(VIEW_PERSONAL_DATA over the community); the view audits an export with any unmasked row."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from gridwork.common.masking import mask_name, mask_phone
from gridwork.party.models import MemberRegistration
from gridwork.party.skills import skill_labels

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="C00000")
EXPORT_CAP = 100_000


@dataclass(frozen=True)
class MembersWorkbook:
    content: bytes
    rows: int
    unmasked: int


def _text(value: Any) -> Any:
    """Local time without a zone (Excel has none); text without control characters."""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None, microsecond=0) if timezone.is_aware(value) else value
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _append(sheet: Any, values: list[Any]) -> None:
    """A row of values; text starting with "=" stays text: what a member typed is never run as a formula."""
    sheet.append([_text(value) for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"


def registered_members_xlsx(
    registrations: Iterable[MemberRegistration], *, about: list[tuple[str, Any]]
) -> MembersWorkbook:
    """The workbook: a sheet of members (each row masked unless its ``unmasked`` mark says otherwise) and a sheet
    saying what was exported, when and by whom."""
    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.title = _("Registered members")[:31]
    headers = [
        (_("Community"), 18),
        (_("Building"), 18),
        (_("Name"), 12),
        (_("Mobile phone"), 15),
        (_("Employer"), 28),
        (_("Party organisation at work"), 28),
        (_("Employer's registered unit"), 28),
        (_("Skills"), 36),
        (_("Confirmed at"), 18),
    ]
    for index, (header, width) in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    rows = unmasked = 0
    for registration in registrations:
        if rows >= EXPORT_CAP:
            break
        shown = bool(getattr(registration, "unmasked", False))
        name = registration.name if shown else mask_name(registration.name)
        phone = registration.phone if shown else mask_phone(registration.phone)
        values = [
            registration.community.name,
            registration.building.name,
            name,
            phone,
            registration.employer,
            registration.employer_party_organisation,
            registration.employer_unit.name if registration.employer_unit else "",
            "、".join(skill_labels(registration.skills or [])),
            registration.confirmed_at,
        ]
        _append(sheet, values)
        sheet.cell(row=sheet.max_row, column=len(values)).number_format = "yyyy-mm-dd hh:mm"
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
    return MembersWorkbook(content=buffer.getvalue(), rows=rows, unmasked=unmasked)
