"""The Excel workbooks of the party's registrations: the registered members (在职党员报到名册), one row per
confirmed registration of the user's communities, by community and building; and the dual evaluation's report of a
period (``evaluations_xlsx``). Names and phones are masked unless the row says the user may see them
(VIEW_PERSONAL_DATA over the community); the view audits an export with any unmasked row."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from gridwork.common.masking import mask_name, mask_phone
from gridwork.common.workbooks import (
    Column,
    append_row,
    head_sheet,
)
from gridwork.party.models import MemberRegistration
from gridwork.party.periods import Period
from gridwork.party.records import RecordFigures, ReportRow
from gridwork.party.skills import skill_labels

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_CAP = 100_000


@dataclass(frozen=True)
class MembersWorkbook:
    content: bytes
    rows: int
    unmasked: int


def registered_members_xlsx(
    registrations: Iterable[MemberRegistration], *, about: list[tuple[str, Any]]
) -> MembersWorkbook:
    """The workbook: a sheet of members (each row masked unless its ``unmasked`` mark says otherwise) and a sheet
    saying what was exported, when and by whom."""
    workbook = Workbook()
    sheet: Any = workbook.active
    headers = [
        Column(_("Community"), 18),
        Column(_("Building"), 18),
        Column(_("Name"), 12),
        Column(_("Mobile phone"), 15),
        Column(_("Employer"), 28),
        Column(_("Party organisation at work"), 28),
        Column(_("Employer's registered unit"), 28),
        Column(_("Skills"), 36),
        Column(_("Confirmed at"), 18),
    ]
    head_sheet(sheet, _("Registered members"), headers)
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
        append_row(sheet, values)
        sheet.cell(row=sheet.max_row, column=len(values)).number_format = "yyyy-mm-dd hh:mm"
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
    return MembersWorkbook(content=buffer.getvalue(), rows=rows, unmasked=unmasked)


# --- 双评价: the evaluations of a period ------------------------------------------------------------------------------


def _figure_values(figures: RecordFigures) -> list[Any]:
    average = figures.rating_average
    return [
        figures.services,
        float(figures.hours),
        figures.ratings,
        float(average) if average is not None else None,
        figures.wishes_fulfilled,
        figures.wishes_confirmed,
        figures.points_earned,
        figures.points_balance,
    ]


def _figure_headers() -> list[Column]:
    return [
        Column(_("Services done"), 10),
        Column(_("Hours"), 8),
        Column(_("Ratings"), 8),
        Column(_("Average rating"), 10),
        Column(_("Wishes fulfilled"), 10),
        Column(_("Wishes confirmed"), 10),
        Column(_("Points earned"), 10),
        Column(_("Points balance"), 10),
    ]


def evaluations_xlsx(
    rows: Iterable[ReportRow], *, period: Period, about: list[tuple[str, Any]], for_employer: bool
) -> MembersWorkbook:
    """The report of a period's dual evaluation (双评价), one row per member: the community's staff get the
    community's members (names masked unless the row is ``unmasked``), an employer its own members (names shown: they
    are its staff) and only the evaluations sent to it. The figures are those the evaluation recorded when graded, or
    the live record where there is no evaluation to show (the last column says which)."""
    workbook = Workbook()
    sheet: Any = workbook.active
    who = (
        [
            Column(_("Name"), 12),
            Column(_("Employer's registered unit"), 28),
            Column(_("Community"), 18),
            Column(_("Building"), 18),
        ]
        if for_employer
        else [Column(_("Community"), 18), Column(_("Building"), 18), Column(_("Name"), 12), Column(_("Employer"), 28)]
    )
    headers = [
        *who,
        *_figure_headers(),
        Column(_("Grade"), 12),
        Column(_("Comment"), 40),
        Column(_("Graded at"), 18),
        Column(_("Sent to the employer at"), 18),
        Column(_("Figures"), 22),
    ]
    head_sheet(sheet, period.label, headers)
    written = unmasked = 0
    for row in rows:
        if written >= EXPORT_CAP:
            break
        registration = row.registration
        shown = for_employer or bool(getattr(registration, "unmasked", False))
        name = registration.name if shown else mask_name(registration.name)
        who_values = (
            [
                name,
                registration.employer_unit.name if registration.employer_unit else "",
                registration.community.name,
                registration.building.name,
            ]
            if for_employer
            else [registration.community.name, registration.building.name, name, registration.employer]
        )
        evaluation = row.evaluation
        append_row(
            sheet,
            [
                *who_values,
                *_figure_values(row.figures),
                evaluation.get_grade_display() if evaluation else "",
                evaluation.comment if evaluation else "",
                evaluation.evaluated_at if evaluation else None,
                evaluation.sent_at if evaluation else None,
                _("As graded") if row.snapshot else _("Live, not graded"),
            ],
        )
        for column in (len(headers) - 2, len(headers) - 1):
            sheet.cell(row=sheet.max_row, column=column).number_format = "yyyy-mm-dd hh:mm"
        written += 1
        unmasked += shown and not for_employer
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(written + 1, 1)}"
    info = workbook.create_sheet(_("About this export")[:31])
    for label, value in about:
        append_row(info, [str(label), value])
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 60
    buffer = io.BytesIO()
    workbook.save(buffer)
    return MembersWorkbook(content=buffer.getvalue(), rows=written, unmasked=unmasked)
