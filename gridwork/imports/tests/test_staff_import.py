"""Importing staff (gridwork/imports/importers/staff.py), through accounts.services.staff_create."""

from __future__ import annotations

from typing import Any

import pytest

from gridwork.accounts.models import Post, User
from gridwork.accounts.roles import Role
from gridwork.audit.models import AuditEvent
from gridwork.common.tabular import ImportRejected
from gridwork.imports.services import import_run
from gridwork.imports.tests.files import xlsx_bytes
from gridwork.places.tests.factories import CityTree

HEADERS = ["用户名", "姓名", "手机号", "角色", "单位编码", "部门编码"]


def staff_file(rows: list[list[Any]]) -> bytes:
    return xlsx_bytes([HEADERS, *rows])


def test_staff_import_creates_accounts_with_posts(tree: CityTree, district_staff: User) -> None:
    rows = [
        ["zhang.wei", "张伟", "13812345678", "网格员", tree.grid.code, ""],
        ["li.na", "李娜", "13812345679", "community_staff", tree.community.code, ""],
        ["wang.qiang", "王强", "13812345670", "部门工作人员", tree.district.code, tree.department.code],
    ]
    result = import_run(actor=district_staff, kind="staff", file_name="staff.xlsx", data=staff_file(rows))
    assert result.rows_imported == 3
    post = Post.objects.get(user__username="zhang.wei")
    assert (post.role, post.place) == (Role.GRID_WORKER, tree.grid)
    assert Post.objects.get(user__username="wang.qiang").department == tree.department
    assert not User.objects.get(username="li.na").has_usable_password()
    assert AuditEvent.objects.filter(action="staff.create").count() == 3
    assert AuditEvent.objects.get(action="import.run").detail["rows"] == 3


def test_every_staff_problem_is_reported_and_nobody_is_created(tree: CityTree, district_staff: User) -> None:
    rows = [
        ["zhang.wei", "张伟", "13812345678", "网格员", tree.grid.code, ""],  # 2: fine on its own
        ["li.na", "李娜", "13812345679", "村长", tree.community.code, ""],  # 3: role unknown
        ["wang.qiang", "王强", "13812345670", "网格员", "520102001001999", ""],  # 4: place unknown
        ["district1", "重名", "13812345671", "网格员", tree.grid.code, ""],  # 5: username taken
        ["zhao.min", "赵敏", "13812345672", "网格员", tree.community.code, ""],  # 6: a grid worker at a community
        ["ZHANG.WEI", "张伟二", "1381234567", "网格员", tree.grid.code, ""],  # 7: username doubled, phone short
        ["sun.li", "孙丽", "13812345673", "网格员", tree.grid2.code, "NOPE"],  # 8: department unknown
    ]
    users_before = User.objects.count()
    with pytest.raises(ImportRejected) as excinfo:
        import_run(actor=district_staff, kind="staff", file_name="staff.xlsx", data=staff_file(rows))
    problems = [(problem.row, problem.column) for problem in excinfo.value.problems]
    assert User.objects.count() == users_before
    assert not AuditEvent.objects.filter(action="staff.create").exists()
    assert sorted(set(problems)) == [
        (2, "用户名"),
        (3, "角色"),
        (4, "单位编码"),
        (5, "用户名"),
        (6, "单位编码"),
        (7, "手机号"),
        (7, "用户名"),
        (8, "部门编码"),
    ]


def test_staff_outside_scope_are_refused(tree: CityTree, street2_staff: User) -> None:
    rows = [["zhang.wei", "张伟", "13812345678", "网格员", tree.grid.code, ""]]
    with pytest.raises(ImportRejected) as excinfo:
        import_run(actor=street2_staff, kind="staff", file_name="staff.xlsx", data=staff_file(rows))
    assert [(p.row, p.column) for p in excinfo.value.problems] == [(2, "单位编码")]
    assert not User.objects.filter(username="zhang.wei").exists()
