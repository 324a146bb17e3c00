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
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from gridwork.cobuild.categories import ServiceField
from gridwork.common.workbooks import Column, headed_sheet, safe_cell
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
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

CONTRACT_COLUMNS: tuple[Column, ...] = (
    Column(_("Number"), 13),
    Column(_("Title"), 30),
    Column(_("Street"), 14),
    Column(_("Community"), 16),
    Column(_("Resident unit"), 26),
    Column(_("State"), 18),
    Column(_("Term starts"), 12, DATE_FORMAT),
    Column(_("Term ends"), 12, DATE_FORMAT),
    Column(_("Signed at"), 17, DATETIME_FORMAT),
    Column(_("Published at"), 17, DATETIME_FORMAT),
    Column(_("Clauses"), 8, "0"),
    Column(_("Performed"), 9, "0"),
    Column(_("Overdue"), 9, "0"),
    Column(_("Community's score"), 10, "0"),
    Column(_("Unit's score"), 10, "0"),
    Column(_("Residents' rating (1–5)"), 10, "0.0"),
    Column(_("Residents who rated"), 10, "0"),
    Column(_("Renewal of"), 13),
)

CLAUSE_COLUMNS: tuple[Column, ...] = (
    Column(_("Contract"), 13),
    Column(_("No."), 5, "0"),
    Column(_("Menu"), 12),
    Column(_("Done by"), 12),
    Column(_("What"), 40),
    Column(_("Field of work"), 14),
    Column(_("How it is measured"), 26),
    Column(_("Due by"), 12, DATE_FORMAT),
    Column(_("Performed on"), 12, DATE_FORMAT),
    Column(_("Status"), 12),
    Column(_("Community's score"), 10, "0"),
    Column(_("Unit's score"), 10, "0"),
)


@dataclass(frozen=True)
class ContractLedger:
    content: bytes
    rows: int
    capped: bool


def _append(sheet: WriteOnlyWorksheet, values: Sequence[Any], columns: Sequence[Column]) -> None:
    sheet.append([safe_cell(sheet, value, column.number_format) for value, column in zip(values, columns, strict=True)])


def contracts_xlsx(
    contracts: Iterable[Contract], *, about: Sequence[tuple[str | Promise, Any]], today: date | None = None
) -> ContractLedger:
    """The workbook of ``contracts`` (annotated by ``selectors.with_figures``), at most ``EXPORT_CAP`` of them."""
    day = today or timezone.localdate()
    workbook = Workbook(write_only=True)
    sheet = headed_sheet(workbook, _("Contracts"), CONTRACT_COLUMNS)
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

    clause_sheet = headed_sheet(workbook, _("Clauses"), CLAUSE_COLUMNS)
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
