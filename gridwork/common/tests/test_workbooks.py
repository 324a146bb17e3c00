"""The values and cells every Excel export writes: read back from a saved workbook, as Excel would see them."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any, cast

from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from gridwork.common.workbooks import append_row, cell_value, safe_cell

FORMULA = '=HYPERLINK("http://example.com","click")'


def _saved_cells(workbook: Workbook) -> tuple[Any, ...]:
    buffer = io.BytesIO()
    workbook.save(buffer)
    sheet: Any = load_workbook(io.BytesIO(buffer.getvalue())).active
    return tuple(sheet[1])


def _write_only(values: list[Any], number_format: str = "") -> tuple[Any, ...]:
    workbook = Workbook(write_only=True)
    sheet = cast(WriteOnlyWorksheet, workbook.create_sheet("Sheet"))
    sheet.append([safe_cell(sheet, value, number_format) for value in values])
    return _saved_cells(workbook)


def test_text_that_looks_like_a_formula_stays_a_string_cell() -> None:
    [cell, plain] = _write_only([FORMULA, "=1+1"])
    assert (cell.data_type, cell.value) == ("s", FORMULA)
    assert (plain.data_type, plain.value) == ("s", "=1+1")


def test_text_that_looks_like_a_formula_stays_a_string_cell_in_an_ordinary_sheet() -> None:
    workbook = Workbook()
    sheet: Any = workbook.active
    append_row(sheet, [FORMULA, 3])
    [cell, number] = _saved_cells(workbook)
    assert (cell.data_type, cell.value) == ("s", FORMULA)
    assert (number.data_type, number.value) == ("n", 3)


def test_an_aware_datetime_becomes_local_naive_time_in_whole_seconds() -> None:
    moment = datetime(2026, 3, 1, 1, 2, 3, 456789, tzinfo=UTC)  # 09:02:03 in Asia/Shanghai
    assert cell_value(moment) == datetime(2026, 3, 1, 9, 2, 3)
    assert cell_value(moment, whole_seconds=False) == datetime(2026, 3, 1, 9, 2, 3, 456789)
    [cell] = _write_only([moment], "yyyy-mm-dd hh:mm")
    assert cell.value == datetime(2026, 3, 1, 9, 2, 3)
    assert cell.number_format == "yyyy-mm-dd hh:mm"


def test_a_naive_datetime_is_left_as_it_is() -> None:
    moment = datetime(2026, 3, 1, 9, 2, 3, 456789)
    assert cell_value(moment) is moment


def test_illegal_characters_go_and_lazy_text_becomes_text() -> None:
    assert cell_value("bell\x07 and\x00 escape\x1b") == "bell and escape"
    assert cell_value("tab\tand\nnewline") == "tab\tand\nnewline"
    lazy = cell_value(gettext_lazy("Yes"))
    assert type(lazy) is str
    assert lazy == "Yes"
    [cell] = _write_only(["名字\x0b"])
    assert cell.value == "名字"
