"""The unified social credit code's check (GB 32100-2015): real published codes pass, codes made by our own check
character pass, and every single mistyped character, a wrong length, a letter the code never uses and letters in the
area code are refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridwork.people.credit_codes import (
    ALPHABET,
    WEIGHTS,
    credit_code_check_character,
    credit_code_is_valid,
    credit_code_normalise,
    credit_code_problem,
)

# Published on the national enterprise credit information system: a company in Fuzhou, and PetroChina.
REAL_CODES = ["91350100M000100Y43", "91110000802100433B"]


def made(first17: str) -> str:
    return first17 + credit_code_check_character(first17)


def test_the_weights_are_powers_of_three_modulo_31() -> None:
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(ALPHABET) == 31
    assert not set("IOZSV") & set(ALPHABET)


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code: str) -> None:
    assert credit_code_problem(code) == ""


@pytest.mark.parametrize(
    "first17", ["91520102MA6DL0001", "12520100429200061", "52520103MJ0000000", "Y1520100000000000"]
)
def test_codes_made_with_their_check_character_are_valid(first17: str) -> None:
    code = made(first17)
    assert len(code) == 18
    assert credit_code_is_valid(code)


def test_a_check_value_of_zero_is_the_character_0() -> None:
    # Find a body whose sum is a multiple of 31: its check character is "0", not the 32nd character.
    body = next(
        f"9152010200000{n:04d}" for n in range(10000) if credit_code_check_character(f"9152010200000{n:04d}") == "0"
    )
    assert credit_code_is_valid(body + "0")


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("", "Enter"),
        ("91350100M000100Y4", "18 characters; this one has 17"),
        ("91350100M000100Y433", "this one has 19"),
        ("91350100M000100Y4I", "“I” cannot appear"),
        ("91350100O000100Y43", "“O” cannot appear"),
        ("913501a0M000100Y43", "“a” cannot appear"),
        ("91AB0100M000100Y43", "area code"),
        ("91350100M000100Y44", "check character"),
        ("91350101M000100Y43", "check character"),
        ("91110000802100433A", "check character"),
    ],
)
def test_bad_codes_are_refused_with_the_reason(code: str, says: str) -> None:
    assert says in credit_code_problem(code)
    assert not credit_code_is_valid(code)


def test_typing_is_forgiven_before_the_check() -> None:
    assert credit_code_normalise(" 9135 0100-m000 100y43 ") == "91350100M000100Y43"
    assert credit_code_normalise("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"


_bodies = st.tuples(
    st.text(alphabet=ALPHABET, min_size=2, max_size=2),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=ALPHABET, min_size=9, max_size=9),
).map("".join)


@given(first17=_bodies, position=st.integers(min_value=0, max_value=17), shift=st.integers(min_value=1, max_value=30))
def test_every_single_mistyped_character_is_caught(first17: str, position: int, shift: int) -> None:
    code = made(first17)
    assert credit_code_is_valid(code)
    wrong = ALPHABET[(ALPHABET.index(code[position]) + shift) % 31]
    assert not credit_code_is_valid(code[:position] + wrong + code[position + 1 :])
