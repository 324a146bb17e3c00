"""The contracts list as an Excel workbook (openpyxl, write-only): one sheet of contracts with the list's filters,
one of their clauses with performance and scores, and what the export is. No personal data: parties are named by
community and unit, never by the people who signed."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from gridwork.cobuild.categories import ServiceField
from gridwork.common.workbooks import safe_cell
from gridwork.contracts.models import (
    PUBLIC_STATES,
    Clause,
    ClauseMenu,
    ClauseScore,
    Contract,
    ContractParty,
    ContractState,
    Evaluation,
    ResidentRating,
)
from gridwork.contracts.selectors import STATUS_LABELS, clause_status

EXPORT_CAP = 10_000
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="C00000")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

CONTRACT_COLUMNS: tuple[tuple[str | Promise, int, str], ...] = (
    (_("Number"), 13, ""),
    (_("Title"), 30, ""),
    (_("Street"), 14, ""),
    (_("Community"), 16, ""),
    (_("Resident unit"), 26, ""),
    (_("State"), 18, ""),
    (_("Term starts"), 12, DATE_FORMAT),
    (_("Term ends"), 12, DATE_FORMAT),
    (_("Signed at"), 17, DATETIME_FORMAT),
    (_("Published at"), 17, DATETIME_FORMAT),
    (_("Clauses"), 8, "0"),
    (_("Performed"), 9, "0"),
    (_("Overdue"), 9, "0"),
    (_("Community's score"), 10, "0"),
    (_("Unit's score"), 10, "0"),
    (_("Residents' rating (1–5)"), 10, "0.0"),
    (_("Residents who rated"), 10, "0"),
    (_("Renewal of"), 13, ""),
)

CLAUSE_COLUMNS: tuple[tuple[str | Promise, int, str], ...] = (
    (_("Contract"), 13, ""),
    (_("No."), 5, "0"),
    (_("Menu"), 12, ""),
    (_("Done by"), 12, ""),
    (_("What"), 40, ""),
    (_("Field of work"), 14, ""),
    (_("How it is measured"), 26, ""),
    (_("Due by"), 12, DATE_FORMAT),
    (_("Performed on"), 12, DATE_FORMAT),
    (_("Status"), 12, ""),
    (_("Community's score"), 10, "0"),
    (_("Unit's score"), 10, "0"),
)


@dataclass(frozen=True)
class ContractLedger:
    content: bytes
    rows: int
    capped: bool


def _sheet(workbook: Workbook, title: Any, columns: Sequence[tuple[str | Promise, int, str]]) -> WriteOnlyWorksheet:
    sheet = cast(WriteOnlyWorksheet, workbook.create_sheet(str(title)))
    layout: Any = sheet
    for index, (_header, width, _format) in enumerate(columns, start=1):
        layout.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header = []
    for heading, _width, _format in columns:
        cell = WriteOnlyCell(sheet, value=str(heading))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        header.append(cell)
    sheet.append(header)
    return sheet


def _append(sheet: WriteOnlyWorksheet, values: Sequence[Any], columns: Sequence[tuple[Any, int, str]]) -> None:
    sheet.append([safe_cell(sheet, value, fmt) for value, (_t, _w, fmt) in zip(values, columns, strict=True)])


def contracts_xlsx(
    contracts: Iterable[Contract], *, about: Sequence[tuple[str | Promise, Any]], today: date | None = None
) -> ContractLedger:
    """The workbook of ``contracts`` (annotated by ``selectors.with_figures``), at most ``EXPORT_CAP`` of them."""
    day = today or timezone.localdate()
    workbook = Workbook(write_only=True)
    sheet = _sheet(workbook, _("Contracts"), CONTRACT_COLUMNS)
    chosen: list[Contract] = []
    capped = False
    for contract in contracts:
        if len(chosen) >= EXPORT_CAP:
            capped = True
            break
        chosen.append(contract)
    ids = [contract.pk for contract in chosen]
    scores: dict[tuple[int, str], int] = {
        (contract_id, party): score
        for contract_id, party, score in Evaluation.objects.filter(contract_id__in=ids).values_list(
            "contract_id", "party", "score"
        )
    }
    ratings: dict[int, list[int]] = {}
    for contract_id, given in ResidentRating.objects.filter(contract_id__in=ids).values_list("contract_id", "stars"):
        ratings.setdefault(contract_id, []).append(given)
    for contract in chosen:
        stars = ratings.get(contract.pk, [])
        _append(
            sheet,
            (
                contract.number,
                contract.title,
                contract.community.parent.name if contract.community.parent else "",
                contract.community.name,
                contract.unit.name,
                ContractState(contract.state).label,
                contract.term_start,
                contract.term_end,
                contract.signed_at,
                contract.published_at,
                getattr(contract, "clause_count", None),
                getattr(contract, "performed_count", None),
                getattr(contract, "overdue_count", None),
                scores.get((contract.pk, ContractParty.COMMUNITY)),
                scores.get((contract.pk, ContractParty.UNIT)),
                round(sum(stars) / len(stars), 1) if stars else None,
                len(stars),
                contract.renewed_from.number if contract.renewed_from_id and contract.renewed_from else "",
            ),
            CONTRACT_COLUMNS,
        )
    layout: Any = sheet
    layout.auto_filter.ref = f"A1:{get_column_letter(len(CONTRACT_COLUMNS))}{max(len(chosen) + 1, 1)}"

    clause_sheet = _sheet(workbook, _("Clauses"), CLAUSE_COLUMNS)
    numbers = {contract.pk: contract for contract in chosen}
    clause_scores: dict[tuple[int, str], int] = {
        (clause_id, party): score
        for clause_id, party, score in ClauseScore.objects.filter(evaluation__contract_id__in=ids).values_list(
            "clause_id", "evaluation__party", "score"
        )
    }
    for clause in Clause.objects.filter(contract_id__in=ids).order_by("contract_id", "position", "id"):
        contract = numbers[clause.contract_id]
        status = clause_status(clause, today=day) if contract.state in PUBLIC_STATES else "due"
        _append(
            clause_sheet,
            (
                contract.number,
                clause.position,
                ClauseMenu(clause.menu).label,
                ContractParty(clause.party).label,
                clause.content,
                ServiceField(clause.field).label,
                clause.measure,
                clause.due_on,
                clause.performed_on,
                STATUS_LABELS[status],
                clause_scores.get((clause.pk, ContractParty.COMMUNITY)),
                clause_scores.get((clause.pk, ContractParty.UNIT)),
            ),
            CLAUSE_COLUMNS,
        )

    about_sheet = cast(WriteOnlyWorksheet, workbook.create_sheet(str(_("About this export"))))
    for label, value in about:
        about_sheet.append(
            [str(label), safe_cell(about_sheet, value, DATETIME_FORMAT if isinstance(value, datetime) else "")]
        )
    if capped:
        about_sheet.append(
            [str(_("Rows")), str(_("Only the first %(cap)d contracts; narrow the filters.") % {"cap": EXPORT_CAP})]
        )
    output = io.BytesIO()
    workbook.save(output)
    return ContractLedger(content=output.getvalue(), rows=len(chosen), capped=capped)
