"""Members taking one order at once, in real threads with their own database connections: one wins.

As in ``matters/tests/test_concurrency.py``, each race runs twice: "at once" releases the threads together; "in
lockstep" also holds every thread after it has read the order and checked the move (``services._precheck``, before
the transaction of the compare-and-set), until all have arrived, so that every thread but one must lose at the
compare-and-set. The data is committed (transactional test cases), so that the threads see it. These tests must pass
on SQLite and on PostgreSQL (scripts/with-postgres.sh).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from gridwork.accounts.models import User
from gridwork.accounts.tests.factories import make_resident_user
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.tests.racing import race
from gridwork.party.models import MemberRegistration
from gridwork.places.tests.factories import CityTree
from gridwork.points.models import PointEntry
from gridwork.volunteers import services
from gridwork.volunteers.models import OrderEvent, OrderState, ServiceOrder
from gridwork.volunteers.tests.factories import (
    HOURS,
    hour_rule,
    issued_order,
    make_buildings,
    make_community_staff,
    make_member,
)

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 6
MODES = ["at once", "in lockstep"]
_gates: list[threading.Barrier] = []


@contextmanager
def lockstep(mode: str, parties: int) -> Iterator[None]:
    """In lockstep, hold each racing thread after its reads and checks, before it opens the transaction of its
    compare-and-set (where SQLite would serialise the threads before they reach the gate), until all are there."""
    if mode != "in lockstep":
        yield
        return
    gate = threading.Barrier(parties)
    _gates.append(gate)
    real_check = services._precheck

    def check_then_wait_for_all(*args: Any, **kwargs: Any) -> None:
        real_check(*args, **kwargs)
        gate.wait(timeout=30)

    services._precheck = check_then_wait_for_all  # type: ignore[assignment]
    try:
        yield
    finally:
        services._precheck = real_check  # type: ignore[assignment]
        _gates.remove(gate)


def _fresh_user(user: User) -> User:
    return User.objects.get(pk=user.pk)


@pytest.fixture
def members(tree: CityTree) -> list[MemberRegistration]:
    buildings = make_buildings(tree)
    return [make_member(building=buildings.home, name=f"党员{i}") for i in range(THREADS)]


def _order(tree: CityTree, members: list[MemberRegistration]) -> ServiceOrder:
    return issued_order(
        resident=make_resident_user(phone="13700000001"),
        staff=make_community_staff(tree),
        building=tree.microgrid,
        members=members,
    )


def _losers_lost_cleanly(outcomes: list[Any], mode: str) -> None:
    for outcome in outcomes:
        if mode == "in lockstep":
            assert isinstance(outcome, StaleState), repr(outcome)
        else:
            assert isinstance(outcome, StaleState | MoveRefused), repr(outcome)


@pytest.mark.parametrize("mode", MODES)
def test_members_taking_one_order_at_once_one_wins(
    tree: CityTree, members: list[MemberRegistration], mode: str
) -> None:
    order = _order(tree, members)
    version = order.version

    def take(_i: int, prepared: tuple[User, ServiceOrder]) -> ServiceOrder:
        user, seen = prepared
        return services.order_take(actor=user, order=seen)

    def prepare(i: int) -> tuple[User, ServiceOrder]:  # each thread reads the order as its page did
        return _fresh_user(members[i].user), ServiceOrder.objects.get(pk=order.pk)

    with lockstep(mode, THREADS):
        outcomes = race(take, prepare, threads=THREADS, gates=_gates)

    winners = [i for i, outcome in enumerate(outcomes) if isinstance(outcome, ServiceOrder)]
    assert len(winners) == 1, outcomes
    _losers_lost_cleanly([o for o in outcomes if not isinstance(o, ServiceOrder)], mode)
    stored = ServiceOrder.objects.get(pk=order.pk)
    assert (stored.state, stored.version, stored.taker_id) == (OrderState.TAKEN, version + 1, members[winners[0]].pk)
    takes = list(OrderEvent.objects.filter(subject=order, action="take"))
    assert [event.actor_id for event in takes] == [members[winners[0]].user_id]
    events = list(OrderEvent.objects.filter(subject=order).order_by("sequence").values_list("sequence", flat=True))
    assert events == list(range(1, stored.version + 1))


@pytest.mark.parametrize("mode", MODES)
def test_a_taker_completing_from_several_devices_at_once_earns_once(
    tree: CityTree, members: list[MemberRegistration], mode: str
) -> None:
    hour_rule(points=10)
    order = _order(tree, members[:1])
    services.order_take(actor=members[0].user, order=order)

    def complete(_i: int, prepared: tuple[User, ServiceOrder]) -> Any:
        user, seen = prepared
        return services.order_complete(actor=user, order=seen, hours=HOURS)

    def prepare(_i: int) -> tuple[User, ServiceOrder]:
        return _fresh_user(members[0].user), ServiceOrder.objects.get(pk=order.pk)

    with lockstep(mode, THREADS):
        outcomes = race(complete, prepare, threads=THREADS, gates=_gates)

    done = [o for o in outcomes if isinstance(o, services.Completion)]
    assert len(done) == 1, outcomes
    _losers_lost_cleanly([o for o in outcomes if not isinstance(o, services.Completion)], mode)
    [entry] = PointEntry.objects.filter(source="order", source_id=order.pk)
    assert entry.points == 15
    assert ServiceOrder.objects.get(pk=order.pk).state == OrderState.COMPLETED
