"""The ledger (``services``): earning by the rule in force on the day, rounding, once per source, spending, the
account following a member who moves, and the property that holds whatever happens: every balance is the sum of its
entries, each entry's ``balance_after`` is the running sum and never negative, one entry per (kind, source)."""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gridwork.accounts.models import User
from gridwork.common.flows import MoveRefused
from gridwork.party.models import MemberRegistration, RegistrationState
from gridwork.places.tests.factories import CityTree
from gridwork.points import exchanges
from gridwork.points.models import EntryKind, Exchange, ExchangeState, PointAccount, PointBasis, PointEntry, Reward
from gridwork.points.selectors import member_balance, member_ledger
from gridwork.points.services import NotEnoughPoints, Source, point_account_of, points_earn, points_spend
from gridwork.points.tests.factories import community_staff, make_member, make_reward, make_rule

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _day(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


def _earn(member: MemberRegistration, quantity: Any, source_id: int, *, on: datetime.date | None = None) -> Any:
    return points_earn(
        member=member,
        basis=PointBasis.SERVICE_HOUR,
        quantity=quantity,
        source=Source("order", source_id),
        actor=None,
        on=on,
    )


# --- the rule in force on the day -------------------------------------------------------------------------------------


def test_earning_uses_the_rule_in_force_on_the_day_and_a_later_rule_replaces_it(tree: CityTree) -> None:
    member = make_member(community=tree.community)
    first = make_rule(points=10, valid_from=_day(-30), valid_to=_day(-11))
    later = make_rule(points=20, valid_from=_day(-10))

    assert _earn(member, 1, 1, on=_day(-31)) is None  # before any rule: nothing, and no line
    on_first_day = _earn(member, 1, 2, on=_day(-30))
    on_last_day = _earn(member, 1, 3, on=_day(-11))
    on_next_day = _earn(member, 1, 4, on=_day(-10))
    today = _earn(member, 1, 5)

    assert (on_first_day.rule, on_first_day.points, on_first_day.day) == (first, 10, _day(-30))
    assert (on_last_day.rule, on_last_day.points) == (first, 10)
    assert (on_next_day.rule, on_next_day.points) == (later, 20)
    assert (today.rule, today.points, today.day) == (later, 20, TODAY)
    account = point_account_of(member)
    assert (account.balance, account.earned) == (60, 60)
    assert PointEntry.objects.filter(account=account).count() == 4


def test_after_a_rule_ends_nothing_is_earned_until_the_next(tree: CityTree) -> None:
    member = make_member(community=tree.community)
    make_rule(points=10, valid_from=_day(-30), valid_to=_day(-1))
    assert _earn(member, 2, 1) is None
    assert not PointAccount.objects.exists()  # nothing earned, no account opened


def test_each_basis_has_its_own_rule(tree: CityTree) -> None:
    member = make_member(community=tree.community)
    make_rule(basis=PointBasis.SERVICE_HOUR, points=10)
    make_rule(basis=PointBasis.WISH, points=30)
    wish = points_earn(member=member, basis=PointBasis.WISH, quantity=1, source=Source("wish", 1), actor=None)
    assert wish is not None
    assert wish.points == 30
    assert points_earn(member=member, basis=PointBasis.ACTIVITY, quantity=1, source=Source("a", 1), actor=None) is None


@pytest.mark.parametrize(
    ("per_hour", "hours", "points"),
    [
        (10, Decimal("1.5"), 15),
        (10, Decimal("0.25"), 2),  # 2.5 → 2: a part of a point is never paid
        (3, Decimal("1.25"), 3),  # 3.75 → 3
        (7, Decimal("2.99"), 20),  # 20.93 → 20
        (10, Decimal("0.09"), None),  # 0.9 → 0: no line at all
        (10, 2, 20),
        (10, 0.1, 1),  # a float is read as the number it prints as, not its binary neighbour 0.1000…0055
    ],
)
def test_fractional_hours_are_paid_in_proportion_rounded_down(
    tree: CityTree, per_hour: int, hours: Any, points: int | None
) -> None:
    member = make_member(community=tree.community)
    make_rule(points=per_hour)
    entry = _earn(member, hours, 1)
    assert (entry.points if entry else None) == points
    assert point_account_of(member).balance == (points or 0)


def test_a_source_earns_once_even_when_asked_again_with_another_quantity_or_after_the_rule_changed(
    tree: CityTree,
) -> None:
    member = make_member(community=tree.community)
    rule = make_rule(points=10)
    first = _earn(member, 2, 7)
    rule.valid_to = _day(-1)
    rule.save()
    make_rule(points=50, valid_from=TODAY)
    again = _earn(member, 5, 7)
    assert again == first
    assert point_account_of(member).balance == 20
    assert PointEntry.objects.count() == 1


# --- spending ---------------------------------------------------------------------------------------------------------


def test_a_spend_beyond_the_balance_changes_nothing(tree: CityTree) -> None:
    member = make_member(community=tree.community)
    make_rule(points=10)
    _earn(member, 3, 1)
    with pytest.raises(NotEnoughPoints) as short:
        points_spend(member=member, points=31, source=Source("exchange", 1), actor=None)
    assert (short.value.balance, short.value.needed) == (30, 31)
    account = point_account_of(member)
    assert (account.balance, account.earned) == (30, 30)
    assert PointEntry.objects.filter(kind=EntryKind.SPEND).count() == 0
    entry = points_spend(member=member, points=30, source=Source("exchange", 1), actor=None)
    assert (entry.points, entry.balance_after) == (-30, 0)
    assert points_spend(member=member, points=30, source=Source("exchange", 1), actor=None) == entry
    account.refresh_from_db()
    assert (account.balance, account.earned) == (0, 30)


def test_a_spend_of_nothing_or_less_is_a_programming_error(tree: CityTree) -> None:
    member = make_member(community=tree.community)
    with pytest.raises(ValueError, match="positive"):
        points_spend(member=member, points=0, source=Source("exchange", 1), actor=None)


def test_the_ledger_cannot_be_changed_or_deleted(tree: CityTree) -> None:
    member = make_member(community=tree.community)
    make_rule(points=10)
    entry = _earn(member, 1, 1)
    with pytest.raises(DatabaseError), transaction.atomic():
        PointEntry.objects.filter(pk=entry.pk).update(points=1000)
    with pytest.raises(DatabaseError), transaction.atomic():
        PointEntry.objects.filter(pk=entry.pk).delete()
    assert PointEntry.objects.get(pk=entry.pk).points == 10


# --- the account follows the person -----------------------------------------------------------------------------------


def test_a_member_who_moves_keeps_their_points_and_an_old_claim_pays_into_the_same_account(tree: CityTree) -> None:
    old = make_member(community=tree.community)
    make_rule(points=10)
    _earn(old, 4, 1)
    MemberRegistration.objects.filter(pk=old.pk).update(state=RegistrationState.TRANSFERRED)
    old.refresh_from_db()
    new = make_member(community=tree.community2, user=User.objects.get(pk=old.user_id))

    assert member_balance(member=new).balance == 40  # read through the person before the account follows
    _earn(old, 1, 2)  # an order taken before the move, completed after it
    assert PointAccount.objects.count() == 1
    account = PointAccount.objects.get()
    assert (account.member_id, account.balance) == (new.pk, 50)
    assert [entry.points for entry in member_ledger(member=new)] == [10, 40]


# --- the property -----------------------------------------------------------------------------------------------------

PER_HOUR = 7
COSTS = (15, 40)
STOCKS = (2, None)

members_ = st.integers(min_value=0, max_value=1)
earns = st.tuples(
    st.just("earn"),
    members_,
    st.integers(min_value=1, max_value=6),  # a few sources: repeats are likely
    st.decimals(min_value=0, max_value=6, places=2),
)
spends = st.tuples(st.just("spend"), members_, st.integers(min_value=1, max_value=4), st.integers(1, 60))
requests = st.tuples(st.just("request"), members_, st.integers(min_value=0, max_value=len(COSTS) - 1))
approvals = st.tuples(st.just("approve"), st.integers(min_value=0, max_value=20))
rejections = st.tuples(st.just("reject"), st.integers(min_value=0, max_value=20))
# Requests and approvals twice as likely as the rest, so that most runs spend on rewards.
operations = st.lists(st.one_of(earns, spends, requests, requests, approvals, approvals, rejections), max_size=30)


@dataclass
class Expected:
    balance: list[int] = field(default_factory=lambda: [0, 0])
    earned: list[int] = field(default_factory=lambda: [0, 0])
    earned_sources: list[set[int]] = field(default_factory=lambda: [set(), set()])
    spent_sources: list[set[int]] = field(default_factory=lambda: [set(), set()])
    stock: list[int | None] = field(default_factory=lambda: list(STOCKS))
    approved: set[int] = field(default_factory=set)


def _apply(op: tuple[Any, ...], *, world: dict[str, Any], expected: Expected) -> None:
    members: list[MemberRegistration] = world["members"]
    rewards: list[Reward] = world["rewards"]
    made: list[Exchange] = world["exchanges"]
    kind = op[0]
    if kind == "earn":
        _, m, source, hours = op
        points = int(PER_HOUR * hours)
        entry = _earn(members[m], hours, source)
        if source in expected.earned_sources[m]:
            assert entry is not None
            assert entry.source_id == source
        elif points == 0:
            assert entry is None
        else:
            assert entry is not None
            assert entry.points == points
            expected.earned_sources[m].add(source)
            expected.balance[m] += points
            expected.earned[m] += points
    elif kind == "spend":
        _, m, source, points = op
        if source in expected.spent_sources[m]:
            points_spend(member=members[m], points=points, source=Source("shop", source), actor=None)
        elif points > expected.balance[m]:
            with pytest.raises(NotEnoughPoints):
                points_spend(member=members[m], points=points, source=Source("shop", source), actor=None)
        else:
            points_spend(member=members[m], points=points, source=Source("shop", source), actor=None)
            expected.spent_sources[m].add(source)
            expected.balance[m] -= points
    elif kind == "request":
        _, m, r = op
        with contextlib.suppress(ValidationError):
            made.append(exchanges.exchange_request(actor=members[m].user, member=members[m], reward=rewards[r]))
    elif made:
        exchange = Exchange.objects.get(pk=made[op[1] % len(made)].pk)
        m = next(i for i, member in enumerate(members) if point_account_of(member).pk == exchange.account_id)
        r = next(i for i, reward in enumerate(rewards) if reward.pk == exchange.reward_id)
        if kind == "reject":
            if exchange.state != ExchangeState.REQUESTED:
                with pytest.raises(MoveRefused):
                    exchanges.exchange_reject(
                        actor=world["staff"], exchange=exchange, reason="不符合条件", expected_version=exchange.version
                    )
            else:
                exchanges.exchange_reject(
                    actor=world["staff"], exchange=exchange, reason="不符合条件", expected_version=exchange.version
                )
            return
        possible = (
            exchange.state == ExchangeState.REQUESTED
            and expected.balance[m] >= exchange.cost
            and expected.stock[r] != 0
        )
        if exchange.state != ExchangeState.REQUESTED:
            with pytest.raises(MoveRefused):
                exchanges.exchange_approve(actor=world["staff"], exchange=exchange, expected_version=exchange.version)
        elif not possible:
            with pytest.raises(exchanges.ExchangeRefused):
                exchanges.exchange_approve(actor=world["staff"], exchange=exchange, expected_version=exchange.version)
            assert Exchange.objects.get(pk=exchange.pk).state == ExchangeState.REQUESTED
        else:
            exchanges.exchange_approve(actor=world["staff"], exchange=exchange, expected_version=exchange.version)
            expected.balance[m] -= exchange.cost
            stock = expected.stock[r]
            expected.stock[r] = None if stock is None else stock - 1
            expected.approved.add(exchange.pk)


def _check_every_account(world: dict[str, Any], expected: Expected) -> None:
    for m, member in enumerate(world["members"]):
        account = point_account_of(member)
        running = 0
        for entry in PointEntry.objects.filter(account=account).order_by("id"):
            running += entry.points
            assert entry.balance_after == running, f"{entry} after {running - entry.points}"
            assert entry.balance_after >= 0
        total = PointEntry.objects.filter(account=account).aggregate(total=Sum("points"))["total"] or 0
        earned = PointEntry.objects.filter(account=account, kind=EntryKind.EARN).aggregate(t=Sum("points"))["t"] or 0
        assert account.balance == total == running == expected.balance[m]
        assert account.earned == earned == expected.earned[m]
        repeated = (
            PointEntry.objects.filter(account=account)
            .values("kind", "source", "source_id")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
        assert not repeated.exists()
    for r, reward in enumerate(world["rewards"]):
        reward.refresh_from_db()
        assert reward.stock == expected.stock[r]
    for exchange in Exchange.objects.all():
        spends = PointEntry.objects.filter(kind=EntryKind.SPEND, source="exchange", source_id=exchange.pk)
        assert (exchange.state == ExchangeState.APPROVED) == (exchange.pk in expected.approved)
        assert [entry.points for entry in spends] == ([-exchange.cost] if exchange.pk in expected.approved else [])


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_whatever_happens_every_balance_is_the_sum_of_its_ledger(tree: CityTree, ops: list[tuple[Any, ...]]) -> None:
    staff = User.objects.filter(username="community").first() or community_staff(tree)
    with transaction.atomic():  # each example starts from the same empty ledger
        make_rule(points=PER_HOUR)
        world = {
            "staff": staff,
            "members": [make_member(community=tree.community, name=name) for name in ("甲党员", "乙党员")],
            "rewards": [
                make_reward(place=tree.community if i == 0 else tree.street, name=f"奖品{i}", cost=cost, stock=stock)
                for i, (cost, stock) in enumerate(zip(COSTS, STOCKS, strict=True))
            ],
            "exchanges": [],
        }
        expected = Expected()
        opening = [("earn", 0, 100, Decimal(8)), ("earn", 1, 100, Decimal(5))]  # 56 and 35 points to spend
        for op in [*opening, *ops]:
            _apply(op, world=world, expected=expected)
        _check_every_account(world, expected)
        event(f"approved: {len(expected.approved)}")
        event(f"exchanges: {min(len(world['exchanges']), 3)}")
        transaction.set_rollback(True)
