import pytest

from gridwork.common.masking import mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(
    ("value", "masked"),
    [("13812341234", "138****1234"), ("", ""), (None, ""), ("12345", "*****"), (" 13812341234 ", "138****1234")],
)
def test_mask_phone(value: str | None, masked: str) -> None:
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"), [("张三", "张*"), ("王小明", "王*明"), ("欧阳明月", "欧**月"), ("李", "*"), ("", "")]
)
def test_mask_name(value: str, masked: str) -> None:
    assert mask_name(value) == masked


def test_mask_id_number_keeps_region_and_last_four() -> None:
    assert mask_id_number("52010219900307123X") == "520102********123X"
    assert mask_id_number("123") == "***"


def test_masked_values_never_contain_the_hidden_digits() -> None:
    phone = "13987654321"
    assert "8765" not in mask_phone(phone)
