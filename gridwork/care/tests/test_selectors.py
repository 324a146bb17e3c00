"""Reading households in difficulty: the scope, the list's filters and the coverage figures."""

from __future__ import annotations

import pytest

from gridwork.care import selectors, services
from gridwork.care.models import Difficulty
from gridwork.care.tests.factories import CareWorld, days_ago, flag, pair, visit
from gridwork.places.tests.factories import make_place

pytestmark = pytest.mark.django_db


def test_coverage_figures_count_open_households_paired_and_visited_lately(world: CareWorld) -> None:
    tree = world.tree
    others = [
        make_place("household", tree.microgrid, sequence, f"1号楼1单元{100 + sequence}") for sequence in (3, 4, 5)
    ]
    paired_and_seen = flag(world)  # paired, visited 10 days ago
    pair(world, paired_and_seen)
    visit(world, paired_and_seen, on=days_ago(10))
    visit(world, paired_and_seen, on=days_ago(200))
    seen_at_the_edge = flag(world, household=world.neighbour)  # visited exactly 30 days ago; pairing ended
    ended_pairing = pair(world, seen_at_the_edge)
    services.pairing_end(actor=world.staff, pairing=ended_pairing, reason="调走")
    visit(world, seen_at_the_edge, on=days_ago(30))
    seen_long_ago = flag(world, household=others[0])  # visited 31 and 90 days ago, paired with a leader
    pair(world, seen_long_ago, leader=world.street)
    visit(world, seen_long_ago, on=days_ago(31))
    visit(world, seen_long_ago, on=days_ago(90))
    never_seen = flag(world, household=others[1])
    visit(world, never_seen, on=days_ago(91))  # outside both windows
    ended = flag(world, household=others[2])  # an ended record counts for nothing
    pair(world, ended)
    visit(world, ended, on=days_ago(1))
    services.household_end(actor=world.staff, record=ended, reason="收入已稳定")
    flag(world, household=world.household2, actor=world.staff2)  # another community

    figures = selectors.coverage(user=world.staff)
    assert (figures.households, figures.paired, figures.visited_30, figures.visited_90) == (4, 2, 2, 3)
    assert (figures.paired_share, figures.visited_30_share, figures.visited_90_share) == (50, 50, 75)
    street = selectors.coverage(user=world.street)
    assert (street.households, street.paired, street.visited_30, street.visited_90) == (5, 2, 2, 3)
    street_c2 = selectors.coverage(user=world.street, community=world.tree.community2)
    assert (street_c2.households, street_c2.paired) == (1, 0)
    assert street_c2.paired_share == 0
    nothing = selectors.coverage(user=world.department)
    assert nothing.households == 0
    assert nothing.paired_share is None


def test_the_list_is_scoped_and_filtered(world: CareWorld) -> None:
    mine = flag(world, kinds=[Difficulty.DISABILITY])
    pair(world, mine)
    visit(world, mine, on=days_ago(5))
    neighbour = flag(world, household=world.neighbour, kinds=[Difficulty.LEFT_BEHIND_CHILD, Difficulty.OTHER])
    theirs = flag(world, household=world.household2, actor=world.staff2)

    def ids(user: object, **filters: object) -> set[int]:
        return {record.pk for record in selectors.household_list(user=user, **filters)}  # type: ignore[arg-type]

    assert ids(world.staff) == {mine.pk, neighbour.pk}
    assert ids(world.grid_worker) == {mine.pk, neighbour.pk}
    assert ids(world.grid2_worker) == set()
    assert ids(world.staff2) == {theirs.pk}
    assert ids(world.street) == {mine.pk, neighbour.pk, theirs.pk}
    assert ids(world.department) == set()
    assert ids(world.dispatcher) == set()
    assert ids(world.staff, kind=Difficulty.DISABILITY) == {mine.pk}
    assert ids(world.staff, kind=Difficulty.OTHER) == {neighbour.pk}
    assert ids(world.staff, kind=Difficulty.MINIMUM_LIVING) == set()
    assert ids(world.staff, paired=True) == {mine.pk}
    assert ids(world.staff, paired=False) == {neighbour.pk}
    assert ids(world.staff, not_visited_days=5) == {neighbour.pk}
    assert ids(world.staff, not_visited_days=4) == {mine.pk, neighbour.pk}
    assert ids(world.street, community=world.tree.community2) == {theirs.pk}
    services.household_end(actor=world.staff, record=neighbour, reason="已脱困")
    assert ids(world.staff) == {mine.pk}
    assert ids(world.staff, ended=True) == {neighbour.pk}
    # never visited first, then the longest ago
    assert [r.pk for r in selectors.household_list(user=world.street)] == [theirs.pk, mine.pk]


def test_member_and_leader_choices_for_pairing(world: CareWorld) -> None:
    record = flag(world)
    assert list(selectors.member_choices(record=record)) == [world.member]
    leaders = set(selectors.leader_choices(record=record))
    assert {world.staff, world.grid_worker, world.street} <= leaders
    assert world.staff2 not in leaders
    assert world.grid2_worker not in leaders
    assert world.department not in leaders  # a district post: named by account, not listed


def test_masking_helpers(world: CareWorld) -> None:
    household = world.household
    assert selectors.household_label(household, unmasked=True) == "春晖路1号1号楼1单元101"
    assert selectors.household_label(household, unmasked=False) == "1号楼 · ***"
    assert selectors.unmasked_for(selectors.personal_data_paths(world.grid_worker), household)
    assert not selectors.unmasked_for(selectors.personal_data_paths(world.street), household)
    assert not selectors.unmasked_for(selectors.personal_data_paths(world.grid2_worker), household)
