"""The results of star ratings as Excel workbooks (openpyxl, write-only): a round's league table, its shares of stars
against the goal (overall and by street), the star history of a kind of target across rounds with every change, and a
secretaries' round's pay grades by stars (以星定酬).

Each builder takes what ``ratings.results`` read (already scoped to the user) and returns the file's bytes; every
workbook ends with a sheet that says what it is, when and by whom. Secretaries' names are as the page shows them:
masked unless the row is ``unmasked``; the view audits an export with any unmasked row.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from gridwork.common.workbooks import Column, headed_sheet, safe_cell
from gridwork.ratings.models import AssessmentState
from gridwork.ratings.results import (
    STAR_LEVELS,
    LeagueTable,
    PayRow,
    ShareLine,
    StarHistory,
    StarShares,
    history_changes,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
SCORE_FORMAT = "0.00"
SHARE_FORMAT = "0.0"
MONEY_FORMAT = "#,##0.00"
INTEGER_FORMAT = "0"

LEAGUE_COLUMNS: tuple[Column, ...] = (
    Column(gettext_lazy("Rank"), 7, INTEGER_FORMAT),
    Column(gettext_lazy("Target"), 30),
    Column(gettext_lazy("Street"), 16),
    Column(gettext_lazy("State"), 22),
    Column(gettext_lazy("Deciding level"), 14),
    Column(gettext_lazy("Total"), 9, SCORE_FORMAT),
    Column(gettext_lazy("Self-assessed total"), 11, SCORE_FORMAT),
    Column(gettext_lazy("Street total"), 11, SCORE_FORMAT),
    Column(gettext_lazy("City total"), 11, SCORE_FORMAT),
    Column(gettext_lazy("Higher review total"), 11, SCORE_FORMAT),
    Column(gettext_lazy("Stars by score"), 9, INTEGER_FORMAT),
    Column(gettext_lazy("Stars"), 8, INTEGER_FORMAT),
    Column(gettext_lazy("Stars lowered"), 9),
    Column(gettext_lazy("Veto (一票否决)"), 40),
)


def _share_columns() -> tuple[Column, ...]:
    return (
        Column(gettext_lazy("Unit"), 20),
        Column(gettext_lazy("Targets"), 9, INTEGER_FORMAT),
        Column(gettext_lazy("Stars set"), 9, INTEGER_FORMAT),
        Column(gettext_lazy("Not rated yet"), 9, INTEGER_FORMAT),
        *(Column(_("%(stars)d stars") % {"stars": stars}, 8, INTEGER_FORMAT) for stars in STAR_LEVELS),
        Column(gettext_lazy("At the goal's stars or more"), 12, INTEGER_FORMAT),
        Column(gettext_lazy("Share at the goal (%)"), 12, SHARE_FORMAT),
        Column(gettext_lazy("Goal (%)"), 9, SHARE_FORMAT),
        Column(gettext_lazy("Goal met"), 9),
        Column(gettext_lazy("Still needed"), 9, INTEGER_FORMAT),
    )


CHANGE_COLUMNS: tuple[Column, ...] = (
    Column(gettext_lazy("Target"), 30),
    Column(gettext_lazy("Street"), 16),
    Column(gettext_lazy("Round"), 26),
    Column(gettext_lazy("Recorded at"), 17, DATETIME_FORMAT),
    Column(gettext_lazy("Effective from"), 12, DATE_FORMAT),
    Column(gettext_lazy("Change"), 18),
    Column(gettext_lazy("Stars before"), 9, INTEGER_FORMAT),
    Column(gettext_lazy("Stars after"), 9, INTEGER_FORMAT),
    Column(gettext_lazy("Reason"), 40),
    Column(gettext_lazy("Veto item"), 24),
)

PAY_COLUMNS: tuple[Column, ...] = (
    Column(gettext_lazy("Secretary"), 14),
    Column(gettext_lazy("Community"), 16),
    Column(gettext_lazy("Post"), 12),
    Column(gettext_lazy("Pay ladder"), 12),
    Column(gettext_lazy("State"), 22),
    Column(gettext_lazy("Stars"), 8, INTEGER_FORMAT),
    Column(gettext_lazy("Grade now"), 9, INTEGER_FORMAT),
    Column(gettext_lazy("Monthly pay now (yuan)"), 12, MONEY_FORMAT),
    Column(gettext_lazy("Grade by stars"), 9, INTEGER_FORMAT),
    Column(gettext_lazy("Monthly pay by stars (yuan)"), 12, MONEY_FORMAT),
    Column(gettext_lazy("Change of grade"), 9, INTEGER_FORMAT),
    Column(gettext_lazy("Change of monthly pay (yuan)"), 12, MONEY_FORMAT),
)


def _append(sheet: WriteOnlyWorksheet, columns: Sequence[Column], values: Sequence[Any]) -> None:
    sheet.append([safe_cell(sheet, value, column.number_format) for value, column in zip(values, columns, strict=True)])


def _filter(sheet: WriteOnlyWorksheet, columns: Sequence[Column], rows: int) -> None:
    layout: Any = sheet
    layout.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(rows + 1, 1)}"


def _about(workbook: Workbook, about: Sequence[tuple[str | Promise, Any]]) -> None:
    columns = (Column(gettext_lazy("Item"), 24), Column(gettext_lazy("Value"), 70))
    sheet = headed_sheet(workbook, gettext_lazy("About this export"), columns)
    for label, value in about:
        fmt = DATETIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT if isinstance(value, date) else ""
        sheet.append([str(label), safe_cell(sheet, value, fmt)])


def _save(workbook: Workbook) -> bytes:
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _yes(value: bool) -> str:
    return _("Yes") if value else _("No")


def league_xlsx(table: LeagueTable, *, about: Sequence[tuple[str | Promise, Any]]) -> bytes:
    """The league table as the page shows it: rank, target, the deciding total and each level's, stars, vetoes."""
    workbook = Workbook(write_only=True)
    sheet = headed_sheet(workbook, gettext_lazy("League table"), LEAGUE_COLUMNS)
    for row in table.rows:
        assessment = row.assessment
        _append(
            sheet,
            LEAGUE_COLUMNS,
            (
                row.rank,
                row.label,
                row.street,
                row.state_label,
                row.level,
                row.total,
                assessment.self_total,
                assessment.street_total,
                assessment.city_total,
                assessment.higher_total,
                row.score_stars,
                row.stars,
                _yes(row.lowered),
                "；".join(row.vetoes),
            ),
        )
    _filter(sheet, LEAGUE_COLUMNS, len(table.rows))
    _about(workbook, about)
    return _save(workbook)


def _share_values(line: ShareLine) -> tuple[Any, ...]:
    return (
        line.name,
        line.targets,
        line.rated,
        line.not_rated,
        *(count.count for count in line.counts),
        line.at_goal,
        line.at_goal_share,
        line.goal,
        _yes(line.met),
        line.needed,
    )


def shares_xlsx(shares: StarShares, *, about: Sequence[tuple[str | Promise, Any]]) -> bytes:
    """The shares of stars: the whole scope on the first row, then each street; the goal beside each."""
    workbook = Workbook(write_only=True)
    columns = _share_columns()
    sheet = headed_sheet(workbook, gettext_lazy("Stars against the goal"), columns)
    lines = [shares.whole, *shares.streets]
    for line in lines:
        _append(sheet, columns, _share_values(line))
    _filter(sheet, columns, len(lines))
    _about(workbook, about)
    return _save(workbook)


def history_xlsx(history: StarHistory, *, about: Sequence[tuple[str | Promise, Any]]) -> bytes:
    """One row per target, one column per round (its stars, or its state while not accepted); then every change of
    stars with its date and reason."""
    workbook = Workbook(write_only=True)
    columns = [Column(gettext_lazy("Target"), 30), Column(gettext_lazy("Street"), 16)]
    columns += [Column(round_.name, 14) for round_ in history.rounds]
    columns.append(Column(gettext_lazy("Times lowered"), 9, INTEGER_FORMAT))
    sheet = headed_sheet(workbook, gettext_lazy("Star history"), columns)
    for row in history.rows:
        cells: list[Any] = []
        for cell in row.cells:
            if cell.assessment is None:
                cells.append("")
            elif cell.stars is not None:
                cells.append(cell.stars)
            else:
                cells.append(str(AssessmentState(cell.assessment.state).label))
        _append(sheet, columns, (row.label, row.street, *cells, row.lowered))
    _filter(sheet, columns, len(history.rows))
    changes = headed_sheet(workbook, gettext_lazy("Changes of stars"), CHANGE_COLUMNS)
    found = history_changes(history)
    for row, round_, move in found:
        _append(
            changes,
            CHANGE_COLUMNS,
            (
                row.label,
                row.street,
                round_.name,
                move.at,
                move.on,
                move.label,
                move.from_stars,
                move.stars,
                move.reason,
                move.veto,
            ),
        )
    _filter(changes, CHANGE_COLUMNS, len(found))
    _about(workbook, about)
    return _save(workbook)


def pay_xlsx(rows: Sequence[PayRow], *, about: Sequence[tuple[str | Promise, Any]]) -> bytes:
    """以星定酬: each secretary's stars, the grade and pay held now, and those the stars map to."""
    workbook = Workbook(write_only=True)
    sheet = headed_sheet(workbook, gettext_lazy("Pay grades by stars"), PAY_COLUMNS)
    for row in rows:
        _append(
            sheet,
            PAY_COLUMNS,
            (
                row.name,
                row.community,
                row.post_label,
                row.ladder,
                str(AssessmentState(row.assessment.state).label),
                row.stars,
                row.current.grade if row.current is not None else None,
                row.current.monthly_pay if row.current is not None else None,
                row.by_stars.grade if row.by_stars is not None else None,
                row.by_stars.monthly_pay if row.by_stars is not None else None,
                row.grade_change,
                row.change,
            ),
        )
    _filter(sheet, PAY_COLUMNS, len(rows))
    _about(workbook, about)
    return _save(workbook)
