"""Masking of personal data for lists and exports (个人信息去标识化): phone 138****1234, name 张*明."""

from __future__ import annotations


def mask_phone(value: str | None) -> str:
    """Keep the first three and last four digits of a mobile number: 13812341234 → 138****1234."""
    if not value:
        return ""
    digits = value.strip()
    if len(digits) <= 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_name(value: str | None) -> str:
    """Keep the first and last character of a name: 张三 → 张*, 欧阳明月 → 欧**月."""
    if not value:
        return ""
    name = value.strip()
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return f"{name[0]}*"
    return f"{name[0]}{'*' * (len(name) - 2)}{name[-1]}"


def mask_id_number(value: str | None) -> str:
    """Keep the first six (region) and last four characters of an ID card number."""
    if not value:
        return ""
    number = value.strip()
    if len(number) <= 10:
        return "*" * len(number)
    return f"{number[:6]}{'*' * (len(number) - 10)}{number[-4:]}"
