"""What of a matter may be public: free text with phone numbers, ID card numbers and e-mail addresses masked,
coordinates rounded, and an address no finer than the community.

Open311 ``GET requests`` is open to anyone, so nothing here may carry the reporter's name or phone. Residents
write their numbers into the description often enough ("请联系我 13812345678"); the masks below find them in text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from gridwork.common.masking import mask_id_number, mask_name, mask_phone

COORDINATE_DECIMALS = 3  # about 110 m north–south: the block, not the building

# Digits not glued to other digits, so that a long number is not read as a phone inside it.
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?!\d)")
LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}[-\s]?)(\d{7,8})(?!\d)")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")  # ASCII: \w would take 邮箱 too


def _mask_digits(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return mask_phone(digits[-11:] if len(digits) > 11 and digits.startswith("86") else digits)


def _mask_landline(match: re.Match[str]) -> str:
    """The area code stays (0851-****1234): it names a city, not a person."""
    area, number = match.group(1), match.group(2)
    return f"{area}{'*' * (len(number) - 4)}{number[-4:]}"


def _mask_email(match: re.Match[str]) -> str:
    local, _, domain = match.group(0).partition("@")
    return f"{local[:1]}***@{domain}"


def mask_text(text: str, *, names: Iterable[str] = ()) -> str:
    """``text`` with ID card numbers, mobile and landline numbers and e-mail addresses masked, and every
    occurrence of ``names`` (the reporter's own name, as filed) masked as 张*."""
    masked = ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    masked = MOBILE.sub(_mask_digits, masked)
    masked = LANDLINE.sub(_mask_landline, masked)
    masked = EMAIL.sub(_mask_email, masked)
    for name in {name.strip() for name in names}:
        if len(name) >= 2:
            masked = masked.replace(name, mask_name(name))
    return masked


def public_coordinate(value: float | None) -> float | None:
    return None if value is None else round(value, COORDINATE_DECIMALS)
