"""Real threads, each with its own database connection, claiming the same wish (认领是比较并交换).

As in ``matters/tests/test_concurrency.py``, each race runs twice: "at once" releases all threads together; "in
lockstep" also holds every thread after it has read the wish and checked who it is, just before its compare-and-set,
until all have arrived, so that every thread but one must lose at the compare-and-set. Exactly one claim wins, one
claim event is written, and every other claimant is told that the wish was just claimed.

The data must be committed for other connections to see it (transactional test cases). They must pass on SQLite
(WAL, BEGIN IMMEDIATE, busy timeout) and on PostgreSQL (scripts/with-postgres.sh).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from gridwork.accounts.models import User
from gridwork.common.tests.racing import race
from gridwork.wishes import services
from gridwork.wishes.flows import WishAction
from gridwork.wishes.models import Wish, WishEvent, WishState
from gridwork.wishes.services import WishAlreadyClaimed
from gridwork.wishes.tests.factories import WishWorld, make_member_user, make_unit, make_unit_contact, published

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
MODES = ["at once", "in lockstep"]
_gates: list[threading.Barrier] = []


@contextmanager
def lockstep(mode: str, parties: int) -> Iterator[None]:
    """In lockstep, hold each claim at ``services.flow_move`` (after its reads, before its compare-and-set)."""
    if mode != "in lockstep":
        yield
        return
    gate = threading.Barrier(parties)
    _gates.append(gate)
    real_move = services.flow_move

    def move_when_all_have_read(*args: Any, **kwargs: Any) -> Any:
        gate.wait(timeout=30)
        return real_move(*args, **kwargs)

    services.flow_move = move_when_all_have_read  # type: ignore[assignment]
    try:
        yield
    finally:
        services.flow_move = real_move  # type: ignore[assignment]
        _gates.remove(gate)


def _claimers(world: WishWorld) -> list[User]:
    """Members of the community and of its street, and contacts of two registered units."""
    tree = world.tree
    members = [
        make_member_user(phone=f"1390000{i:04d}", community=tree.community, building=tree.microgrid, name=f"党员{i}")
        for i in range(10, 14)
    ]
    members.append(world.member2)
    other_unit = make_unit(place=tree.community, name="明川市第二中学", credit_code="91520100MA6DXXXX03")
    contacts = [world.unit_user, make_unit_contact(other_unit, phone="13700000003", community=tree.community)]
    return [*members, *contacts, world.member]


@pytest.mark.parametrize("mode", MODES)
def test_of_claims_at_once_exactly_one_wins(world: WishWorld, mode: str) -> None:
    claimers = _claimers(world)
    assert len(claimers) == THREADS
    wish = published(world)
    version = wish.version

    def claim(i: int, prepared: tuple[User, Wish]) -> Wish:
        claimer, seen = prepared
        return services.wish_claim(actor=claimer, wish=seen, expected_version=version)

    def prepare(i: int) -> tuple[User, Wish]:
        claimer = User.objects.get(pk=claimers[i].pk)
        return claimer, Wish.objects.get(pk=wish.pk)

    with lockstep(mode, THREADS):
        outcomes = race(claim, prepare, threads=THREADS, gates=_gates)

    winners = [i for i, outcome in enumerate(outcomes) if isinstance(outcome, Wish)]
    assert len(winners) == 1, outcomes
    losers = [outcome for outcome in outcomes if not isinstance(outcome, Wish)]
    assert all(isinstance(outcome, WishAlreadyClaimed) for outcome in losers), losers
    assert all("just claimed" in str(outcome) for outcome in losers)

    stored = Wish.objects.select_related("claimant_member", "claimant_unit").get(pk=wish.pk)
    assert (stored.state, stored.version) == (WishState.CLAIMED, version + 1)
    [event] = WishEvent.objects.filter(subject=stored, action=WishAction.CLAIM)
    assert event.actor_id == claimers[winners[0]].pk
    assert list(WishEvent.objects.filter(subject=stored).values_list("sequence", flat=True)) == [1, 2, 3]
    assert services.wish_claimed_by(user=claimers[winners[0]], wish=stored)
    assert (stored.claimant_member is None) != (stored.claimant_unit is None)
