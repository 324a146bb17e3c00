"""Real threads, each with its own database connection, on committed data (a transactional test; must pass on SQLite
and PostgreSQL):

- one resident rating one item twice at once gives one rating and one clear refusal — "in lockstep" both have passed
  the checks before either writes, so only the database's unique constraint can tell them apart;
- two openings of one community's cycle at once (the job and a resident's form on the 1st) give one cycle;
- two staff completing the same stage at once move it once; the other is told someone else moved it first.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from gridwork.accounts.models import User
from gridwork.common.flows import StaleState
from gridwork.common.tests.racing import race
from gridwork.places.tests.factories import CityTree
from gridwork.serviceday.models import CycleEvent, CycleState, Item, ItemRating, ServiceCycle
from gridwork.serviceday.services import cycles, ratings
from gridwork.serviceday.tests.factories import at, community_staff, cycle_at, open_cycle, verified_resident

pytestmark = pytest.mark.django_db(transaction=True)

MODES = ["at once", "in lockstep"]


def _hold(patch: pytest.MonkeyPatch, module: Any, name: str) -> threading.Barrier:
    """Hold each thread after ``module.name`` (a read, outside any transaction) until both threads have done it."""
    gate = threading.Barrier(2)
    real = getattr(module, name)

    def then_wait(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        gate.wait(timeout=30)
        return result

    patch.setattr(module, name, then_wait)
    return gate


@pytest.mark.parametrize("mode", MODES)
def test_two_ratings_at_once_by_one_resident_give_one(
    tree: CityTree, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cycle = cycle_at(tree.community, community_staff(tree.community), CycleState.EVALUATE)
    item = Item.objects.get(cycle=cycle)
    resident = verified_resident(tree.community)
    gates = [_hold(monkeypatch, ratings, "rating_refusal")] if mode == "in lockstep" else []

    def prepare(_i: int) -> User:
        return User.objects.get(pk=resident.pk)

    def rate(i: int, actor: User) -> Any:
        return ratings.item_rate(actor=actor, item=item, stars=5 - i, at=at(date(2026, 4, 7)))

    outcomes = race(rate, prepare, threads=2, gates=gates)

    refused = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert len(refused) == 1, outcomes
    assert isinstance(refused[0], ValidationError)
    assert "already rated" in str(refused[0])
    assert ItemRating.objects.filter(item=item, user=resident).count() == 1


@pytest.mark.parametrize("mode", MODES)
def test_two_openings_at_once_give_one_cycle(tree: CityTree, mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    gates = [_hold(monkeypatch, cycles, "existing_cycle")] if mode == "in lockstep" else []

    def open_it(_i: int, _prepared: Any) -> Any:
        return cycles.cycle_open(community=tree.community, year=2026, month=3, at=at(date(2026, 3, 1), 0))

    outcomes = race(open_it, threads=2, gates=gates)

    assert not any(isinstance(outcome, Exception) for outcome in outcomes), outcomes
    assert {cycle.pk for cycle, _created in outcomes} == {ServiceCycle.objects.get().pk}
    assert sorted(created for _cycle, created in outcomes) == [False, True]
    assert CycleEvent.objects.count() == 1


def test_two_staff_completing_one_stage_at_once_move_it_once(tree: CityTree) -> None:
    cycle = open_cycle(tree.community)
    staff = [community_staff(tree.community), community_staff(tree.community)]
    seen = cycle.version

    def prepare(i: int) -> tuple[User, ServiceCycle]:
        return User.objects.get(pk=staff[i].pk), ServiceCycle.objects.get(pk=cycle.pk)

    def close(_i: int, prepared: tuple[User, ServiceCycle]) -> Any:
        actor, mine = prepared
        return cycles.cycle_complete_stage(
            actor=actor, cycle=mine, expected_version=seen, text="收集完毕", at=at(date(2026, 3, 15), 17)
        )

    outcomes = race(close, prepare, threads=2)

    refused = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert len(refused) == 1, outcomes
    assert isinstance(refused[0], StaleState)
    moved = ServiceCycle.objects.get(pk=cycle.pk)
    assert (moved.state, moved.version) == (CycleState.SORT, seen + 1)
    assert CycleEvent.objects.filter(subject=cycle, action="close_collection").count() == 1
