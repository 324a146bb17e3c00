"""The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from a 31-character alphabet (no I,
O, S, V, Z), the last a check character computed from the first seventeen."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(char) * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise(code: str) -> str:
    return code.strip().upper()


def is_valid(code: str) -> bool:
    """Eighteen characters of the alphabet whose last is the check character of the others."""
    code = normalise(code)
    if len(code) != LENGTH or any(char not in ALPHABET for char in code):
        return False
    return check_character(code[:17]) == code[17]


def with_check(first17: str) -> str:
    """A valid code from its first seventeen characters (demo data and tests)."""
    return first17 + check_character(first17)
