"""Reading spreadsheets (.xlsx, .csv) into rows of text cells keyed by column header, and the import error model.

Row numbers are the ones the user sees in Excel: the header is row 1, the first data row is row 2. Blank
rows are skipped (their numbers are not reused), so trailing rows that are only formatted or merged and
empty never become data. A vertically merged cell (one column, several rows — a common way of writing
"the same parent for these rows") gives its value to every row it covers; a merge across columns keeps its
value in the top-left cell only.

A CSV file may be UTF-8 with or without a byte-order mark, UTF-16 with a byte-order mark ("Unicode text"),
or GB18030 (GBK), which Excel writes on Chinese Windows; the encoding used is reported in ``Table.encoding``.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

MAX_ROWS = 100_000
# Excel keeps 15 significant digits of a number: a longer code typed as a number has lost its last digits.
EXCEL_DIGITS = 15

ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (BOM)",
    "utf-16": "UTF-16",
    "gb18030": "GB18030",
}


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with an imported file. ``row`` is as the user sees it (header = 1); None for the file.

    For a GeoJSON file ``row`` is the number of the feature (the first is 1).
    """

    file: str
    row: int | None
    column: str
    reason: str

    def __str__(self) -> str:
        """The form a command line prints: ``file:row:column: reason``."""
        return f"{self.file}:{self.row if self.row is not None else ''}:{self.column}: {self.reason}"

    def sort_key(self) -> tuple[int, str]:
        return (self.row or 0, self.column)


class ImportRejected(Exception):
    """Nothing was imported, for the reasons in ``problems`` (every one found, not only the first)."""

    def __init__(self, problems: Iterable[ImportProblem]) -> None:
        self.problems: list[ImportProblem] = sorted(problems, key=ImportProblem.sort_key)
        super().__init__(_("%(count)d problems; nothing was imported.") % {"count": len(self.problems)})


@dataclass(frozen=True)
class Row:
    number: int
    cells: dict[str, str]

    def get(self, header: str) -> str:
        return self.cells.get(header, "")


@dataclass(frozen=True)
class Table:
    """A sheet read as text. ``problems`` are cells that could not be read faithfully (see ``EXCEL_DIGITS``)."""

    file_name: str
    headers: tuple[str, ...]
    rows: tuple[Row, ...]
    encoding: str | None = None
    problems: tuple[ImportProblem, ...] = field(default=())

    @property
    def encoding_label(self) -> str:
        return ENCODING_LABELS.get(self.encoding or "", self.encoding or "")


def table_read(*, file_name: str, data: bytes) -> Table:
    """Read an .xlsx or .csv file (chosen by its name). Raises ImportRejected when the file cannot be read."""
    lower = file_name.lower()
    if lower.endswith(".xlsx") or lower.endswith(".xlsm"):
        return _read_xlsx(file_name, data)
    if lower.endswith(".csv") or lower.endswith(".txt"):
        return _read_csv(file_name, data)
    if lower.endswith(".xls") or lower.endswith(".et"):
        raise _rejected(file_name, _("This is an old-style Excel file; save it as .xlsx (Excel Workbook) and retry."))
    raise _rejected(file_name, _("Upload an .xlsx or .csv file."))


def _rejected(file_name: str, reason: str) -> ImportRejected:
    return ImportRejected([ImportProblem(file_name, None, "", reason)])


# --- xlsx ------------------------------------------------------------------------------------------------


def _read_xlsx(file_name: str, data: bytes) -> Table:
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise _rejected(
            file_name, _("This file is not a readable .xlsx workbook (%(error)s).") % {"error": exc}
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        if sheet.max_row > MAX_ROWS + 1:
            raise _rejected(file_name, _too_many_rows())
        grid: list[list[Any]] = [list(values) for values in sheet.iter_rows(values_only=True)]
        for merged in sheet.merged_cells.ranges:
            if merged.min_col != merged.max_col:
                continue
            column = merged.min_col - 1
            top = grid[merged.min_row - 1][column] if merged.min_row - 1 < len(grid) else None
            for row_index in range(merged.min_row, min(merged.max_row, len(grid))):
                grid[row_index][column] = top
    finally:
        workbook.close()
    problems: list[ImportProblem] = []
    text_rows: list[list[str]] = []
    for row_index, values in enumerate(grid):
        cells: list[str] = []
        for column_index, value in enumerate(values):
            text, lost_digits = _cell_text(value)
            if lost_digits:
                problems.append(
                    ImportProblem(
                        file_name,
                        row_index + 1,
                        get_column_letter(column_index + 1),
                        _(
                            "%(value)s was typed as a number and Excel keeps only %(digits)d digits of a number; "
                            "format the column as text and type it again."
                        )
                        % {"value": text, "digits": EXCEL_DIGITS},
                    )
                )
            cells.append(text)
        text_rows.append(cells)
    table = _table_from_rows(file_name, text_rows, encoding=None)
    return Table(
        file_name=table.file_name,
        headers=table.headers,
        rows=table.rows,
        encoding=None,
        problems=(*_name_columns(problems, table.headers), *table.problems),
    )


def _name_columns(problems: list[ImportProblem], headers: Sequence[str]) -> list[ImportProblem]:
    """Problems found by column letter, renamed to the column's header where it has one."""
    named = []
    for problem in problems:
        index = _column_index(problem.column)
        header = headers[index] if index < len(headers) and headers[index] else problem.column
        named.append(ImportProblem(problem.file, problem.row, header, problem.reason))
    return named


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + (ord(letter) - ord("A") + 1)
    return index - 1


def _cell_text(value: Any) -> tuple[str, bool]:
    """A cell's value as the text a user would type, and whether Excel may have cut digits off it."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        return ("true" if value else "false"), False
    if isinstance(value, int):
        return str(value), False
    if isinstance(value, float):
        if value.is_integer():
            text = str(int(value))
            return text, len(text.lstrip("-")) > EXCEL_DIGITS
        return repr(value), False
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat(), False
        return value.isoformat(sep=" "), False
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat(), False
    return str(value).strip(), False


# --- csv -------------------------------------------------------------------------------------------------


def csv_decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read with. Raises UnicodeDecodeError if none fits."""
    if data.startswith(codecs.BOM_UTF8):
        return data.decode("utf-8-sig"), "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030"), "gb18030"


def _read_csv(file_name: str, data: bytes) -> Table:
    try:
        text, encoding = csv_decode(data)
    except UnicodeDecodeError as exc:
        raise _rejected(
            file_name, _("This file is neither UTF-8 nor GB18030 text; save it as “CSV UTF-8” and retry.")
        ) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    try:
        rows = []
        for number, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            if number > MAX_ROWS + 1:
                raise _rejected(file_name, _too_many_rows())
            rows.append([cell.strip() for cell in record])
    except csv.Error as exc:
        raise _rejected(file_name, _("This file is not valid CSV (%(error)s).") % {"error": exc}) from exc
    return _table_from_rows(file_name, rows, encoding=encoding)


def _too_many_rows() -> str:
    return _("The file has more than %(max)d rows; split it into several files.") % {"max": MAX_ROWS}


# --- shared ----------------------------------------------------------------------------------------------


def _table_from_rows(file_name: str, rows: list[list[str]], *, encoding: str | None) -> Table:
    if not rows or not any(rows[0]):
        raise _rejected(file_name, _("The first row must hold the column headers, and it is empty."))
    headers = [header.strip() for header in rows[0]]
    problems: list[ImportProblem] = []
    seen: dict[str, int] = {}
    for index, header in enumerate(headers):
        if not header:
            continue
        if header in seen:
            problems.append(
                ImportProblem(
                    file_name,
                    1,
                    header,
                    _("The column appears twice, in columns %(first)s and %(second)s.")
                    % {"first": get_column_letter(seen[header] + 1), "second": get_column_letter(index + 1)},
                )
            )
        else:
            seen[header] = index
    data_rows: list[Row] = []
    for number, values in enumerate(rows[1:], start=2):
        if not any(values):
            continue
        cells: dict[str, str] = {}
        for index, value in enumerate(values):
            header = headers[index] if index < len(headers) else ""
            if header:
                cells.setdefault(header, value)
            elif value:
                problems.append(
                    ImportProblem(
                        file_name,
                        number,
                        get_column_letter(index + 1),
                        _("There is a value in a column without a header; add the header or clear the cell."),
                    )
                )
        data_rows.append(Row(number=number, cells=cells))
    return Table(
        file_name=file_name,
        headers=tuple(headers),
        rows=tuple(data_rows),
        encoding=encoding,
        problems=tuple(problems),
    )
