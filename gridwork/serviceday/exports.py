"""The service days as an Excel workbook (openpyxl, write-only): a row per cycle with its stages' dates, the late
stages and the figures, a sheet of the figures' definitions, and a sheet that says when and by whom it was exported.
No personal data."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from gridwork.common.workbooks import Column, headed_sheet, safe_cell
from gridwork.serviceday.calendar import STAGE_RULES
from gridwork.serviceday.figures import DEFINITIONS, CycleFigures
from gridwork.serviceday.models import STAGE_LABELS, STAGES, ServiceCycle

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
RATING_FORMAT = "0.00"

COLUMNS: tuple[Column, ...] = (
    Column(_("Community"), 18),
    Column(_("Street"), 16),
    Column(_("Month"), 9),
    Column(_("Where it stands"), 16),
    *(Column(_("%(stage)s: completed on") % {"stage": STAGE_LABELS[stage]}, 14, DATE_FORMAT) for stage in STAGES),
    Column(_("Late stages"), 30),
    Column(_("Opinions"), 9),
    Column(_("Taken up"), 9),
    Column(_("Items"), 8),
    Column(_("Done"), 8),
    Column(_("Not done"), 8),
    Column(_("Ratings"), 8),
    Column(_("Average rating"), 9, RATING_FORMAT),
    Column(_("Residents taking part"), 10),
    Column(_("Volunteers"), 10),
    Column(_("Units"), 8),
    Column(_("Participants"), 10),
)


def cycles_xlsx(
    rows: Sequence[tuple[ServiceCycle, CycleFigures, Sequence[str]]], *, about: Sequence[tuple[str | Promise, Any]]
) -> bytes:
    """One row per cycle: its place, month, state, each stage's completion day, its late stages and figures."""
    workbook = Workbook(write_only=True)
    sheet = headed_sheet(workbook, _("Service days"), COLUMNS)
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
        sheet.append(
            [safe_cell(sheet, value, column.number_format) for value, column in zip(values, COLUMNS, strict=True)]
        )

    calendar = headed_sheet(
        workbook, _("Stages"), (Column(_("Stage"), 30), Column(_("Opens"), 30), Column(_("Due"), 36))
    )
    for stage in STAGES:
        opens, due = STAGE_RULES[stage]
        calendar.append([str(STAGE_LABELS[stage]), str(opens), str(due)])

    definitions = headed_sheet(workbook, _("Definitions"), (Column(_("Figure"), 24), Column(_("Definition"), 100)))
    for label, definition in DEFINITIONS:
        definitions.append([str(label), str(definition)])

    about_sheet = headed_sheet(workbook, _("About this export"), (Column(_("Item"), 24), Column(_("Value"), 70)))
    for label, value in about:
        fmt = DATETIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT if isinstance(value, date) else ""
        about_sheet.append([str(label), safe_cell(about_sheet, value, fmt)])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
