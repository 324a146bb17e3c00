"""Reading the rows of a sheet through an import spec: headers matched to columns, cells parsed to values,
every problem collected with its row and the column's header as written in the file."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Mapping

from django.utils.translation import gettext as _

from gridwork.common.tabular import ImportProblem, Row, Table
from gridwork.imports.cells import CellError, cell_boolean, cell_date, cell_decimal, cell_integer
from gridwork.imports.specs import ImportSpec

_REQUIRED_MARK = re.compile(r"[*＊]|[(（]必填[)）]")


def header_normalise(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", _REQUIRED_MARK.sub("", header).strip()).casefold()


class SheetReader:
    """The columns of ``table`` matched to ``spec``; unknown, doubled and missing columns are problems."""

    def __init__(self, spec: ImportSpec, table: Table) -> None:
        self.spec = spec
        self.table = table
        self.file_name = table.file_name
        self.problems: list[ImportProblem] = list(table.problems)
        self.headers: dict[str, str] = {}
        self.code_keys = frozenset(column.key for column in spec.columns if column.type == "code")
        spellings: dict[str, str] = {}
        for column in spec.columns:
            for spelling in (column.header, column.key, *column.aliases):
                spellings[header_normalise(spelling)] = column.key
        for header in table.headers:
            if not header:
                continue
            key = spellings.get(header_normalise(header))
            if key is None:
                self.problems.append(
                    ImportProblem(
                        self.file_name,
                        1,
                        header,
                        _("Unknown column. The columns of this file are: %(columns)s.")
                        % {"columns": "、".join(column.header for column in spec.columns)},
                    )
                )
            elif key in self.headers:
                self.problems.append(
                    ImportProblem(
                        self.file_name,
                        1,
                        header,
                        _("This is the same column as “%(other)s”.") % {"other": self.headers[key]},
                    )
                )
            else:
                self.headers[key] = header
        self.missing = [column for column in spec.columns if column.required and column.key not in self.headers]
        for column in self.missing:
            self.problems.append(
                ImportProblem(self.file_name, 1, column.header, _("This column is required and is missing."))
            )

    def column_name(self, key: str) -> str:
        """The column's header as written in the file, else as in the template; other keys as they are."""
        if key in self.headers:
            return self.headers[key]
        return next((column.header for column in self.spec.columns if column.key == key), key)

    def rows(self) -> Iterator[RowReader]:
        for row in self.table.rows:
            yield RowReader(self, row)


class RowReader:
    """One row's cells as values; a cell that does not parse becomes a problem and reads as None."""

    def __init__(self, sheet: SheetReader, row: Row) -> None:
        self.sheet = sheet
        self.row = row
        self.number = row.number
        self.problem_count = 0
        self.faulty: set[str] = set()  # columns already reported on this row

    def problem(self, key: str, reason: str) -> None:
        self.problem_count += 1
        self.faulty.add(key)
        self.sheet.problems.append(
            ImportProblem(self.sheet.file_name, self.number, self.sheet.column_name(key), reason)
        )

    def problems_from(self, errors: Mapping[str, str], columns: Mapping[str, str]) -> None:
        """Report a rule function's field → message errors under the columns the fields come from, except on
        a cell already reported (an unreadable number is not also "missing")."""
        for field, message in errors.items():
            key = columns.get(field, field)
            if key not in self.faulty:
                self.problem(key, message)

    def text(self, key: str, *, required: bool = False) -> str:
        header = self.sheet.headers.get(key)
        value = self.row.get(header) if header else ""
        if key in self.sheet.code_keys:
            value = value.replace(" ", "")
        if required and not value:
            self.problem(key, _("This column is required; the cell is empty."))
        return value

    def integer(self, key: str, *, default: int = 0) -> int | None:
        text = self.text(key)
        if not text:
            return default
        try:
            return cell_integer(text)
        except CellError as exc:
            self.problem(key, str(exc))
            return None

    def decimal(self, key: str) -> float | None:
        text = self.text(key)
        if not text:
            return None
        try:
            return cell_decimal(text)
        except CellError as exc:
            self.problem(key, str(exc))
            return None

    def boolean(self, key: str, *, default: bool = False) -> bool | None:
        text = self.text(key)
        if not text:
            return default
        try:
            return cell_boolean(text)
        except CellError as exc:
            self.problem(key, str(exc))
            return None

    def date(self, key: str) -> datetime.date | None:
        text = self.text(key)
        if not text:
            return None
        try:
            return cell_date(text)
        except CellError as exc:
            self.problem(key, str(exc))
            return None

    def choice(self, key: str, lookup: Mapping[str, str], allowed: tuple[str, ...]) -> str | None:
        """The value of a choice cell (Chinese label, English label or value); None if empty or unknown."""
        text = self.text(key, required=True)
        if not text:
            return None
        value = lookup.get(text.strip().casefold())
        if value is None:
            self.problem(
                key,
                _("“%(text)s” is not one of the allowed values: %(allowed)s.")
                % {"text": text, "allowed": "、".join(allowed)},
            )
        return value
