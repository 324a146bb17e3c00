"""A 民生实事 programme's proposals as an Excel workbook (openpyxl): each proposal with its state, the public screening
note, the cost, the votes and the progress, and a sheet about the programme. Proposers are named by their masked
names; voters never appear."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from gridwork.common.workbooks import append_row
from gridwork.deliberation import selectors
from gridwork.deliberation.models import Programme
from gridwork.deliberation.services import programme_figures

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _number(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def programme_workbook(programme: Programme) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Proposals")[:31]
    headers = [
        _("Title"),
        _("Where"),
        _("Estimated cost (yuan)"),
        _("Source"),
        _("Proposed by"),
        _("Proposed at"),
        _("State"),
        _("Screening note (public)"),
        _("Votes"),
        _("Progress (%)"),
    ]
    append_row(sheet, headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for proposal in selectors.proposals_of(programme):
        append_row(
            sheet,
            [
                proposal.title,
                proposal.location,
                _number(proposal.estimated_cost),
                proposal.get_source_display(),
                selectors.proposer_label(proposal),
                proposal.created_at,
                proposal.get_state_display(),
                proposal.screening_reason,
                getattr(proposal, "vote_count", 0),
                proposal.progress,
            ],
        )
    figures = programme_figures(programme)
    about = workbook.create_sheet(_("About this export")[:31])
    for label, value in [
        (_("Programme"), programme.title),
        (_("Place"), programme.place.name),
        (_("Year"), programme.year),
        (_("Phase"), programme.get_state_display()),
        (_("Budget (yuan)"), _number(programme.budget) if programme.budget is not None else ""),
        (_("Votes per resident"), programme.votes_per_resident),
        (_("Proposals"), figures["proposals"]),
        (_("Votes"), figures["votes"]),
        (_("Residents who voted"), figures["voters"]),
        (_("Cost of the chosen items (yuan)"), _number(figures["chosen_cost"])),
        (_("Decision"), programme.decision),
        (_("Exported at"), timezone.now()),
    ]:
        append_row(about, [str(label), value])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def programme_workbook_response(programme: Programme) -> HttpResponse:
    name = f"{programme.year}-{programme.place.name}-{_('public-interest projects')}.xlsx"
    response = HttpResponse(programme_workbook(programme), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
