"""manage.py triage_train and triage_predict, with bad files refused whole."""

from __future__ import annotations

import csv
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from gridwork.triage.models import ModelStatus, TriageModel

pytestmark = pytest.mark.django_db


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_train_if_missing_trains_once(small_data: Path) -> None:
    out = StringIO()
    call_command("triage_train", "--if-missing", stdout=out)
    assert "v1" in out.getvalue()
    assert "macro-F1" in out.getvalue()
    call_command("triage_train", "--if-missing", stdout=out)
    assert TriageModel.objects.count() == 1
    assert TriageModel.objects.get().trigger == "first_start"


def test_predict_writes_one_row_per_input_row(small_data: Path, tmp_path: Path) -> None:
    call_command("triage_train", stdout=StringIO())
    source = _write(
        tmp_path / "in.csv",
        [
            ["id", "title", "detail"],
            ["a1", "入学难", "孩子上小学入学难，学区划分不合理"],
            ["a2", "", "社保断缴了怎么补缴养老保险"],
            ["a3", "河道污染", "工厂往河里排污水，河水发臭"],
        ],
    )
    target = tmp_path / "out.csv"
    call_command("triage_predict", "--input", str(source), "--output", str(target), stdout=StringIO())
    with target.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    classes = set(TriageModel.objects.get(status=ModelStatus.LIVE).classes)
    assert [row["id"] for row in rows] == ["a1", "a2", "a3"]
    assert all(row["label"] in classes and 0 <= float(row["confidence"]) <= 1 for row in rows)
    assert rows[0]["label"] == "教育文体"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["id", "title"], ["1", "x"]], "row 1 (header), column detail: missing"),
        ([["id", "title", "detail"], ["1", "标题", "内容"], ["", "标题", "内容"]], "row 3, column id: empty"),
        (
            [["id", "title", "detail"], ["1", "标题", "内容"], ["1", "标题", "内容"]],
            "row 3, column id: 1 appears twice",
        ),
        ([["id", "title", "detail"], ["1", "", " "]], "row 2, column detail: no title and no text"),
        ([["id", "title", "detail"], ["1", "标题", "内容", "extra"]], "row 2: the number of fields"),
    ],
)
def test_predict_refuses_a_bad_file_and_writes_nothing(
    small_data: Path, tmp_path: Path, rows: list[list[str]], message: str
) -> None:
    call_command("triage_train", stdout=StringIO())
    source = _write(tmp_path / "bad.csv", rows)
    target = tmp_path / "out.csv"
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("triage_predict", "--input", str(source), "--output", str(target))
    assert not target.exists()


def test_predict_without_a_model_says_so(tmp_path: Path) -> None:
    source = _write(tmp_path / "in.csv", [["id", "title", "detail"], ["1", "标题", "内容"]])
    with pytest.raises(CommandError, match="No live triage model"):
        call_command("triage_predict", "--input", str(source), "--output", str(tmp_path / "out.csv"))


def test_predict_refuses_a_non_utf8_file(small_data: Path, tmp_path: Path) -> None:
    source = tmp_path / "gbk.csv"
    source.write_bytes("id,title,detail\n1,标题,内容\n".encode("gbk"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("triage_predict", "--input", str(source), "--output", str(tmp_path / "out.csv"))
