"""Real threads, each with its own database connection, approving exchanges at the same moment.

As in ``gridwork/matters/tests/test_concurrency.py``, each race runs twice: "at once" releases the threads together
from a barrier; "in lockstep" also holds every thread after it has read the exchange and checked the approver, just
before its transaction, until all have arrived, so that every one of them decides on the same old reading. The data
is committed (transactional test cases) so that the other connections see it. These tests must pass on SQLite (WAL,
BEGIN IMMEDIATE, busy timeout) and on PostgreSQL (scripts/with-postgres.sh).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from gridwork.accounts.models import User
from gridwork.common.flows import StaleState
from gridwork.common.tests.racing import race
from gridwork.places.tests.factories import CityTree
from gridwork.points import exchanges
from gridwork.points.models import EntryKind, Exchange, ExchangeState, PointAccount, PointEntry, Reward
from gridwork.points.tests.factories import community_staff, give_points, make_member, make_reward

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 4
MODES = ["at once", "in lockstep"]
_gates: list[threading.Barrier] = []


@contextmanager
def lockstep(mode: str, parties: int) -> Iterator[None]:
    """In lockstep, hold each approving thread after its checks and reads, before its transaction."""
    if mode != "in lockstep":
        yield
        return
    gate = threading.Barrier(parties)
    _gates.append(gate)
    real = exchanges._require_decider

    def decide_when_all_have_read(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)
        gate.wait(timeout=30)

    exchanges._require_decider = decide_when_all_have_read  # type: ignore[assignment]
    try:
        yield
    finally:
        exchanges._require_decider = real  # type: ignore[assignment]
        _gates.remove(gate)


def _fresh(user: User) -> User:
    fresh = User.objects.get(pk=user.pk)
    fresh.active_posts  # noqa: B018  (read the posts now, on this thread's connection)
    return fresh


def _approve(i: int, prepared: tuple[User, Exchange]) -> Exchange:
    staff, exchange = prepared
    return exchanges.exchange_approve(actor=staff, exchange=exchange, expected_version=exchange.version)


def _ledger_adds_up(account: PointAccount) -> None:
    running = 0
    for entry in PointEntry.objects.filter(account=account).order_by("id"):
        running += entry.points
        assert entry.balance_after == running >= 0
    account.refresh_from_db()
    assert account.balance == running


@pytest.mark.parametrize("mode", MODES)
def test_approvals_at_once_that_the_balance_pays_only_one_of_one_succeeds(tree: CityTree, mode: str) -> None:
    member = make_member(community=tree.community)
    give_points(member, 70)
    staff = [community_staff(tree, username=f"staff{i}") for i in range(THREADS)]
    requested = [
        exchanges.exchange_request(
            actor=member.user, member=member, reward=make_reward(place=tree.community, name=f"奖品{i}", cost=50)
        )
        for i in range(THREADS)
    ]

    with lockstep(mode, THREADS):
        outcomes = race(
            _approve,
            lambda i: (_fresh(staff[i]), Exchange.objects.get(pk=requested[i].pk)),
            threads=THREADS,
            gates=_gates,
        )

    winners = [i for i, outcome in enumerate(outcomes) if isinstance(outcome, Exchange)]
    assert len(winners) == 1, outcomes
    for i, outcome in enumerate(outcomes):
        if i not in winners:
            assert isinstance(outcome, exchanges.ExchangeRefused), repr(outcome)
            assert "balance is 20" in str(outcome)
    states = {e.pk: e.state for e in Exchange.objects.all()}
    assert sorted(states.values()) == sorted([ExchangeState.APPROVED] + [ExchangeState.REQUESTED] * (THREADS - 1))
    assert states[requested[winners[0]].pk] == ExchangeState.APPROVED
    [spend] = PointEntry.objects.filter(kind=EntryKind.SPEND)
    assert (spend.source_id, spend.points, spend.balance_after) == (requested[winners[0]].pk, -50, 20)
    assert sorted(Reward.objects.values_list("stock", flat=True)) == [9] + [10] * (THREADS - 1)
    _ledger_adds_up(PointAccount.objects.get())


@pytest.mark.parametrize("mode", MODES)
def test_the_last_item_in_stock_approved_for_several_members_at_once_goes_to_one(tree: CityTree, mode: str) -> None:
    reward = make_reward(place=tree.street, name="最后一台电扇", cost=30, stock=1)
    members = [make_member(community=tree.community, name=f"党员{i}") for i in range(THREADS)]
    requested = []
    for member in members:
        give_points(member, 40)
        requested.append(exchanges.exchange_request(actor=member.user, member=member, reward=reward))
    staff = [community_staff(tree, username=f"staff{i}") for i in range(THREADS)]

    with lockstep(mode, THREADS):
        outcomes = race(
            _approve,
            lambda i: (_fresh(staff[i]), Exchange.objects.get(pk=requested[i].pk)),
            threads=THREADS,
            gates=_gates,
        )

    winners = [i for i, outcome in enumerate(outcomes) if isinstance(outcome, Exchange)]
    assert len(winners) == 1, outcomes
    for i, outcome in enumerate(outcomes):
        if i not in winners:
            assert isinstance(outcome, exchanges.ExchangeRefused), repr(outcome)
            assert "out of stock" in str(outcome)
    assert Reward.objects.get(pk=reward.pk).stock == 0
    [spend] = PointEntry.objects.filter(kind=EntryKind.SPEND)
    assert spend.source_id == requested[winners[0]].pk
    balances = {account.member_id: account.balance for account in PointAccount.objects.all()}
    assert sorted(balances.values()) == [10] + [40] * (THREADS - 1)
    assert balances[members[winners[0]].pk] == 10
    for account in PointAccount.objects.all():
        _ledger_adds_up(account)


@pytest.mark.parametrize("mode", MODES)
def test_one_request_approved_by_several_staff_at_once_is_spent_once(tree: CityTree, mode: str) -> None:
    member = make_member(community=tree.community)
    give_points(member, 200)
    exchange = exchanges.exchange_request(
        actor=member.user, member=member, reward=make_reward(place=tree.community, cost=50, stock=5)
    )
    staff = [community_staff(tree, username=f"staff{i}") for i in range(THREADS)]

    with lockstep(mode, THREADS):
        outcomes = race(
            _approve, lambda i: (_fresh(staff[i]), Exchange.objects.get(pk=exchange.pk)), threads=THREADS, gates=_gates
        )

    winners = [outcome for outcome in outcomes if isinstance(outcome, Exchange)]
    assert len(winners) == 1, outcomes
    assert all(isinstance(o, StaleState) for o in outcomes if not isinstance(o, Exchange)), outcomes
    exchange.refresh_from_db()
    assert (exchange.state, exchange.version) == (ExchangeState.APPROVED, 2)
    assert PointEntry.objects.filter(kind=EntryKind.SPEND).count() == 1
    assert Reward.objects.get().stock == 4
    _ledger_adds_up(PointAccount.objects.get())
