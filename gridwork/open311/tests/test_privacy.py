"""Masks of personal data in public text."""

from __future__ import annotations

import pytest

from gridwork.open311.privacy import mask_text, public_coordinate


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("电话13812345678", "电话138****5678"),
        ("电话138 1234 5678。", "电话138****5678。"),
        ("电话+86 13812345678", "电话138****5678"),
        ("座机0851-86661234", "座机0851-****1234"),
        ("身份证52010219900307123X", "身份证520102********123X"),
        ("邮箱wang.xm@example.com联系", "邮箱w***@example.com联系"),
        ("订单号202401011234567890123", "订单号202401011234567890123"),  # not a phone inside a longer number
        ("3号楼2单元，共12户", "3号楼2单元，共12户"),
    ],
)
def test_numbers_and_addresses_are_masked(text: str, masked: str) -> None:
    assert mask_text(text) == masked


def test_the_reporter_s_own_name_is_masked() -> None:
    assert mask_text("我是欧阳明月，住3楼", names=["欧阳明月", ""]) == "我是欧**月，住3楼"


def test_coordinates_are_rounded_to_about_100_metres() -> None:
    assert (public_coordinate(26.6051234), public_coordinate(None)) == (26.605, None)
