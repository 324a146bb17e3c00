"""The three lists, the matches and the figures as Excel workbooks (openpyxl, write-only): one sheet of rows and a
sheet about the export. The lists hold no personal data (units, titles, quantities, dates; the staff who made a
match by their account name), so nothing is masked."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import islice
from typing import Any
from urllib.parse import quote

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from gridwork.cobuild.models import Match, Need, Project, Resource
from gridwork.common.workbooks import headed_sheet, safe_cell

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_CAP = 50_000


def _cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    """A value as ``safe_cell`` writes it, a decimal as a float."""
    return safe_cell(sheet, float(value) if isinstance(value, Decimal) else value)


@dataclass(frozen=True)
class Export:
    content: bytes
    rows: int
    capped: bool


def table_xlsx(
    *,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    about: Sequence[tuple[str, Any]] = (),
    cap: int = EXPORT_CAP,
) -> Export:
    workbook = Workbook(write_only=True)
    sheet = headed_sheet(workbook, title, headers)
    written = 0
    iterator = iter(rows)
    for row in islice(iterator, cap):
        sheet.append([_cell(sheet, value) for value in row])
        written += 1
    capped = next(iterator, None) is not None
    if capped:
        sheet.append([_("Only the first %(cap)s rows are exported; narrow the filters.") % {"cap": f"{cap:,}"}])
    about_sheet = headed_sheet(workbook, _("About this export"), [_("Item"), _("Value")])
    for label, value in [*about, (_("Rows"), written)]:
        about_sheet.append([str(label), _cell(about_sheet, value)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Export(content=buffer.getvalue(), rows=written, capped=capped)


def xlsx_response(content: bytes, *, ascii_name: str, display_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(display_name, safe='')}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _limited(queryset: QuerySet[Any], cap: int = EXPORT_CAP) -> Iterable[Any]:
    return queryset[: cap + 1].iterator(chunk_size=2000)


# --- the lists --------------------------------------------------------------------------------------------------------


def need_headers() -> list[str]:
    return [
        _("Number"),
        _("Community"),
        _("Title"),
        _("Description"),
        _("Field of work"),
        _("Source"),
        _("Matter number"),
        _("How much"),
        _("Unit of measure"),
        _("Wanted by"),
        _("State"),
        _("Matches"),
        _("Published at"),
    ]


def need_rows(needs: QuerySet[Need]) -> Iterable[tuple[Any, ...]]:
    for need in _limited(needs):
        yield (
            need.pk,
            need.community.name,
            need.title,
            need.description,
            need.get_field_display(),
            need.get_source_display(),
            need.matter.number if need.matter_id else "",
            need.quantity,
            need.quantity_unit,
            need.wanted_by,
            need.get_state_display(),
            getattr(need, "match_count", None),
            need.created_at,
        )


def resource_headers() -> list[str]:
    return [
        _("Number"),
        _("Resident unit"),
        _("Kind"),
        _("Field of work"),
        _("Title"),
        _("Description"),
        _("How much"),
        _("Unit of measure"),
        _("Available from"),
        _("Available until"),
        _("When"),
        _("State"),
        _("Matches"),
        _("Published at"),
    ]


def resource_rows(resources: QuerySet[Resource]) -> Iterable[tuple[Any, ...]]:
    for resource in _limited(resources):
        yield (
            resource.pk,
            resource.unit.name,
            resource.get_kind_display(),
            resource.get_field_display(),
            resource.title,
            resource.description,
            resource.quantity,
            resource.quantity_unit,
            resource.available_from,
            resource.available_to,
            resource.availability,
            resource.get_state_display(),
            getattr(resource, "match_count", None),
            resource.created_at,
        )


def match_headers() -> list[str]:
    return [
        _("Number"),
        _("Community"),
        _("Need"),
        _("Resident unit"),
        _("Resource"),
        _("Score"),
        _("Reasons"),
        _("Project"),
        _("Made by"),
        _("Made at"),
    ]


def match_rows(matches: QuerySet[Match]) -> Iterable[tuple[Any, ...]]:
    for match in _limited(matches):
        project = getattr(match, "project", None)
        yield (
            match.pk,
            match.need.community.name,
            match.need.title,
            match.resource.unit.name,
            match.resource.title,
            match.score,
            "; ".join(str(reason) for reason in match.reasons or []),
            project.title if project is not None else "",
            match.made_by.get_username(),
            match.made_at,
        )


def project_headers() -> list[str]:
    return [
        _("Number"),
        _("Community"),
        _("Title"),
        _("Goal"),
        _("Field of work"),
        _("Parties"),
        _("Budget (yuan)"),
        _("Starts on"),
        _("Ends on"),
        _("State"),
        _("From match"),
        _("Created at"),
    ]


def project_rows(projects: QuerySet[Project]) -> Iterable[tuple[Any, ...]]:
    for project in _limited(projects):
        yield (
            project.pk,
            project.community.name,
            project.title,
            project.goal,
            project.get_field_display(),
            "、".join(unit.name for unit in project.units.all()),
            project.budget,
            project.starts_on,
            project.ends_on,
            project.get_state_display(),
            project.match_id or "",
            project.created_at,
        )


def day_name(day: date) -> str:
    return f"{day:%Y%m%d}"
