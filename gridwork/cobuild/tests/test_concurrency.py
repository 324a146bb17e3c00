"""Staff accepting the same suggestion at once, in real threads with their own database connections: one match is
made, the others are refused (the compare-and-set on the need, or the unique constraint on need × resource).

As in ``volunteers/tests/test_concurrency.py``, the race runs "at once" and "in lockstep" (every thread held after its
reads and checks, before the transaction, until all have arrived). The data is committed (transactional test cases);
these tests must pass on SQLite and on PostgreSQL (scripts/with-postgres.sh).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.cobuild import services
from gridwork.cobuild.models import Match, Need, NeedEvent, Resource
from gridwork.cobuild.tests.factories import World, make_world, publish_need, publish_resource
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.tests.racing import race
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 4
MODES = ["at once", "in lockstep"]
_gates: list[threading.Barrier] = []


@contextmanager
def lockstep(mode: str, parties: int) -> Iterator[None]:
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


@pytest.mark.parametrize("mode", MODES)
def test_staff_accepting_one_suggestion_at_once_make_one_match(tree: CityTree, mode: str) -> None:
    world: World = make_world(tree)
    staff = [world.staff, world.street_staff] + [
        make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username=f"chunhui{i}") for i in range(THREADS - 2)
    ]
    need = publish_need(world)
    resource = publish_resource(world)

    def prepare(i: int) -> tuple[User, Need, Resource]:  # each thread reads the need as its page did
        return User.objects.get(pk=staff[i].pk), Need.objects.get(pk=need.pk), Resource.objects.get(pk=resource.pk)

    def accept(_i: int, prepared: tuple[User, Need, Resource]) -> Match:
        user, seen, offered = prepared
        return services.match_make(actor=user, need=seen, resource=offered, expected_version=seen.version)

    with lockstep(mode, THREADS):
        outcomes = race(accept, prepare, threads=THREADS, gates=_gates)

    made = [outcome for outcome in outcomes if isinstance(outcome, Match)]
    assert len(made) == 1, outcomes
    for outcome in outcomes:
        if not isinstance(outcome, Match):
            if mode == "in lockstep":
                assert isinstance(outcome, StaleState), repr(outcome)
            else:
                assert isinstance(outcome, StaleState | MoveRefused | ValidationError), repr(outcome)
    assert Match.objects.filter(need=need, resource=resource).count() == 1
    stored = Need.objects.get(pk=need.pk)
    assert stored.version == 2
    assert list(NeedEvent.objects.filter(subject=need).order_by("sequence").values_list("action", flat=True)) == [
        "create",
        "match",
    ]
