"""The parties as told on screening are free Chinese text: no name, phone or ID number may stay readable."""

from __future__ import annotations

from gridwork.screening.selectors import mask_parties


def test_names_inside_chinese_runs_are_not_readable() -> None:
    masked = mask_parties("301室张桂芳（楼上），楼下李建国")
    assert "张桂芳" not in masked
    assert "桂芳" not in masked
    assert "李建国" not in masked
    assert "建国" not in masked
    assert masked == "***室***（楼*），楼****"


def test_phone_and_id_numbers_keep_only_their_ends() -> None:
    masked = mask_parties("张三 13900000001 身份证110101199001011234")
    assert "13900000001" not in masked
    assert "110101199001011234" not in masked
    assert "139****0001" in masked
    assert masked.endswith("110101********1234")


def test_latin_names_and_short_numbers() -> None:
    assert mask_parties("Mr Smith, room 12") == "M* S****, r*** **"
