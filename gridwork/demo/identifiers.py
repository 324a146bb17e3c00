"""Identifiers that look real and pass their check characters: ID card numbers, credit codes, mobile numbers.

- Resident ID number (公民身份号码), GB 11643-1999: 6-digit area code, birth date YYYYMMDD, 3-digit sequence
  (odd for men, even for women) and an ISO 7064 MOD 11-2 check character (0-9 or X).
- Unified social credit code (统一社会信用代码), GB 32100-2015: registering authority, category, 6-digit
  area code, the 9-character organisation code of GB 11714 (with its own MOD 11 check) and a MOD 31
  check character over an alphabet without I, O, Z, S and V.
"""

from __future__ import annotations

import random
from datetime import date

ID_WEIGHTS = tuple(pow(2, 17 - position, 11) for position in range(17))
ID_CHECK = "10X98765432"

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORGANISATION_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# Mobile number prefixes of the three operators.
MOBILE_PREFIXES = tuple(
    str(prefix)
    for prefix in (
        *range(130, 140),
        150,
        151,
        152,
        153,
        *range(155, 160),
        166,
        *range(175, 179),
        *range(180, 190),
        198,
        199,
    )
)


def id_check_character(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def id_number(*, area_code: str, birth_date: date, sequence: int, male: bool) -> str:
    """An 18-character ID number; ``sequence`` (0–499) is made odd for men and even for women."""
    order = sequence * 2 + (1 if male else 0)
    if not 0 <= order <= 999:
        raise ValueError(f"An ID sequence must be between 0 and 499, not {sequence}.")
    first17 = f"{area_code}{birth_date:%Y%m%d}{order:03d}"
    return first17 + id_check_character(first17)


def id_number_is_valid(number: str) -> bool:
    """Shape, birth date and check character of an 18-character ID number."""
    if len(number) != 18 or not number[:17].isascii() or not number[:17].isdigit():
        return False
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return number[17].upper() == id_check_character(number[:17])


def organisation_check_character(body: str) -> str:
    """The GB 11714 check character of an 8-character organisation code body."""
    total = sum(_code_value(character) * weight for character, weight in zip(body, ORGANISATION_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def _code_value(character: str) -> int:
    return int(character) if character.isdigit() else ord(character) - ord("A") + 10


def credit_check_character(first17: str) -> str:
    total = sum(
        CREDIT_ALPHABET.index(character) * weight for character, weight in zip(first17, CREDIT_WEIGHTS, strict=True)
    )
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code(*, authority_and_category: str, area_code: str, rng: random.Random) -> str:
    """An 18-character unified social credit code with valid organisation-code and final check characters."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    first17 = f"{authority_and_category}{area_code}{body}{organisation_check_character(body)}"
    return first17 + credit_check_character(first17)


def credit_code_is_valid(code: str) -> bool:
    """Shape and final check character of a unified social credit code (GB 32100-2015)."""
    if len(code) != 18 or any(character not in CREDIT_ALPHABET for character in code):
        return False
    return code[17] == credit_check_character(code[:17])


def mobile_number(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
