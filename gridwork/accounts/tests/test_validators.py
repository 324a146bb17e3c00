"""gridwork.accounts.validators: the character-class rule, and that it is one of the active validators."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import get_default_password_validators, validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from gridwork.accounts.validators import CharacterClassValidator, character_classes


@pytest.mark.parametrize(
    ("password", "classes"),
    [
        ("", 0),
        ("abcdef", 1),
        ("ABCDEF", 1),
        ("123456", 1),
        ("!@#$%^", 1),
        ("abcDEF", 2),
        ("abc123", 2),
        ("abc de", 2),  # a space counts as a symbol
        ("abcDEF123", 3),
        ("abc-123", 3),
        ("aB3$", 4),
        ("网格员Abc1", 3),  # Chinese characters are letters of no case: they add no kind
    ],
)
def test_character_classes(password: str, classes: int) -> None:
    assert character_classes(password) == classes


def test_three_kinds_pass_and_two_fail() -> None:
    validator = CharacterClassValidator(min_classes=3)
    validator.validate("abcdefgh12X")

    with pytest.raises(ValidationError) as exc:
        validator.validate("abcdefgh123")

    assert exc.value.code == "password_too_simple"


def test_help_text_counts_the_kinds() -> None:
    with translation.override("en"):
        assert CharacterClassValidator(min_classes=1).get_help_text() == (
            "Your password must mix at least 1 kind of character: lower case, upper case, digits, symbols."
        )
        assert CharacterClassValidator(min_classes=3).get_help_text() == (
            "Your password must mix at least 3 kinds of character: lower case, upper case, digits, symbols."
        )
        assert CharacterClassValidator(min_classes=0).get_help_text() == "Any mix of characters is accepted."


def test_zero_kinds_accepts_anything() -> None:
    CharacterClassValidator(min_classes=0).validate("")


@pytest.mark.parametrize("min_classes", [-1, 5])
def test_an_impossible_minimum_is_refused_at_start_up(min_classes: int) -> None:
    with pytest.raises(ValueError, match="between 0 and 4"):
        CharacterClassValidator(min_classes=min_classes)


def test_the_settings_require_three_kinds() -> None:
    validators = [v for v in get_default_password_validators() if isinstance(v, CharacterClassValidator)]
    assert [v.min_classes for v in validators] == [3]

    with pytest.raises(ValidationError) as exc:
        validate_password("longenough-but-lower")
    assert "password_too_simple" in [error.code for error in exc.value.error_list]
    validate_password("Longenough-but-mixed")
