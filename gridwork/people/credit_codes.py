"""统一社会信用代码 — the unified social credit code of an organisation (GB 32100-2015).

Eighteen characters from an alphabet of the ten digits and 21 capital letters (I, O, Z, S and V are never used,
so that they cannot be mistaken for 1, 0, 2, 5 and U):

- position 1: the registering authority (登记管理部门: 1 establishment office, 5 civil affairs, 9 market regulation…);
- position 2: the category of organisation within that authority (机构类别);
- positions 3–8: the administrative division code of the registering authority (six digits);
- positions 9–17: the organisation's code (主体标识码, the GB 11714 organisation code);
- position 18: the check character.

The check character: each of the first 17 characters has its value (its index in the alphabet, 0–30) and a weight
3^i mod 31 (i = 0 for the first character: 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28); with S the
sum of value × weight, the check value is 31 − (S mod 31), and 31 stands for 0. The check character is the alphabet's
character of that value.

Only the shape, the division code's digits and the check character are checked: the authority and category tables
grow, and the organisation code's own check (positions 9–17) is not required of every registering authority.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, position, 31) for position in range(17))
LENGTH = 18
_SPACES = re.compile(r"[\s\-]+")


def credit_code_normalise(raw: str | None) -> str:
    """The code as typed, in capitals, without spaces or dashes, full-width characters made ASCII (ＡＢ１ → AB1)."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", raw or "")).upper()


def credit_code_check_character(first17: str) -> str:
    """The check character of the first 17 characters (which must all be in the alphabet)."""
    if len(first17) != LENGTH - 1:
        raise ValueError("A credit code's check character is computed from 17 characters.")
    total = sum(ALPHABET.index(character) * weight for character, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str:
    """What is wrong with a normalised code, in words for the form; "" when it is valid."""
    if not code:
        return _("Enter the unit's 18-character unified social credit code.")
    if len(code) != LENGTH:
        return _("A unified social credit code has 18 characters; this one has %(count)d.") % {"count": len(code)}
    wrong = [character for character in code if character not in ALPHABET]
    if wrong:
        return _(
            "“%(character)s” cannot appear in a unified social credit code: it uses the digits and the capital "
            "letters except I, O, Z, S and V."
        ) % {"character": wrong[0]}
    if not code[2:8].isdigit():
        return _("Characters 3 to 8 of a unified social credit code are the six digits of an area code.")
    if code[17] != credit_code_check_character(code[:17]):
        return _("The check character (the last one) does not match the others: a character is mistyped.")
    return ""


def credit_code_is_valid(code: str) -> bool:
    return not credit_code_problem(code)
