"""The year's three-zero applications and incidents as an Excel workbook (openpyxl, write-only): one sheet of
applications with the figures that decide them (the review's snapshot once reviewed, else the figures now), one of
incidents, one about the export. Incidents carry no personal data (the form asks for facts only)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from gridwork.common.workbooks import headed_sheet, safe_cell
from gridwork.threezero.models import Application, Incident
from gridwork.threezero.selectors import Figures

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _append(sheet: WriteOnlyWorksheet, values: Sequence[Any]) -> None:
    sheet.append([safe_cell(sheet, value) for value in values])


def _yes(value: bool) -> str:
    return _("Yes") if value else _("No")


def three_zero_workbook(
    *,
    year: int,
    applications: Iterable[tuple[Application, Figures, bool]],
    incidents: Iterable[Incident],
    scope: str,
) -> bytes:
    """``applications`` as (application, figures shown, whether they are the review's snapshot)."""
    workbook = Workbook(write_only=True)
    sheet = headed_sheet(
        workbook,
        _("Applications"),
        [
            _("Year"),
            _("Applicant"),
            _("Place"),
            _("Place code"),
            _("Resident unit"),
            _("State"),
            _("Safety accidents"),
            _("Petitions"),
            _("Criminal and public-security cases"),
            _("Dispute cases registered"),
            _("Dispute cases referred"),
            _("Figures"),
            _("Granted as an exception"),
            _("Applied at"),
            _("Reviewed by"),
            _("Reviewed at"),
            _("Reason"),
        ],
    )
    count = 0
    for application, figures, snapshot in applications:
        count += 1
        _append(
            sheet,
            [
                application.year,
                application.name,
                application.place.name,
                application.place.code,
                application.unit.name if application.unit else "",
                application.get_state_display(),
                figures.accidents,
                figures.petitions,
                figures.cases,
                figures.disputes,
                figures.referrals,
                _("At the review") if snapshot else _("As of now"),
                _yes(application.overridden),
                application.applied_at,
                (application.reviewer.full_name or application.reviewer.get_username()) if application.reviewer else "",
                application.reviewed_at,
                application.reason,
            ],
        )
    incident_sheet = headed_sheet(
        workbook,
        _("Incidents"),
        [_("Occurred on"), _("Kind"), _("Place"), _("Place code"), _("Resident unit"), _("Reference"), _("Summary")],
    )
    incident_count = 0
    for incident in incidents:
        incident_count += 1
        _append(
            incident_sheet,
            [
                incident.occurred_on,
                incident.get_kind_display(),
                incident.place.name,
                incident.place.code,
                incident.unit.name if incident.unit else "",
                incident.reference,
                incident.summary,
            ],
        )
    about = headed_sheet(workbook, _("About this export"), [_("Item"), _("Value")])
    for label, value in (
        (_("Year"), year),
        (_("Area"), scope),
        (_("Applications"), count),
        (_("Incidents"), incident_count),
        (
            _("Figures"),
            _(
                "Accidents, petitions and cases recorded in the year in the applicant's street or community (all its "
                "communities, grids and resident units), or against the resident unit itself; dispute cases "
                "registered in the year and those of them referred, for information. A reviewed application shows "
                "the figures taken at the review."
            ),
        ),
    ):
        _append(about, [str(label), value])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes, *, ascii_name: str, display_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(display_name, safe='')}"
    )
    response["Cache-Control"] = "private, no-store"
    return response
