"""The project list (项目清单) of a key task as an Excel workbook (openpyxl, write-only): a row per item the reader
may see, with its responsible unit and person, deadline, status, progress and milestones; a sheet of milestones, a
sheet of the definitions and one saying what the export is. Staff names only, no phone numbers."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from gridwork.common.workbooks import Column, headed_sheet, safe_cell
from gridwork.keytasks.figures import DEFINITIONS
from gridwork.keytasks.models import KeyTask, ProjectItem

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"

ITEM_COLUMNS: tuple[Column, ...] = (
    Column(_("No."), 6),
    Column(_("Item"), 30),
    Column(_("Responsible unit"), 22),
    Column(_("Responsible person"), 14),
    Column(_("Deadline"), 12, DATE_FORMAT),
    Column(_("Status"), 10),
    Column(_("Progress (%)"), 10),
    Column(_("Milestones done"), 10),
    Column(_("Milestones"), 10),
    Column(_("Next milestone due"), 14, DATE_FORMAT),
    Column(_("Done on"), 12, DATE_FORMAT),
)
MILESTONE_COLUMNS: tuple[Column, ...] = (
    Column(_("No."), 6),
    Column(_("Item"), 30),
    Column(_("Milestone"), 30),
    Column(_("Due date"), 12, DATE_FORMAT),
    Column(_("Done on"), 12, DATE_FORMAT),
    Column(_("On time"), 8),
)


def _append(sheet: WriteOnlyWorksheet, columns: Sequence[Column], values: Sequence[Any]) -> None:
    sheet.append([safe_cell(sheet, value, column.number_format) for value, column in zip(values, columns, strict=True)])


def project_list_xlsx(task: KeyTask, items: Sequence[ProjectItem], *, about: Sequence[tuple[Any, Any]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = headed_sheet(workbook, _("Project list"), ITEM_COLUMNS)
    for item in items:
        milestones = list(item.milestones.all())
        pending = [m.due_on for m in milestones if m.done_on is None]
        _append(
            sheet,
            ITEM_COLUMNS,
            [
                item.position,
                item.title,
                item.unit_name,
                str(item.responsible_person),
                item.deadline,
                item.get_state_display(),
                item.percent,
                sum(1 for m in milestones if m.done_on is not None),
                len(milestones),
                min(pending) if pending else None,
                item.done_on,
            ],
        )
    layout: Any = sheet
    layout.auto_filter.ref = f"A1:{get_column_letter(len(ITEM_COLUMNS))}{len(items) + 1}"
    milestone_sheet = headed_sheet(workbook, _("Milestones"), MILESTONE_COLUMNS)
    for item in items:
        for milestone in item.milestones.all():
            on_time = milestone.on_time
            _append(
                milestone_sheet,
                MILESTONE_COLUMNS,
                [
                    item.position,
                    item.title,
                    milestone.title,
                    milestone.due_on,
                    milestone.done_on,
                    "" if on_time is None else str(_("yes") if on_time else _("no")),
                ],
            )
    definitions = headed_sheet(workbook, _("Definitions"), (Column(_("Figure"), 24), Column(_("Definition"), 100)))
    for figure, text in DEFINITIONS:
        definitions.append([str(figure), str(text)])
    about_sheet = headed_sheet(workbook, _("About this export"), (Column(_("Item"), 24), Column(_("Value"), 70)))
    for label, value in [(_("Key task"), f"{task.number} {task.title}"), *about]:
        fmt = "yyyy-mm-dd hh:mm:ss" if isinstance(value, datetime) else DATE_FORMAT if isinstance(value, date) else ""
        about_sheet.append([str(label), safe_cell(about_sheet, value, fmt)])
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
