"""The service days as an Excel workbook (openpyxl, write-only): a row per cycle with its stages' dates, the late
stages and the figures, a sheet of the figures' definitions, and a sheet that says when and by whom it was exported.
No personal data."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from gridwork.common.workbooks import safe_cell
from gridwork.serviceday.calendar import STAGE_RULES
from gridwork.serviceday.figures import DEFINITIONS, CycleFigures
from gridwork.serviceday.models import STAGE_LABELS, STAGES, ServiceCycle

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="C00000")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
RATING_FORMAT = "0.00"

Spec = tuple[str | Promise, int, str]  # header, width, number format

COLUMNS: tuple[Spec, ...] = (
    (_("Community"), 18, ""),
    (_("Street"), 16, ""),
    (_("Month"), 9, ""),
    (_("Where it stands"), 16, ""),
    *((_("%(stage)s: completed on") % {"stage": STAGE_LABELS[stage]}, 14, DATE_FORMAT) for stage in STAGES),
    (_("Late stages"), 30, ""),
    (_("Opinions"), 9, ""),
    (_("Taken up"), 9, ""),
    (_("Items"), 8, ""),
    (_("Done"), 8, ""),
    (_("Not done"), 8, ""),
    (_("Ratings"), 8, ""),
    (_("Average rating"), 9, RATING_FORMAT),
    (_("Residents taking part"), 10, ""),
    (_("Volunteers"), 10, ""),
    (_("Units"), 8, ""),
    (_("Participants"), 10, ""),
)


def _sheet(workbook: Workbook, title: str | Promise, columns: Sequence[Spec]) -> WriteOnlyWorksheet:
    sheet = cast(WriteOnlyWorksheet, workbook.create_sheet(str(title)[:31]))
    layout: Any = sheet
    for index, (_header, width, _format) in enumerate(columns, start=1):
        layout.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header = []
    for heading, _width, _format in columns:
        cell = WriteOnlyCell(sheet, value=str(heading))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        header.append(cell)
    sheet.append(header)
    return sheet


def cycles_xlsx(
    rows: Sequence[tuple[ServiceCycle, CycleFigures, Sequence[str]]], *, about: Sequence[tuple[str | Promise, Any]]
) -> bytes:
    """One row per cycle: its place, month, state, each stage's completion day, its late stages and figures."""
    workbook = Workbook(write_only=True)
    sheet = _sheet(workbook, _("Service days"), COLUMNS)
    for cycle, figures, late in rows:
        street = cycle.community.parent.name if cycle.community.parent is not None else ""
        values = (
            cycle.community.name,
            street,
            cycle.period,
            cycle.get_state_display(),
            *(getattr(cycle, f"{stage}_done_on") for stage in STAGES),
            "; ".join(str(STAGE_LABELS[stage]) for stage in late),
            figures.opinions,
            figures.taken_up,
            figures.items,
            figures.done,
            figures.not_done,
            figures.ratings,
            figures.average_rating,
            figures.residents,
            figures.volunteers,
            figures.units,
            figures.participants,
        )
        sheet.append([safe_cell(sheet, value, fmt) for value, (_h, _w, fmt) in zip(values, COLUMNS, strict=True)])

    calendar = _sheet(workbook, _("Stages"), ((_("Stage"), 30, ""), (_("Opens"), 30, ""), (_("Due"), 36, "")))
    for stage in STAGES:
        opens, due = STAGE_RULES[stage]
        calendar.append([str(STAGE_LABELS[stage]), str(opens), str(due)])

    definitions = _sheet(workbook, _("Definitions"), ((_("Figure"), 24, ""), (_("Definition"), 100, "")))
    for label, definition in DEFINITIONS:
        definitions.append([str(label), str(definition)])

    about_sheet = _sheet(workbook, _("About this export"), ((_("Item"), 24, ""), (_("Value"), 70, "")))
    for label, value in about:
        fmt = DATETIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT if isinstance(value, date) else ""
        about_sheet.append([str(label), safe_cell(about_sheet, value, fmt)])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
