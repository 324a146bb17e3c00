"""manage.py import_data (gridwork/imports/management/commands/import_data.py)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gridwork.accounts.models import User
from gridwork.imports.management.commands.import_data import Command
from gridwork.imports.tests.files import PLACE_HEADERS, csv_bytes, xlsx_bytes
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree

GOOD = [PLACE_HEADERS, ["520102003000", "滨江街道", "街道", "520102000000", "", "", "", "", ""]]
BAD = [
    PLACE_HEADERS,
    ["520102009001", "无主社区", "社区", "520102009000", "", "", "", "", ""],
    ["520102003000", "滨江街道", "省", "520102000000", "", "", "", "", ""],
]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_good_file_imports_and_says_how_it_was_read(tree: CityTree, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command(
        "import_data", "places", str(write(tmp_path, "places.csv", csv_bytes(GOOD, encoding="gb18030"))), stdout=out
    )
    assert "Imported 1 rows from places.csv (read as GB18030)." in out.getvalue()
    assert Place.objects.filter(code="520102003000").exists()


def test_a_rejected_file_prints_every_problem_and_exits_1(tree: CityTree, tmp_path: Path) -> None:
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_data", "places", str(write(tmp_path, "places.xlsx", xlsx_bytes(BAD))), stderr=err)
    assert excinfo.value.returncode == 1
    assert err.getvalue().splitlines() == [
        "places.xlsx:2:上级编码: No place with code 520102009000 exists in the file or on the platform.",
        "places.xlsx:3:层级: “省” is not one of the allowed values: 城市、区、街道、社区、网格、微网格、户.",
    ]
    assert not Place.objects.filter(code__in=["520102009001", "520102003000"]).exists()


@pytest.mark.django_db(transaction=True)
def test_the_process_exit_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from gridwork.places.tests.factories import make_city_tree

    make_city_tree()
    bad = write(tmp_path, "places.xlsx", xlsx_bytes(BAD))
    with pytest.raises(SystemExit) as excinfo:
        Command().run_from_argv(["manage.py", "import_data", "places", str(bad)])
    assert excinfo.value.code == 1
    assert "places.xlsx:2:上级编码:" in capsys.readouterr().err

    good = write(tmp_path, "good.xlsx", xlsx_bytes(GOOD))
    Command().run_from_argv(["manage.py", "import_data", "places", str(good)])  # no SystemExit: status 0
    assert Place.objects.filter(code="520102003000").exists()


def test_as_a_staff_member_the_scope_applies(tree: CityTree, street2_staff: User, tmp_path: Path) -> None:
    rows = [PLACE_HEADERS, [tree.community.code + "003", "越权网格", "网格", tree.community.code, "", "", "", "", ""]]
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_data", "places", str(write(tmp_path, "p.xlsx", xlsx_bytes(rows))), "--as", "street2", stderr=err
        )
    assert "outside the places you may import into" in err.getvalue()


def test_an_unknown_user_or_file_is_an_error(tree: CityTree, grid_worker: User, tmp_path: Path) -> None:
    good = str(write(tmp_path, "p.xlsx", xlsx_bytes(GOOD)))
    with pytest.raises(CommandError, match="No active staff member"):
        call_command("import_data", "places", good, "--as", "nobody")
    with pytest.raises(CommandError, match="holds no post that may import data"):
        call_command("import_data", "places", good, "--as", grid_worker.username)
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_data", "places", str(tmp_path / "missing.xlsx"))
