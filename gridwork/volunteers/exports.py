"""The volunteer orders as an Excel workbook (openpyxl, write-only): one row per order of the staff queue, and a sheet
about the export. The person served and the taker are masked unless the row says the user may see them."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any
from urllib.parse import quote

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from gridwork.common.masking import mask_name, mask_phone
from gridwork.common.workbooks import headed_sheet, safe_cell
from gridwork.volunteers.models import ServiceOrder

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_CAP = 50_000


@dataclass(frozen=True)
class OrderRow:
    values: tuple[Any, ...]
    unmasked: bool


def order_columns() -> list[str]:
    return [
        _("Number"),
        _("Ordered at"),
        _("Community"),
        _("Building"),
        _("Service"),
        _("What is needed"),
        _("For"),
        _("Phone"),
        _("Wanted on"),
        _("Time"),
        _("State"),
        _("Taken by"),
        _("Hours"),
        _("Rating (stars)"),
        _("Completed at"),
    ]


def order_row(order: ServiceOrder, *, unmasked: bool) -> OrderRow:
    name, phone = order.for_name, order.for_phone
    taker = order.taker.name if order.taker is not None else ""
    if not unmasked:
        name, phone, taker = mask_name(name), mask_phone(phone), mask_name(taker)
    window = f"{order.wanted_from:%H:%M}–{order.wanted_to:%H:%M}" if order.wanted_from and order.wanted_to else ""
    return OrderRow(
        values=(
            order.pk,
            order.created_at,
            order.community.name,
            order.building.name,
            order.item.name if order.item is not None else "",
            order.text,
            name,
            phone,
            order.wanted_on,
            window,
            order.get_state_display(),
            taker,
            float(order.hours) if order.hours is not None else None,
            order.rating,
            order.completed_at,
        ),
        unmasked=unmasked,
    )


def order_rows(orders: QuerySet[ServiceOrder], *, cap: int = EXPORT_CAP) -> Iterable[OrderRow]:
    """Rows of the queue's orders (from ``order_queue``, marked ``personal_visible``), one more than ``cap`` at most."""
    for order in orders[: cap + 1].iterator(chunk_size=2000):
        yield order_row(order, unmasked=bool(getattr(order, "personal_visible", False)))


@dataclass(frozen=True)
class OrdersFile:
    content: bytes
    rows: int
    unmasked: int
    capped: bool


def orders_xlsx(
    rows: Iterable[OrderRow], *, about: Sequence[tuple[str, Any]] = (), cap: int = EXPORT_CAP
) -> OrdersFile:
    workbook = Workbook(write_only=True)
    sheet = headed_sheet(workbook, _("Volunteer orders"), order_columns())
    written = unmasked = 0
    iterator = iter(rows)
    for row in islice(iterator, cap):
        sheet.append([safe_cell(sheet, value) for value in row.values])
        written += 1
        unmasked += row.unmasked
    capped = next(iterator, None) is not None
    if capped:
        sheet.append([_("Only the first %(cap)s orders are exported; narrow the filters.") % {"cap": f"{cap:,}"}])
    about_sheet = headed_sheet(workbook, _("About this export"), [_("Item"), _("Value")])
    masking = _("Shown as recorded, where you may see personal data.") if unmasked else _("Masked (138****1234).")
    for label, value in [*about, (_("Rows"), written), (_("Names and phones"), masking)]:
        about_sheet.append([str(label), safe_cell(about_sheet, value)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return OrdersFile(content=buffer.getvalue(), rows=written, unmasked=unmasked, capped=capped)


def xlsx_response(content: bytes, *, ascii_name: str, display_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(display_name, safe='')}"
    )
    response["Cache-Control"] = "private, no-store"
    return response
