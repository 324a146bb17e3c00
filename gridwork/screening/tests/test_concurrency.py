"""Real threads, each with its own database connection, recording the same grid's screening of the same month at once
(the grid worker on a visit, the community's staff at the desk): one screening row, both sets of entries on it, the
households added. "In lockstep" holds each thread after it looked for the month's screening (and found none) until
both have looked, so that both try to create it and the database's unique constraint must decide.

The data must be committed for other connections to see it (a transactional test). Must pass on SQLite and
PostgreSQL (scripts/with-postgres.sh).
"""

from __future__ import annotations

import contextlib
import threading
from datetime import date
from typing import Any

import pytest
from django.db.models import QuerySet

from gridwork.accounts.models import User
from gridwork.common.tests.racing import race
from gridwork.mediation.models import DisputeType
from gridwork.mediation.tests.factories import case_world
from gridwork.places.tests.factories import make_city_tree
from gridwork.screening.models import RiskEntry, Screening
from gridwork.screening.tests.factories import leak, record

pytestmark = pytest.mark.django_db(transaction=True)

MODES = ["at once", "in lockstep"]
ON = date(2025, 5, 14)


def _lockstep(patch: pytest.MonkeyPatch) -> threading.Barrier:
    gate = threading.Barrier(2)
    real_first = QuerySet.first

    def first_then_wait(self: QuerySet[Any]) -> Any:
        found = real_first(self)
        if self.model is Screening and found is None:
            # The other thread may already hold the lock (SQLite): then go on.
            with contextlib.suppress(threading.BrokenBarrierError):
                gate.wait(timeout=5)
        return found

    patch.setattr(QuerySet, "first", first_then_wait)
    return gate


@pytest.mark.parametrize("mode", MODES)
def test_two_records_of_one_month_make_one_screening(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    world = case_world(make_city_tree())
    grid = world.tree.grid
    actors = [world.grid_worker.pk, world.staff.pk]
    kinds = [DisputeType.NEIGHBOUR, DisputeType.FAMILY]
    gates = [_lockstep(monkeypatch)] if mode == "in lockstep" else []

    def prepare(i: int) -> User:
        return User.objects.get(pk=actors[i])

    def work(i: int, actor: User) -> Screening:
        return record(actor, grid, ON, entries=(leak(dispute_type=kinds[i]),), households=5 + i)

    outcomes = race(work, prepare, threads=2, gates=gates)

    assert not any(isinstance(outcome, Exception) for outcome in outcomes), outcomes
    assert Screening.objects.filter(grid=grid).count() == 1
    screening = Screening.objects.get(grid=grid)
    assert {outcome.pk for outcome in outcomes} == {screening.pk}
    assert screening.households_visited == 11
    assert sorted(RiskEntry.objects.filter(screening=screening).values_list("dispute_type", flat=True)) == sorted(kinds)
