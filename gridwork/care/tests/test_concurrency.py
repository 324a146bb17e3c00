"""Real threads, each with its own database connection, turning the same need into a matter at once: one matter is
filed, every other try is told the need is already taken, and nothing of theirs stays.

The data must be committed for other connections to see it (a transactional test); the test database is emptied with
``flush`` afterwards, which lifts the append-only trigger of ``care_visit`` (listed in ``APPEND_ONLY_TABLES``). It
must pass on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import pytest

from gridwork.accounts.models import User
from gridwork.care import services
from gridwork.care.models import Need
from gridwork.care.tests.factories import CareWorld, flag, visit
from gridwork.common.tests.racing import race
from gridwork.matters.models import Matter

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 6


def test_of_filings_of_one_need_at_once_exactly_one_wins(world: CareWorld) -> None:
    record = flag(world)
    need = visit(world, record, needs=("楼道灯坏了，需要维修",)).needs.get()
    filers = [world.staff, world.grid_worker, world.street] * 2

    def prepare(i: int) -> tuple[User, Need]:
        return User.objects.get(pk=filers[i].pk), Need.objects.get(pk=need.pk)

    def file_matter(_i: int, prepared: tuple[User, Need]) -> Matter:
        actor, seen = prepared
        return services.need_file_matter(actor=actor, need=seen)

    outcomes = race(file_matter, prepare, threads=THREADS)
    winners = [outcome for outcome in outcomes if isinstance(outcome, Matter)]
    assert len(winners) == 1, outcomes
    losers = [outcome for outcome in outcomes if not isinstance(outcome, Matter)]
    assert all(isinstance(outcome, services.NeedAlreadyConverted) for outcome in losers), losers
    assert Matter.objects.count() == 1
    assert Need.objects.get(pk=need.pk).matter == winners[0]
