"""Reading spreadsheets (gridwork/common/tabular.py): encodings, row numbers, blank and merged rows."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from gridwork.common.tabular import ImportProblem, ImportRejected, table_read
from gridwork.imports.tests.files import csv_bytes, xlsx_bytes

ROWS = [["编码", "名称"], ["520102003000", "望江街道"], ["520102003001", "春晖社区"]]


@pytest.mark.parametrize(
    ("data", "label"),
    [
        (csv_bytes(ROWS, encoding="utf-8"), "UTF-8"),
        (csv_bytes(ROWS, encoding="utf-8-sig"), "UTF-8 (BOM)"),
        (csv_bytes(ROWS, encoding="gb18030"), "GB18030"),
        (csv_bytes(ROWS, encoding="utf-16"), "UTF-16"),
    ],
    ids=["utf-8", "utf-8-bom", "gb18030", "utf-16"],
)
def test_csv_encodings_are_detected_and_reported(data: bytes, label: str) -> None:
    table = table_read(file_name="places.csv", data=data)
    assert table.encoding_label == label
    assert table.headers == ("编码", "名称")
    assert [row.cells for row in table.rows] == [
        {"编码": "520102003000", "名称": "望江街道"},
        {"编码": "520102003001", "名称": "春晖社区"},
    ]


def test_gb18030_bytes_are_not_valid_utf8() -> None:
    """The GB18030 case above really exercises the fallback."""
    with pytest.raises(UnicodeDecodeError):
        csv_bytes(ROWS, encoding="gb18030").decode("utf-8")


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_csv_delimiters(delimiter: str) -> None:
    table = table_read(file_name="p.csv", data=csv_bytes(ROWS, delimiter=delimiter))
    assert table.rows[1].get("名称") == "春晖社区"


def test_csv_with_a_quoted_newline_counts_rows_as_excel_does() -> None:
    data = '编码,地址\r\n1,"春晖路\n1号"\r\n2,x\r\n'.encode()
    table = table_read(file_name="p.csv", data=data)
    assert [row.number for row in table.rows] == [2, 3]
    assert table.rows[0].get("地址") == "春晖路\n1号"


def test_csv_that_is_no_known_encoding_is_rejected() -> None:
    with pytest.raises(ImportRejected) as excinfo:
        table_read(file_name="p.csv", data=b"\x80\xff\xfe\x81,\xff\r\n")
    assert "UTF-8" in excinfo.value.problems[0].reason


def test_blank_rows_are_skipped_and_numbers_kept() -> None:
    rows = [["编码", "名称"], ["1", "a"], [None, None], ["2", "b"], [None, None], [None, None]]
    table = table_read(file_name="p.xlsx", data=xlsx_bytes(rows))
    assert [(row.number, row.get("编码")) for row in table.rows] == [(2, "1"), (4, "2")]


def test_merged_and_formatted_trailing_rows_are_ignored() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in ROWS:
        sheet.append(row)
    sheet.merge_cells("A6:B8")  # a merged block below the data, empty
    sheet["A12"].number_format = "@"  # a formatted, empty cell far below
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = table_read(file_name="p.xlsx", data=buffer.getvalue())
    assert [row.number for row in table.rows] == [2, 3]
    assert not table.problems


def test_a_vertically_merged_cell_gives_its_value_to_every_row() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["编码", "上级编码", "名称"])
    sheet.append(["520102003001", "520102003000", "一"])
    sheet.append(["520102003002", None, "二"])
    sheet.append(["520102003003", None, "三"])
    sheet.merge_cells("B2:B4")
    sheet.append(["520102003004", "X", "四"])
    sheet.merge_cells("C5:D5")  # across columns: the value stays in the first cell only
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = table_read(file_name="p.xlsx", data=buffer.getvalue())
    assert [row.get("上级编码") for row in table.rows] == ["520102003000"] * 3 + ["X"]
    assert table.rows[3].get("名称") == "四"


def test_xlsx_cells_become_text_as_typed() -> None:
    import datetime

    rows = [["a", "b", "c", "d", "e"], [520102003000, 26.605, 320.0, datetime.datetime(2001, 7, 1), True]]
    table = table_read(file_name="p.xlsx", data=xlsx_bytes(rows))
    assert table.rows[0].cells == {"a": "520102003000", "b": "26.605", "c": "320", "d": "2001-07-01", "e": "true"}


def test_a_long_code_typed_as_a_number_is_a_problem() -> None:
    rows = [["编码"], [5.201020030120071e17]]
    table = table_read(file_name="p.xlsx", data=xlsx_bytes(rows))
    assert table.problems == (ImportProblem("p.xlsx", 2, "编码", table.problems[0].reason),)
    assert "15 digits" in table.problems[0].reason


def test_doubled_headers_and_headerless_values_are_problems() -> None:
    rows = [["编码", "名称", "编码", None], ["1", "a", "2", "stray"]]
    table = table_read(file_name="p.xlsx", data=xlsx_bytes(rows))
    assert [(problem.row, problem.column) for problem in table.problems] == [(1, "编码"), (2, "D")]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("p.xls", b"\xd0\xcf\x11\xe0", "old-style Excel"),
        ("p.pdf", b"%PDF", ".xlsx or .csv"),
        ("p.xlsx", b"not a zip", "not a readable .xlsx"),
        ("p.csv", b"", "column headers"),
        ("p.xlsx", xlsx_bytes([[None], [None]]), "column headers"),
    ],
)
def test_unreadable_files_are_rejected(name: str, data: bytes, reason: str) -> None:
    with pytest.raises(ImportRejected) as excinfo:
        table_read(file_name=name, data=data)
    assert [problem.row for problem in excinfo.value.problems] == [None]
    assert reason in excinfo.value.problems[0].reason


def test_a_problem_prints_as_file_row_column_reason() -> None:
    assert str(ImportProblem("places.xlsx", 7, "上级编码", "no such place")) == "places.xlsx:7:上级编码: no such place"
    assert str(ImportProblem("places.xlsx", None, "", "unreadable")) == "places.xlsx::: unreadable"
