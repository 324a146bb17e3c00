"""Password rules beyond Django's own: a staff password mixes several kinds of character (等保 complexity)."""

from __future__ import annotations

import string
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def character_classes(password: str) -> int:
    """How many of lower case, upper case, digits and symbols the password uses."""
    return sum(
        [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(c in string.punctuation or not c.isalnum() for c in password),
        ]
    )


class CharacterClassValidator:
    """At least ``min_classes`` of the four kinds of character (between 0 and 4)."""

    def __init__(self, min_classes: int = 3) -> None:
        if not 0 <= min_classes <= 4:
            raise ValueError("min_classes must be between 0 and 4.")
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        if self.min_classes <= 0:
            return _("Any mix of characters is accepted.")
        return ngettext(
            "Your password must mix at least %(n)d kind of character: lower case, upper case, digits, symbols.",
            "Your password must mix at least %(n)d kinds of character: lower case, upper case, digits, symbols.",
            self.min_classes,
        ) % {"n": self.min_classes}
