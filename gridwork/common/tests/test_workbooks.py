"""The sheets, values and cells every Excel export writes: read back from a saved workbook, as Excel would see them."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from gridwork.common.workbooks import (
    DEFAULT_WIDTH,
    SHEET_TITLE_LENGTH,
    Column,
    append_row,
    cell_value,
    head_sheet,
    headed_sheet,
    safe_cell,
    sheet_title,
)

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


# --- the header every export's sheet starts with --------------------------------------------------------------------


def _reopened(workbook: Workbook) -> Any:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return load_workbook(io.BytesIO(buffer.getvalue()))


def _assert_header_style(cell: Any) -> None:
    assert cell.font.b
    assert cell.font.color.rgb.endswith("FFFFFF")
    assert cell.fill.fill_type == "solid"
    assert cell.fill.fgColor.rgb.endswith("C00000")
    assert cell.alignment.wrap_text
    assert cell.alignment.vertical == "center"


def test_headed_sheet_writes_the_header_widths_and_frozen_pane() -> None:
    workbook = Workbook(write_only=True)
    columns = [Column(gettext_lazy("Item"), 24), Column("Value", 70, "0.0"), "Note"]
    sheet = headed_sheet(workbook, gettext_lazy("About this export"), columns)
    sheet.append(["first", 1.5, None])
    saved = _reopened(workbook)
    assert saved.sheetnames == ["About this export"]
    reopened = saved["About this export"]
    assert reopened.freeze_panes == "A2"
    widths = [reopened.column_dimensions[letter].width for letter in "ABC"]
    assert widths == [24, 70, DEFAULT_WIDTH]
    header, row = list(reopened.iter_rows(min_row=1, max_row=2))
    assert [cell.value for cell in header] == ["Item", "Value", "Note"]
    for cell in header:
        _assert_header_style(cell)
    assert [cell.value for cell in row] == ["first", 1.5, None]
    assert not row[0].font.b  # the style is the header's, not the rows'


def test_headed_sheet_translates_lazy_headers_and_titles_when_it_writes_them() -> None:
    workbook = Workbook(write_only=True)
    with translation.override("zh-hans"):
        title, item = gettext("About this export"), gettext("Item")
        headed_sheet(workbook, gettext_lazy("About this export"), [Column(gettext_lazy("Item"), 24)])
    assert (title, item) != ("About this export", "Item")  # the catalogue has them, so this can fail
    saved = _reopened(workbook)
    assert saved.sheetnames == [title]
    assert saved[title]["A1"].value == item


def test_headed_sheet_titles_are_cut_and_cleaned_for_excel() -> None:
    workbook = Workbook(write_only=True)
    headed_sheet(workbook, "Ranking: [streets/communities] *2026?* \\ first half of the year", ["Unit"])
    headed_sheet(workbook, "Residents' ratings of the units '", ["Unit"])
    saved = _reopened(workbook)
    first, second = saved.sheetnames
    assert first == "Ranking   streets communities"
    assert len(first) <= 31
    assert not set(first) & set("[]:*?/\\")
    assert second == "Residents' ratings of the units"


def test_a_header_that_looks_like_a_formula_stays_text() -> None:
    workbook = Workbook(write_only=True)
    headed_sheet(workbook, "Sheet", [FORMULA, "=1+1"])
    sheet = _reopened(workbook)["Sheet"]
    assert [(cell.data_type, cell.value) for cell in sheet[1]] == [("s", FORMULA), ("s", "=1+1")]


def test_headed_sheet_refuses_an_ordinary_workbook() -> None:
    with pytest.raises(ValueError, match="write-only"):
        headed_sheet(Workbook(), "Sheet", ["Unit"])


def test_head_sheet_gives_an_ordinary_sheet_the_same_header() -> None:
    workbook = Workbook()
    sheet: Any = workbook.active
    head_sheet(sheet, "Points: accounts/2026", [Column(gettext_lazy("Name"), 12), "Balance"])
    append_row(sheet, ["张*明", 3])
    saved = _reopened(workbook)
    assert saved.sheetnames == ["Points  accounts 2026"]
    reopened = saved.active
    assert reopened.freeze_panes == "A2"
    assert [reopened.column_dimensions[letter].width for letter in "AB"] == [12, DEFAULT_WIDTH]
    assert [cell.value for cell in reopened[1]] == ["Name", "Balance"]
    for cell in reopened[1]:
        _assert_header_style(cell)
    assert [cell.value for cell in reopened[2]] == ["张*明", 3]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Households in difficulty", "Households in difficulty"),
        ("a" * 40, "a" * 31),
        ("2026/Q1: [draft]", "2026 Q1   draft"),
        ("*?", "Sheet"),
        ("", "Sheet"),
        ("'quoted'", "quoted"),
        ("bell\x07 tab", "bell tab"),
        ("x" * 30 + " tail", "x" * 30),  # no trailing space left by the cut
        ("名字" * 20, ("名字" * 20)[:31]),
    ],
)
def test_sheet_title(title: str, expected: str) -> None:
    assert sheet_title(title) == expected
    assert len(sheet_title(title)) <= SHEET_TITLE_LENGTH
