"""The rotating chair computed from changes and members' dates (``alliances.rotation``), without the database."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from gridwork.alliances.rotation import (
    ROTATION,
    Change,
    Dates,
    Spell,
    add_months,
    chair_spells,
    next_chair,
    spell_on,
)

A, B, C, D = 1, 2, 3, 4
START = date(2024, 1, 1)


def start(chair: int, order: tuple[int, ...], *, on: date = START, term: int = 6, sequence: int = 1) -> Change:
    return Change(on, add_months(on, term), chair, order, term, "start", sequence=sequence)


def chairs(spells: list[Spell]) -> list[tuple[int | None, str, str]]:
    return [(s.member, s.starts_on.isoformat(), s.ends_on.isoformat()) for s in spells]


def test_add_months_keeps_the_day_or_takes_the_months_last() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 11, 15), 3) == date(2025, 2, 15)
    assert add_months(date(2024, 3, 1), -3) == date(2023, 12, 1)


def test_the_chair_rotates_by_the_order_every_term_over_two_years() -> None:
    members = {m: Dates(START) for m in (A, B, C)}
    spells = chair_spells([start(A, (A, B, C))], members, until=date(2025, 12, 31))
    assert chairs(spells) == [
        (A, "2024-01-01", "2024-07-01"),
        (B, "2024-07-01", "2025-01-01"),
        (C, "2025-01-01", "2025-07-01"),
        (A, "2025-07-01", "2026-01-01"),
    ]
    assert [s.kind for s in spells] == ["start", ROTATION, ROTATION, ROTATION]
    assert spell_on(spells, date(2025, 6, 30)).member == C  # type: ignore[union-attr]
    assert spell_on(spells, date(2025, 7, 1)).member == A  # type: ignore[union-attr]


def test_a_member_not_in_the_alliance_when_its_turn_comes_is_skipped() -> None:
    members = {A: Dates(START), B: Dates(START, left_on=date(2024, 5, 1)), C: Dates(START), D: Dates(date(2025, 3, 1))}
    spells = chair_spells([start(A, (A, B, C, D))], members, until=date(2026, 1, 1))
    assert [s.member for s in spells] == [A, C, A, C, D]  # B left before its turn; D was not in yet in January 2025


def test_a_hand_over_cuts_the_term_short_and_the_rotation_goes_on_from_the_new_chair() -> None:
    members = {m: Dates(START) for m in (A, B, C)}
    handover = Change(date(2024, 3, 10), date(2024, 9, 10), C, (A, B, C), 6, "handover", "病休", sequence=2)
    spells = chair_spells([start(A, (A, B, C)), handover], members, until=date(2025, 3, 31))
    assert chairs(spells) == [
        (A, "2024-01-01", "2024-03-10"),
        (C, "2024-03-10", "2024-09-10"),
        (A, "2024-09-10", "2025-03-10"),
        (B, "2025-03-10", "2025-09-10"),
    ]
    assert (spells[1].kind, spells[1].reason) == ("handover", "病休")


def test_a_new_order_or_term_keeps_the_running_term_and_its_label() -> None:
    members = {m: Dates(START) for m in (A, B, C)}
    reorder = Change(START, date(2024, 7, 1), A, (A, C, B), 12, "settings", sequence=2)
    spells = chair_spells([start(A, (A, B, C)), reorder], members, until=date(2026, 6, 30))
    assert chairs(spells) == [
        (A, "2024-01-01", "2024-07-01"),
        (C, "2024-07-01", "2025-07-01"),
        (B, "2025-07-01", "2026-07-01"),
    ]
    assert spells[0].kind == "start"  # the first chair's spell still shows how it began


def test_nobody_in_the_alliance_means_no_chair() -> None:
    assert next_chair([A, B], A, on=START, members={A: Dates(START, START), B: Dates(date(2030, 1, 1))}) is None
    assert next_chair([A, B], A, on=START, members={A: Dates(START), B: Dates(date(2030, 1, 1))}) == A


@settings(deadline=None)  # pure date arithmetic; on a loaded machine an example may exceed the 200 ms default
@given(
    order=st.permutations([A, B, C, D]),
    term=st.integers(min_value=1, max_value=24),
    days=st.integers(min_value=0, max_value=3000),
)
def test_with_every_member_in_the_spells_tile_the_time_and_follow_the_order(
    order: list[int], term: int, days: int
) -> None:
    members = {m: Dates(START) for m in order}
    until = START + timedelta(days=days)
    spells = chair_spells([start(order[0], tuple(order), term=term)], members, until=until)
    assert spells[0].starts_on == START
    assert spell_on(spells, until) is spells[-1]
    for index, (before, after) in enumerate(itertools.pairwise(spells)):
        assert before.ends_on == after.starts_on
        assert after.member == order[(index + 1) % len(order)]
        assert after.ends_on == add_months(after.starts_on, term) or after.starts_on.day != START.day
