"""The alliances list as an Excel workbook (openpyxl, write-only): the staff list's rows with its filters. Alliances
hold no personal data (their members are communities and resident units), so nothing is masked."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from gridwork.alliances.models import Alliance, AllianceState
from gridwork.alliances.selectors import chairs_now
from gridwork.common.workbooks import Column, headed_sheet, safe_cell

EXPORT_CAP = 10_000
DATE_FORMAT = "yyyy-mm-dd"


def _columns(year: int) -> tuple[Column, ...]:
    return (
        Column(_("No."), 8),
        Column(_("Alliance"), 30),
        Column(_("Organised by"), 20),
        Column(_("Started on"), 12, DATE_FORMAT),
        Column(_("Chair's term (months)"), 10, "0"),
        Column(_("Members now"), 10, "0"),
        Column(_("Chair now"), 24),
        Column(_("Joint meetings in %(year)d") % {"year": year}, 12, "0"),
        Column(_("Short of meetings"), 10),
        Column(_("State"), 10),
        Column(_("Dissolved on"), 12, DATE_FORMAT),
        Column(_("Purpose"), 50),
    )


def _place(alliance: Alliance) -> str:
    parent = alliance.place.parent
    return f"{parent.name} › {alliance.place.name}" if parent is not None else alliance.place.name


def alliances_xlsx(
    alliances: Sequence[Alliance], *, year: int, about: Sequence[tuple[str | Promise, Any]], today: date | None = None
) -> bytes:
    """The workbook of ``alliances`` (annotated by ``selectors.with_counts``), at most ``EXPORT_CAP`` of them, and a
    sheet saying what the export is."""
    rows = list(alliances[:EXPORT_CAP])
    chairs = chairs_now(rows, today=today)
    columns = _columns(year)
    workbook = Workbook(write_only=True)
    sheet = headed_sheet(workbook, _("Alliances"), columns)
    for alliance in rows:
        chair = chairs.get(alliance.pk)
        values = (
            alliance.pk,
            alliance.name,
            _place(alliance),
            alliance.started_on,
            alliance.term_months,
            getattr(alliance, "member_count", 0),
            chair.name if chair is not None else "",
            getattr(alliance, "meetings_in_year", 0),
            _("Yes") if getattr(alliance, "short", False) else "",
            AllianceState(alliance.state).label,
            alliance.dissolved_on,
            alliance.purpose,
        )
        sheet.append(
            [
                safe_cell(sheet, value, column.number_format, whole_seconds=False)
                for value, column in zip(values, columns, strict=True)
            ]
        )
    if len(rows) == EXPORT_CAP:
        sheet.append([str(_("Only the first %(n)d alliances are exported.") % {"n": EXPORT_CAP})])
    about_sheet = cast(WriteOnlyWorksheet, workbook.create_sheet(str(_("About"))))
    for label, value in about:
        about_sheet.append([str(label), safe_cell(about_sheet, value, whole_seconds=False)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
