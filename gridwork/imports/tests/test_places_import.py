"""Importing places (gridwork/imports/importers/places.py through gridwork/imports/services.py)."""

from __future__ import annotations

import random
import time
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError

from gridwork.accounts.models import User
from gridwork.audit.models import AuditEvent
from gridwork.common.tabular import ImportProblem, ImportRejected
from gridwork.imports.services import import_run
from gridwork.imports.tests.files import PLACE_HEADERS, csv_bytes, xlsx_bytes
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree

STREET = "520102003000"
COMMUNITY = "520102003001"
GRID1 = "520102003001001"
GRID2 = "520102003001002"
MICROGRID = "520102003001001001"
HOUSEHOLD = "5201020030010010010001"

GOOD_ROWS = [
    [STREET, "滨江街道", "街道", "520102000000", "", "", "", "", ""],
    [COMMUNITY, "滨江社区", "社区", STREET, "2100", "6000", "滨江路1号", "26.61", "106.73"],
    [GRID1, "滨江社区第一网格", "网格", COMMUNITY, "320", "", "", "", ""],
    [GRID2, "滨江社区第二网格", "grid", COMMUNITY, "300", "", "", "", ""],
    [MICROGRID, "1号楼", "微网格", GRID1, "40", "", "", "", ""],
    [HOUSEHOLD, "1号楼1单元101", "户", MICROGRID, "1", "3", "滨江路1号1号楼1单元101", "", ""],
]


def places_file(rows: list[list[Any]], headers: list[str] = PLACE_HEADERS) -> bytes:
    return xlsx_bytes([headers, *rows])


def rejected(
    actor: Any, data: bytes, file_name: str = "places.xlsx", kind: str = "places"
) -> list[tuple[int | None, str, str]]:
    with pytest.raises(ImportRejected) as excinfo:
        import_run(actor=actor, kind=kind, file_name=file_name, data=data)
    return [(problem.row, problem.column, problem.reason) for problem in excinfo.value.problems]


def test_a_good_file_imports_every_row(tree: CityTree, district_staff: User) -> None:
    before = Place.objects.count()
    result = import_run(actor=district_staff, kind="places", file_name="places.xlsx", data=places_file(GOOD_ROWS))

    assert result.rows_imported == 6
    assert Place.objects.count() == before + 6
    household = Place.objects.get(code=HOUSEHOLD)
    assert household.path == f"{tree.district.path}{STREET}/{COMMUNITY}/{GRID1}/{MICROGRID}/{HOUSEHOLD}/"
    assert household.parent == Place.objects.get(code=MICROGRID)
    community = Place.objects.get(code=COMMUNITY)
    assert (community.households, community.population, community.latitude) == (2100, 6000, 26.61)
    assert Place.objects.get(code=GRID2).level == "grid"
    event = AuditEvent.objects.get(action="import.run")
    assert event.actor == district_staff
    assert event.detail == {"kind": "places", "file": "places.xlsx", "rows": 6, "encoding": None}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rows_may_come_in_any_order(tree: CityTree, district_staff: User, seed: int) -> None:
    rows = list(GOOD_ROWS)
    random.Random(seed).shuffle(rows)
    rows.sort(key=lambda row: -len(row[0]))  # children before parents, whatever the shuffle did
    import_run(actor=district_staff, kind="places", file_name="places.xlsx", data=places_file(rows))
    assert Place.objects.get(code=HOUSEHOLD).path.startswith(Place.objects.get(code=STREET).path)


def test_several_bad_rows_are_all_reported_and_nothing_is_imported(tree: CityTree, district_staff: User) -> None:
    rows = [
        [STREET, "滨江街道", "街道", "520102000000", "", "", "", "", ""],  # 2: fine
        ["520102009001", "无主社区", "社区", "520102009000", "", "", "", "", ""],  # 3: unknown parent
        [COMMUNITY, "滨江社区", "社区", STREET, "abc", "", "", "", ""],  # 4: households not a number
        [GRID1, "第一网格", "网格", COMMUNITY, "", "", "", "95", "東经"],  # 5: coordinates
        ["520102003002", "某地", "省", STREET, "", "", "", "", ""],  # 6: level
        [STREET, "又一个滨江街道", "街道", "520102000000", "", "", "", "", ""],  # 7: duplicate of row 2
        [tree.grid.code, "已有网格", "网格", tree.community.code, "", "", "", "", ""],  # 8: on the platform
        ["52010200300", "短码社区", "社区", STREET, "", "", "", "", ""],  # 9: code too short
        ["520102003003", "", "社区", STREET, "-4", "", "", "", ""],  # 10: name empty, negative count
    ]
    before = Place.objects.count()
    problems = rejected(district_staff, places_file(rows))
    assert Place.objects.count() == before
    assert not AuditEvent.objects.filter(action="import.run").exists()
    assert AuditEvent.objects.get(action="import.rejected").detail["problems"] == len(problems)

    where = {(row, column) for row, column, _ in problems}
    assert where == {
        (2, "编码"),
        (7, "编码"),
        (3, "上级编码"),
        (4, "户数"),
        (5, "纬度"),
        (5, "经度"),
        (6, "层级"),
        (8, "编码"),
        (9, "编码"),
        (10, "名称"),
        (10, "户数"),
    }
    reasons = {(row, column): reason for row, column, reason in problems}
    assert reasons[(3, "上级编码")] == "No place with code 520102009000 exists in the file or on the platform."
    assert "row 7" in reasons[(2, "编码")]
    assert "row 2" in reasons[(7, "编码")]
    assert tree.grid.name in reasons[(8, "编码")]
    assert reasons[(4, "户数")] == "“abc” is not a whole number."
    assert "街道" in reasons[(6, "层级")]


def test_the_problem_message_names_file_row_and_column(tree: CityTree, district_staff: User) -> None:
    rows = [["520102009001", "无主社区", "社区", "520102009000", "", "", "", "", ""]]
    with pytest.raises(ImportRejected) as excinfo:
        import_run(actor=district_staff, kind="places", file_name="places.xlsx", data=places_file(rows))
    assert excinfo.value.problems == [
        ImportProblem(
            "places.xlsx", 2, "上级编码", "No place with code 520102009000 exists in the file or on the platform."
        )
    ]


def test_a_cycle_among_the_rows_is_reported_naming_the_rows(tree: CityTree, district_staff: User) -> None:
    rows = [
        [STREET, "滨江街道", "街道", "520102000000", "", "", "", "", ""],
        ["520102003002", "甲社区", "社区", "520102003003", "", "", "", "", ""],
        ["520102003003", "乙社区", "社区", "520102003004", "", "", "", "", ""],
        ["520102003004", "丙社区", "社区", "520102003002", "", "", "", "", ""],
        ["520102003005", "自指社区", "社区", "520102003005", "", "", "", "", ""],
    ]
    problems = rejected(district_staff, places_file(rows))
    cycle = [(row, reason) for row, column, reason in problems if column == "上级编码" and "circle" in reason]
    assert [row for row, _ in cycle] == [3, 4, 5]
    assert all("rows 3, 4 and 5" in reason for _, reason in cycle)
    assert (6, "上级编码", "The place names itself as its parent.") in problems
    assert not any(row == 2 for row, _, _ in problems)


def test_a_parent_of_the_wrong_level_is_reported(tree: CityTree, district_staff: User) -> None:
    rows = [["520102001003", "错层社区", "社区", tree.community.code, "", "", "", "", ""]]
    problems = rejected(district_staff, places_file(rows))
    assert [(row, column) for row, column, _ in problems] == [(2, "上级编码")]
    assert "must be a Street" in problems[0][2]


def test_malformed_coordinates_are_reported(tree: CityTree, district_staff: User) -> None:
    rows = [
        [STREET, "滨江街道", "街道", "520102000000", "", "", "", "abc", "106.7"],
        ["520102004000", "甲街道", "街道", "520102000000", "", "", "", "26.6", ""],
        ["520102005000", "乙街道", "街道", "520102000000", "", "", "", "26.6", "200"],
        ["520102006000", "丙街道", "街道", "520102000000", "", "", "", "nan", "106.7"],
    ]
    problems = rejected(district_staff, places_file(rows))
    assert [(row, column) for row, column, _ in problems] == [(2, "纬度"), (3, "经度"), (4, "经度"), (5, "纬度")]


def test_out_of_scope_import_is_refused(tree: CityTree, street2_staff: User) -> None:
    rows = [[tree.community.code + "003", "越权网格", "网格", tree.community.code, "", "", "", "", ""]]
    before = Place.objects.count()
    problems = rejected(street2_staff, places_file(rows))
    assert problems == [
        (2, "上级编码", f"{tree.community.name} ({tree.community.code}) is outside the places you may import into.")
    ]
    assert Place.objects.count() == before


def test_an_actor_without_the_import_permission_is_refused(tree: CityTree, grid_worker: User) -> None:
    with pytest.raises(PermissionDenied):
        import_run(actor=grid_worker, kind="places", file_name="places.xlsx", data=places_file(GOOD_ROWS))
    assert not Place.objects.filter(code=STREET).exists()


def test_only_a_system_import_creates_a_city(db: None) -> None:
    rows = [["330600000000", "越州市", "城市", "", "", "", "", "", ""]]
    result = import_run(actor=None, kind="places", file_name="city.xlsx", data=places_file(rows))
    assert result.rows_imported == 1
    assert Place.objects.get(code="330600000000").path == "/330600000000/"


def test_a_staff_member_cannot_import_a_city(tree: CityTree, district_staff: User) -> None:
    rows = [["330600000000", "越州市", "城市", "", "", "", "", "", ""]]
    problems = rejected(district_staff, places_file(rows))
    assert [(row, column) for row, column, _ in problems] == [(2, "上级编码")]


def test_english_headers_and_values_are_accepted(tree: CityTree, district_staff: User) -> None:
    headers = ["code", "name", "level", "parent_code", "Households", "population*"]
    rows = [[STREET, "滨江街道", "Street", "520102000000", "1,200", ""]]
    import_run(actor=district_staff, kind="places", file_name="places.xlsx", data=places_file(rows, headers))
    assert Place.objects.get(code=STREET).households == 1200


def test_unknown_and_missing_columns_are_reported(tree: CityTree, district_staff: User) -> None:
    problems = rejected(district_staff, places_file([[STREET, "x"]], ["编码", "备注"]))
    assert {(row, column) for row, column, _ in problems} == {(1, "备注"), (1, "名称"), (1, "层级")}


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_a_csv_from_chinese_excel_imports(tree: CityTree, district_staff: User, encoding: str) -> None:
    data = csv_bytes([PLACE_HEADERS, *GOOD_ROWS], encoding=encoding)
    result = import_run(actor=district_staff, kind="places", file_name="places.csv", data=data)
    assert result.rows_imported == 6
    assert result.encoding == {"gb18030": "GB18030", "utf-8-sig": "UTF-8 (BOM)"}[encoding]
    assert Place.objects.get(code=COMMUNITY).name == "滨江社区"


def test_a_database_failure_during_the_write_rolls_everything_back(
    tree: CityTree, district_staff: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_bulk_create = Place.objects.bulk_create
    calls = []

    def failing_bulk_create(objs: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(len(objs))
        if len(calls) == 3:
            raise IntegrityError("UNIQUE constraint failed: places_place.code")
        return real_bulk_create(objs, *args, **kwargs)

    monkeypatch.setattr(Place.objects, "bulk_create", failing_bulk_create)
    before = Place.objects.count()
    problems = rejected(district_staff, places_file(GOOD_ROWS))
    assert len(calls) == 3, "the first two depths were written before the failure"
    assert Place.objects.count() == before
    assert problems[0][0] is None
    assert "UNIQUE constraint failed" in problems[0][2]


def test_five_thousand_rows_import_in_seconds(tree: CityTree, district_staff: User) -> None:
    rows: list[list[Any]] = [[STREET, "滨江街道", "街道", "520102000000", "", "", "", "", ""]]
    for community in range(1, 21):
        community_code = f"520102003{community:03d}"
        rows.append([community_code, f"社区{community}", "社区", STREET, "2000", "6000", "", "26.6", "106.7"])
        for grid in range(1, 26):
            grid_code = f"{community_code}{grid:03d}"
            rows.append([grid_code, f"网格{community}-{grid}", "网格", community_code, "300", "900", "", "", ""])
            for micro in range(1, 10):
                rows.append([f"{grid_code}{micro:03d}", f"{micro}号楼", "微网格", grid_code, "40", "", "", "", ""])
    assert len(rows) == 5021
    random.Random(7).shuffle(rows)
    data = places_file(rows)

    started = time.perf_counter()
    result = import_run(actor=district_staff, kind="places", file_name="big.xlsx", data=data)
    elapsed = time.perf_counter() - started

    assert result.rows_imported == 5021
    assert Place.objects.filter(path__startswith=f"{tree.district.path}{STREET}/").count() == 5021
    assert elapsed < 15, f"5,021 rows took {elapsed:.1f} s"
