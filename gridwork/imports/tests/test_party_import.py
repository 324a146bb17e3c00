"""Importing party organisations and party members (gridwork/imports/importers/party.py)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from gridwork.accounts.models import User
from gridwork.common.tabular import ImportRejected
from gridwork.imports.services import import_run
from gridwork.imports.tests.files import xlsx_bytes
from gridwork.party.models import PartyMember, PartyOrganisation, PartyOrgKind
from gridwork.party.services import party_member_create, party_organisation_create
from gridwork.places.tests.factories import CityTree

ORG_HEADERS = ["编码", "名称", "类型", "上级组织编码", "地点编码", "书记"]
MEMBER_HEADERS = ["姓名", "手机号", "党组织编码", "入党日期", "在职党员", "工作单位", "住户编码"]


def problems_of(actor: Any, kind: str, rows: list[list[Any]], headers: list[str]) -> list[tuple[int | None, str, str]]:
    with pytest.raises(ImportRejected) as excinfo:
        import_run(actor=actor, kind=kind, file_name=f"{kind}.xlsx", data=xlsx_bytes([headers, *rows]))
    return [(problem.row, problem.column, problem.reason) for problem in excinfo.value.problems]


# --- organisations ---------------------------------------------------------------------------------------


def test_organisations_import_with_parents_in_any_order(tree: CityTree, district_staff: User) -> None:
    rows = [
        ["ZB-1", "春晖社区第一网格党支部", "党支部", "DDW-1", tree.grid.code, "王建国"],
        ["DDW-1", "春晖社区大党委", "大党委", "DGW-1", tree.community.code, ""],
        ["XZ-1", "1号楼党小组", "group", "ZB-1", tree.microgrid.code, ""],
        ["DGW-1", "望江街道大工委", "街道大工委", "", tree.street.code, ""],
    ]
    result = import_run(
        actor=district_staff, kind="party_organisations", file_name="orgs.xlsx", data=xlsx_bytes([ORG_HEADERS, *rows])
    )
    assert result.rows_imported == 4
    group = PartyOrganisation.objects.select_related("parent__parent__parent").get(code="XZ-1")
    assert group.kind == PartyOrgKind.GROUP
    assert [group.parent.code, group.parent.parent.code, group.parent.parent.parent.code] == ["ZB-1", "DDW-1", "DGW-1"]
    assert PartyOrganisation.objects.get(code="ZB-1").secretary_name == "王建国"


def test_organisation_rows_with_problems_are_all_reported(tree: CityTree, district_staff: User) -> None:
    party_organisation_create(
        actor=None, code="DGW-1", name="望江街道大工委", kind="working_committee", parent=None, place=tree.street
    )
    rows = [
        ["DDW-1", "春晖社区大党委", "大党委", "DGW-1", tree.community.code, ""],  # 2: fine
        ["DGW-1", "重复", "大工委", "", tree.street.code, ""],  # 3: code on the platform
        ["ZB-1", "支部", "党委会", "DDW-1", tree.grid.code, ""],  # 4: kind unknown
        ["ZB-2", "支部", "党支部", "NOPE", tree.grid.code, ""],  # 5: parent unknown
        ["ZB-3", "支部", "党支部", "DDW-1", "520102001001999", ""],  # 6: place unknown
        ["ZB-4", "支部", "党支部", "DDW-1", tree.street.code, ""],  # 7: a branch does not serve a street
        ["ZB-5", "支部", "党支部", "DGW-1", tree.grid.code, ""],  # 8: a branch under a working committee
        ["DDW-1", "又一个", "大党委", "DGW-1", tree.community2.code, ""],  # 9: code doubled in the file
        ["GN-1", "甲", "功能型党组织", "GN-2", tree.grid.code, ""],  # 10: cycle
        ["GN-2", "乙", "功能型党组织", "GN-1", tree.grid.code, ""],  # 11: cycle
    ]
    before = PartyOrganisation.objects.count()
    problems = problems_of(district_staff, "party_organisations", rows, ORG_HEADERS)
    assert PartyOrganisation.objects.count() == before
    where = sorted({(row, column) for row, column, _ in problems})
    assert where == [
        (2, "编码"),
        (3, "编码"),
        (4, "类型"),
        (5, "上级组织编码"),
        (6, "地点编码"),
        (7, "地点编码"),
        (8, "上级组织编码"),
        (9, "编码"),
        (10, "上级组织编码"),
        (11, "上级组织编码"),
    ]
    cycle = [reason for row, column, reason in problems if row == 10 and column == "上级组织编码"]
    assert "rows 10 and 11" in cycle[0]


def test_organisations_outside_scope_are_refused(tree: CityTree, street2_staff: User) -> None:
    rows = [["DGW-1", "望江街道大工委", "大工委", "", tree.street.code, ""]]
    problems = problems_of(street2_staff, "party_organisations", rows, ORG_HEADERS)
    assert [(row, column) for row, column, _ in problems] == [(2, "地点编码")]
    assert "outside the places you may import into" in problems[0][2]


# --- members ---------------------------------------------------------------------------------------------


@pytest.fixture
def branch(tree: CityTree) -> PartyOrganisation:
    working = party_organisation_create(
        actor=None, code="DGW-1", name="望江街道大工委", kind="working_committee", parent=None, place=tree.street
    )
    committee = party_organisation_create(
        actor=None,
        code="DDW-1",
        name="春晖社区大党委",
        kind="community_committee",
        parent=working,
        place=tree.community,
    )
    return party_organisation_create(
        actor=None, code="ZB-1", name="第一网格党支部", kind="branch", parent=committee, place=tree.grid
    )


def test_members_import(tree: CityTree, district_staff: User, branch: PartyOrganisation) -> None:
    rows = [
        ["李红", "139 1234 5678", "ZB-1", "2001/7/1", "是", "明川市第一中学", tree.household.code],
        ["王明", "", "ZB-1", "1998年10月5日", "", "", ""],
        ["赵强", "13712345678", "ZB-1", datetime.date(2010, 7, 1), "否", "", ""],
    ]
    result = import_run(
        actor=district_staff, kind="party_members", file_name="m.xlsx", data=xlsx_bytes([MEMBER_HEADERS, *rows])
    )
    assert result.rows_imported == 3
    li = PartyMember.objects.get(name="李红")
    assert (li.phone, li.joined_on, li.in_service, li.household) == (
        "13912345678",
        datetime.date(2001, 7, 1),
        True,
        tree.household,
    )
    assert PartyMember.objects.get(name="王明").joined_on == datetime.date(1998, 10, 5)


def test_member_rows_with_problems_are_all_reported(
    tree: CityTree, district_staff: User, branch: PartyOrganisation
) -> None:
    party_member_create(actor=None, name="已在册", phone="13600000000", organisation=branch)
    rows = [
        ["甲", "12912345678", "ZB-1", "", "", "", ""],  # 2: phone
        ["乙", "", "ZB-1", "", "是", "", ""],  # 3: in service without employer
        ["丙", "", "NOPE", "", "", "", ""],  # 4: organisation unknown
        ["丁", "", "ZB-1", "", "", "", tree.microgrid.code],  # 5: not a household
        ["戊", "13812345678", "ZB-1", "", "", "", ""],  # 6: same phone as row 7
        ["己", "13812345678", "ZB-1", "", "", "", ""],  # 7
        ["庚", "13600000000", "ZB-1", "", "", "", ""],  # 8: phone already in the organisation
        ["辛", "", "ZB-1", "2001-02-30", "也许", "", ""],  # 9: date and yes/no
    ]
    before = PartyMember.objects.count()
    problems = problems_of(district_staff, "party_members", rows, MEMBER_HEADERS)
    assert PartyMember.objects.count() == before
    assert sorted({(row, column) for row, column, _ in problems}) == [
        (2, "手机号"),
        (3, "工作单位"),
        (4, "党组织编码"),
        (5, "住户编码"),
        (6, "手机号"),
        (7, "手机号"),
        (8, "手机号"),
        (9, "入党日期"),
        (9, "在职党员"),
    ]
    reasons = {(row, column): reason for row, column, reason in problems}
    assert "138****5678" in reasons[(6, "手机号")]
    assert "13812345678" not in reasons[(6, "手机号")]


def test_members_outside_scope_are_refused(tree: CityTree, street2_staff: User, branch: PartyOrganisation) -> None:
    problems = problems_of(street2_staff, "party_members", [["甲", "", "ZB-1", "", "", "", ""]], MEMBER_HEADERS)
    assert [(row, column) for row, column, _ in problems] == [(2, "党组织编码")]
