"""The workforce as Excel workbooks (openpyxl, write-only): workers, the staffing check and secretaries' training,
each with a sheet about the export. Names, phones and ID numbers are masked unless the row says the user may see
them."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from gridwork.common.masking import mask_id_number, mask_name, mask_phone
from gridwork.common.workbooks import headed_sheet, safe_cell
from gridwork.workforce.models import Worker
from gridwork.workforce.selectors import Staffing, StaffingTotals, TrainingLine

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_CAP = 50_000


@dataclass(frozen=True)
class Row:
    values: tuple[Any, ...]
    unmasked: bool = False


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    rows: int
    unmasked: int
    capped: bool


def workbook_of(
    title: str,
    headers: Sequence[str],
    rows: Iterable[Row],
    *,
    about: Sequence[tuple[str, Any]] = (),
    personal: bool = False,
    cap: int = EXPORT_CAP,
) -> ExportFile:
    workbook = Workbook(write_only=True)
    sheet = headed_sheet(workbook, title, headers)
    written = unmasked = 0
    iterator = iter(rows)
    for row in islice(iterator, cap):
        sheet.append([safe_cell(sheet, value) for value in row.values])
        written += 1
        unmasked += row.unmasked
    capped = next(iterator, None) is not None
    if capped:
        sheet.append([_("Only the first %(cap)s rows are exported; narrow the filters.") % {"cap": f"{cap:,}"}])
    about_sheet = headed_sheet(workbook, _("About this export"), [_("Item"), _("Value")])
    facts = [*about, (_("Rows"), written)]
    if personal:
        masking = _("Shown as recorded, where you may see personal data.") if unmasked else _("Masked (138****1234).")
        facts.append((_("Names, phones and ID numbers"), masking))
    for label, value in facts:
        about_sheet.append([str(label), safe_cell(about_sheet, value)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return ExportFile(content=buffer.getvalue(), rows=written, unmasked=unmasked, capped=capped)


def xlsx_response(content: bytes, *, ascii_name: str, display_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(display_name, safe='')}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- workers --------------------------------------------------------------------------------------------------------


def worker_columns() -> list[str]:
    return [
        _("Community"),
        _("Name"),
        _("Gender"),
        _("Date of birth"),
        _("ID number"),
        _("Phone"),
        _("Post"),
        _("Job title"),
        _("Party secretary"),
        _("Party member"),
        _("Social-work certificate"),
        _("Pay ladder"),
        _("Grade"),
        _("Joined on"),
        _("State"),
    ]


def _yes(value: bool) -> str:
    return _("Yes") if value else _("No")


def worker_rows(workers: Iterable[Worker], *, visible_paths: Sequence[str], cap: int = EXPORT_CAP) -> Iterable[Row]:
    """Rows of workers; a worker's personal data is unmasked where the community lies under ``visible_paths``."""
    for worker in islice(workers, cap + 1):
        unmasked = any(worker.community.path.startswith(path) for path in visible_paths)
        name, phone, id_number = worker.name, worker.phone, worker.id_number
        birth = worker.birth_date
        if not unmasked:
            name, phone, id_number = mask_name(name), mask_phone(phone), mask_id_number(id_number)
            birth = None
        yield Row(
            values=(
                worker.community.name,
                name,
                worker.get_gender_display(),
                birth,
                id_number,
                phone,
                worker.get_post_display(),
                worker.title,
                _yes(worker.is_secretary),
                _yes(worker.party_member),
                worker.get_social_work_cert_display(),
                worker.ladder.name if worker.ladder is not None else "",
                worker.grade,
                worker.joined_on,
                worker.get_state_display(),
            ),
            unmasked=unmasked,
        )


# --- staffing and training ------------------------------------------------------------------------------------------


def staffing_columns() -> list[str]:
    return [
        _("Community"),
        _("Code"),
        _("Households"),
        _("Required, at least"),
        _("Required, at most"),
        _("Serving workers"),
        _("Gap"),
        _("Above the most"),
        _("Certified"),
        _("Certified share (%)"),
    ]


def staffing_rows(lines: Iterable[Staffing], totals: StaffingTotals | None = None) -> Iterable[Row]:
    for line in lines:
        yield Row(
            values=(
                line.community.name,
                line.community.code,
                line.households,
                line.minimum,
                line.maximum,
                line.actual,
                line.gap,
                line.excess,
                line.certified,
                float(line.certified_share) if line.certified_share is not None else None,
            )
        )
    if totals is not None:
        yield Row(
            values=(
                _("Total"),
                "",
                totals.households,
                totals.minimum,
                totals.maximum,
                totals.actual,
                totals.gap,
                None,
                totals.certified,
                float(totals.certified_share) if totals.certified_share is not None else None,
            )
        )


def training_columns() -> list[str]:
    return [
        _("Community"),
        _("Secretary"),
        _("Job title"),
        _("Hours"),
        _("Yearly minimum"),
        _("Short by"),
        _("Warning"),
    ]


def training_rows(lines: Iterable[TrainingLine], *, visible_paths: Sequence[str]) -> Iterable[Row]:
    for line in lines:
        worker = line.worker
        unmasked = any(worker.community.path.startswith(path) for path in visible_paths)
        yield Row(
            values=(
                worker.community.name,
                worker.name if unmasked else mask_name(worker.name),
                worker.title,
                float(line.hours),
                float(line.minimum),
                float(line.short),
                _("Below the minimum") if line.below else "",
            ),
            unmasked=unmasked,
        )
