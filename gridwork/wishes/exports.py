"""The wishes list as an Excel workbook (openpyxl, write-only): the staff list's rows with its filters.

The beneficiary's name and phone are masked unless the user holds VIEW_PERSONAL_DATA over the wish's community;
the claimant member's name likewise. ``WishLedger.unmasked`` counts the rows shown unmasked, which the view records
in the audit log.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from gridwork.common.masking import mask_name, mask_phone
from gridwork.common.workbooks import Column, headed_sheet, safe_cell
from gridwork.wishes.models import Wish, WishState
from gridwork.wishes.selectors import claimant_label

EXPORT_CAP = 50_000
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

COLUMNS: tuple[Column, ...] = (
    Column(_("No."), 8),
    Column(_("Wish"), 30),
    Column(_("Community"), 18),
    Column(_("Building"), 14),
    Column(_("Estimated value (yuan)"), 12, "0.00"),
    Column(_("For"), 12),
    Column(_("Mobile phone"), 14),
    Column(_("Posted on behalf"), 10),
    Column(_("State"), 16),
    Column(_("Waiting too long"), 10),
    Column(_("Posted at"), 17, DATETIME_FORMAT),
    Column(_("Published at"), 17, DATETIME_FORMAT),
    Column(_("Claimed by"), 20),
    Column(_("Claimed at"), 17, DATETIME_FORMAT),
    Column(_("Fulfilled at"), 17, DATETIME_FORMAT),
    Column(_("Confirmed at"), 17, DATETIME_FORMAT),
)


@dataclass(frozen=True)
class WishLedger:
    content: bytes
    rows: int
    unmasked: int
    capped: bool


def _row(wish: Wish, *, unmasked: bool, stale: bool) -> Sequence[Any]:
    return (
        wish.pk,
        wish.title,
        wish.community.name,
        wish.building.name if wish.building is not None else "",
        wish.value,
        wish.beneficiary_name if unmasked else mask_name(wish.beneficiary_name),
        wish.beneficiary_phone if unmasked else mask_phone(wish.beneficiary_phone),
        _("Yes") if wish.on_behalf else "",
        WishState(wish.state).label,
        _("Yes") if stale else "",
        wish.created_at,
        wish.published_at,
        claimant_label(wish, unmasked=unmasked),
        wish.claimed_at,
        wish.fulfilled_at,
        wish.confirmed_at,
    )


def wishes_xlsx(
    wishes: Iterable[Wish], *, unmasked_paths: Sequence[str], about: Sequence[tuple[str | Promise, Any]]
) -> WishLedger:
    """The workbook of ``wishes`` (annotated with ``stale``), at most ``EXPORT_CAP`` rows, and what the export is."""
    workbook = Workbook(write_only=True)
    sheet = headed_sheet(workbook, _("Micro-wishes"), COLUMNS)
    rows = unmasked = 0
    capped = False
    for wish in wishes:
        if rows >= EXPORT_CAP:
            capped = True
            break
        shown = any(wish.community.path.startswith(path) for path in unmasked_paths)
        values = _row(wish, unmasked=shown, stale=bool(getattr(wish, "stale", False)))
        sheet.append(
            [safe_cell(sheet, value, column.number_format) for value, column in zip(values, COLUMNS, strict=True)]
        )
        rows += 1
        unmasked += shown
    layout: Any = sheet  # the autofilter, which the stubs do not name
    layout.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(rows + 1, 1)}"
    about_sheet = cast(WriteOnlyWorksheet, workbook.create_sheet(str(_("About this export"))))
    for label, value in about:
        about_sheet.append(
            [str(label), safe_cell(about_sheet, value, DATETIME_FORMAT if isinstance(value, datetime) else "")]
        )
    if capped:
        about_sheet.append(
            [str(_("Rows")), str(_("Only the first %(cap)d rows; narrow the filters.") % {"cap": EXPORT_CAP})]
        )
    output = io.BytesIO()
    workbook.save(output)
    return WishLedger(content=output.getvalue(), rows=rows, unmasked=unmasked, capped=capped)
