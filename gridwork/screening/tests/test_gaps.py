"""The screening cycle's gaps on a fixed clock: a grid without the month's screening is a gap; it is flagged from the
due day on, and at once when it missed last month too. ``screening_gaps`` reads no clock, so each test names its day.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from gridwork.mediation.tests.factories import CaseWorld
from gridwork.places.models import Place, PlaceLevel
from gridwork.screening.selectors import Gap, screening_gaps
from gridwork.screening.tests.factories import leak, record

pytestmark = pytest.mark.django_db


def _by_grid(gaps: list[Gap]) -> dict[str, Gap]:
    return {gap.grid.code: gap for gap in gaps}


@pytest.fixture
def cycle(world: CaseWorld) -> dict[str, Place]:
    """February and March 2025: ``grid`` screened in February only; ``grid2`` in neither; the third grid (of
    community2) in both."""
    third = Place.objects.get(parent=world.tree.community2, level=PlaceLevel.GRID)
    record(world.grid_worker, world.tree.grid, date(2025, 2, 10), entries=(leak(),))
    record(world.staff2, third, date(2025, 2, 11))
    record(world.staff2, third, date(2025, 3, 3))
    return {"grid": world.tree.grid, "grid2": world.tree.grid2, "third": third}


def test_before_the_due_day_only_a_grid_that_missed_last_month_is_flagged(world: CaseWorld, cycle: Any) -> None:
    gaps = _by_grid(screening_gaps(world.city_staff, on=date(2025, 3, 24)))

    assert set(gaps) == {cycle["grid"].code, cycle["grid2"].code}  # the third grid is screened in March
    assert not gaps[cycle["grid"].code].flagged
    assert gaps[cycle["grid"].code].last_screened == date(2025, 2, 1)
    assert gaps[cycle["grid2"].code].flagged
    assert gaps[cycle["grid2"].code].missed_last_month
    assert not gaps[cycle["grid2"].code].overdue
    assert gaps[cycle["grid2"].code].last_screened is None
    assert all(gap.month == date(2025, 3, 1) for gap in gaps.values())


def test_from_the_due_day_every_gap_is_flagged(world: CaseWorld, cycle: Any) -> None:
    gaps = screening_gaps(world.city_staff, on=date(2025, 3, 25))
    assert {gap.grid.code for gap in gaps} == {cycle["grid"].code, cycle["grid2"].code}
    assert all(gap.flagged and gap.overdue for gap in gaps)
    end_of_month = screening_gaps(world.city_staff, on=date(2025, 3, 31))
    assert all(gap.flagged for gap in end_of_month)


def test_flagged_gaps_come_first(world: CaseWorld, cycle: Any) -> None:
    gaps = screening_gaps(world.city_staff, on=date(2025, 3, 1))
    assert [gap.grid.code for gap in gaps] == [cycle["grid2"].code, cycle["grid"].code]


def test_the_due_day_is_a_setting(world: CaseWorld, cycle: Any, settings: Any) -> None:
    settings.GRIDWORK_SCREENING_DUE_DAY = 10
    assert not _by_grid(screening_gaps(world.city_staff, on=date(2025, 3, 9)))[cycle["grid"].code].flagged
    assert _by_grid(screening_gaps(world.city_staff, on=date(2025, 3, 10)))[cycle["grid"].code].flagged


def test_a_new_month_starts_over_and_the_year_turns(world: CaseWorld, cycle: Any) -> None:
    # April: nobody is screened; the grids screened in March are not flagged before the due day, the others are.
    april = _by_grid(screening_gaps(world.city_staff, on=date(2025, 4, 2)))
    assert set(april) == {cycle["grid"].code, cycle["grid2"].code, cycle["third"].code}
    assert not april[cycle["third"].code].flagged
    assert april[cycle["grid"].code].flagged  # missed March
    # January looks back at December of the year before.
    record(world.grid_worker, world.tree.grid, date(2024, 12, 5), entries=(leak(),))
    january = _by_grid(screening_gaps(world.city_staff, on=date(2025, 1, 5)))
    assert not january[cycle["grid"].code].flagged
    assert january[cycle["grid2"].code].flagged


def test_gaps_are_scoped(world: CaseWorld, cycle: Any) -> None:
    on = date(2025, 3, 24)
    assert {gap.grid.code for gap in screening_gaps(world.grid_worker, on=on)} == {cycle["grid"].code}
    assert {gap.grid.code for gap in screening_gaps(world.grid_worker2, on=on)} == {cycle["grid2"].code}
    assert screening_gaps(world.staff2, on=on) == []  # community2's grid is screened
    assert screening_gaps(world.street2_staff, on=on) == []
    assert {gap.grid.code for gap in screening_gaps(world.staff, on=on)} == {cycle["grid"].code, cycle["grid2"].code}
