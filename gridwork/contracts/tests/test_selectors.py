"""What the contracts' selectors make of text for the public board: every kind of phone number is taken out, and
the figures, dates and numbers a clause names stay."""

from __future__ import annotations

import pytest
from django.utils import translation

from gridwork.contracts.selectors import without_phones

REMOVED = "[phone number removed]"


@pytest.fixture(autouse=True)
def _english() -> object:
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        # mobile numbers, whole, spaced, masked, with the country code
        ("联系电话 139-1234-5678 或 138****5678", f"联系电话 {REMOVED} 或 {REMOVED}"),
        ("+86 138 1234 5678", REMOVED),
        # landlines with their area code, in the ways they are written
        ("座机0571-87654321", f"座机{REMOVED}"),
        ("(0571)87654321", REMOVED),
        ("（0571）8765-4321", REMOVED),
        ("请拨 010 8765 4321 预约", f"请拨 {REMOVED} 预约"),
        ("021-6543210", REMOVED),
        ("+86-571-87654321", REMOVED),
        ("0851-8765432转123", REMOVED),
        ("0571-8765****", REMOVED),
        # nationwide service numbers
        ("热线400-123-4567", f"热线{REMOVED}"),
        ("4001234567", REMOVED),
        ("800 810 8888", REMOVED),
        ("4001-234-567", REMOVED),
        # a local number the text calls a phone
        ("电话：87654321", f"电话：{REMOVED}"),
        ("座机 8765-4321", f"座机 {REMOVED}"),
        ("Tel 6543210", f"Tel {REMOVED}"),
    ],
)
def test_the_board_takes_out_every_kind_of_phone_number(text: str, shown: str) -> None:
    assert without_phones(text) == shown


@pytest.mark.parametrize(
    "text",
    [
        "合同编号GJ20260001",
        "2026-01-01至2028-12-31",
        "每季度4次义诊，每次服务30人以上",
        "预算 12345678 元",
        "统一社会信用代码12520100MB0000001X",
        "邮编310000",
    ],
)
def test_numbers_that_are_not_phones_stay(text: str) -> None:
    assert without_phones(text) == text
