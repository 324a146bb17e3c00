"""Exchanges (``exchanges``): the member asks only for themselves and only for what they may have; approval spends
the points and takes one from the stock in one transaction, or saves nothing and says why; reject with a reason;
withdraw by the member."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridwork.common.flows import MoveRefused, StaleState
from gridwork.party.models import MemberRegistration, RegistrationState
from gridwork.places.tests.factories import CityTree
from gridwork.points.exchanges import (
    ExchangeRefused,
    exchange_approve,
    exchange_reject,
    exchange_request,
    exchange_withdraw,
)
from gridwork.points.models import EntryKind, Exchange, ExchangeEvent, ExchangeState, PointEntry, Reward
from gridwork.points.services import Source, point_account_of, points_spend
from gridwork.points.tests.factories import (
    community2_staff,
    community_staff,
    give_points,
    grid_worker,
    make_member,
    make_reward,
    street_staff,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(tree: CityTree) -> MemberRegistration:
    member = make_member(community=tree.community)
    give_points(member, 100)
    return member


def _request(member: MemberRegistration, reward: Reward) -> Exchange:
    return exchange_request(actor=member.user, member=member, reward=reward)


def _nothing_saved(exchange: Exchange, *, balance: int, stock: int | None) -> None:
    exchange.refresh_from_db()
    assert (exchange.state, exchange.version) == (ExchangeState.REQUESTED, 1)
    assert ExchangeEvent.objects.filter(subject=exchange).count() == 1
    assert not PointEntry.objects.filter(kind=EntryKind.SPEND, source="exchange", source_id=exchange.pk).exists()
    assert point_account_of(MemberRegistration.objects.get(points__pk=exchange.account_id)).balance == balance
    assert Reward.objects.get(pk=exchange.reward_id).stock == stock


# --- asking -----------------------------------------------------------------------------------------------------------


def test_a_member_asks_and_nothing_is_spent_until_the_community_approves(
    tree: CityTree, member: MemberRegistration
) -> None:
    reward = make_reward(place=tree.street, cost=60, stock=2)
    exchange = _request(member, reward)
    assert (exchange.state, exchange.cost, exchange.version) == (ExchangeState.REQUESTED, 60, 1)
    assert exchange.events.get().actor == member.user  # type: ignore[attr-defined]
    assert point_account_of(member).balance == 100
    assert Reward.objects.get(pk=reward.pk).stock == 2


@pytest.mark.parametrize(
    ("reward_of", "message"),
    [
        (lambda tree: make_reward(place=tree.community2), "not offered to your community"),
        (lambda tree: make_reward(place=tree.street2), "not offered to your community"),
        (lambda tree: make_reward(place=tree.community, active=False), "no longer offered"),
        (lambda tree: make_reward(place=tree.community, stock=0), "out of stock"),
        (lambda tree: make_reward(place=tree.community, cost=101), "needs 101 points; the balance is 100"),
    ],
)
def test_a_request_the_member_cannot_have_is_refused_saying_why(
    tree: CityTree, member: MemberRegistration, reward_of: object, message: str
) -> None:
    reward = reward_of(tree)  # type: ignore[operator]
    with pytest.raises(ValidationError) as refused:
        _request(member, reward)
    assert message in refused.value.message_dict["reward"][0]
    assert not Exchange.objects.exists()


def test_asking_twice_for_one_reward_while_the_first_waits_is_refused(
    tree: CityTree, member: MemberRegistration
) -> None:
    reward = make_reward(place=tree.community, cost=10)
    first = _request(member, reward)
    with pytest.raises(ValidationError):
        _request(member, reward)
    exchange_withdraw(actor=member.user, exchange=first)
    _request(member, reward)
    assert Exchange.objects.count() == 2


def test_nobody_asks_for_another_member(tree: CityTree, member: MemberRegistration) -> None:
    other = make_member(community=tree.community, name="李四")
    reward = make_reward(place=tree.community, cost=10)
    with pytest.raises(PermissionDenied):
        exchange_request(actor=other.user, member=member, reward=reward)
    with pytest.raises(PermissionDenied):
        exchange_request(actor=community_staff(tree), member=member, reward=reward)
    assert not Exchange.objects.exists()


def test_a_member_whose_registration_is_not_confirmed_cannot_ask(tree: CityTree) -> None:
    pending = make_member(community=tree.community, state=RegistrationState.PENDING)
    with pytest.raises(PermissionDenied):
        _request(pending, make_reward(place=tree.community, cost=1))


# --- approving --------------------------------------------------------------------------------------------------------


def test_approval_spends_the_points_and_takes_one_from_the_stock_in_one_go(
    tree: CityTree, member: MemberRegistration
) -> None:
    staff = community_staff(tree)
    reward = make_reward(place=tree.community, cost=60, stock=2)
    exchange = _request(member, reward)
    exchange_approve(actor=staff, exchange=exchange, expected_version=1)
    exchange.refresh_from_db()
    assert (exchange.state, exchange.version) == (ExchangeState.APPROVED, 2)
    spend = PointEntry.objects.get(kind=EntryKind.SPEND)
    assert (spend.points, spend.balance_after, spend.source, spend.source_id, spend.actor) == (
        -60,
        40,
        "exchange",
        exchange.pk,
        staff,
    )
    assert Reward.objects.get(pk=reward.pk).stock == 1
    assert [e.action for e in ExchangeEvent.objects.filter(subject=exchange).order_by("sequence")] == [
        "create",
        "approve",
    ]


def test_an_unlimited_reward_stays_unlimited(tree: CityTree, member: MemberRegistration) -> None:
    reward = make_reward(place=tree.city, cost=10, stock=None)
    exchange_approve(actor=street_staff(tree), exchange=_request(member, reward), expected_version=1)
    assert Reward.objects.get(pk=reward.pk).stock is None
    assert point_account_of(member).balance == 90


def test_points_spent_elsewhere_meanwhile_refuse_the_approval_and_nothing_is_saved(
    tree: CityTree, member: MemberRegistration
) -> None:
    reward = make_reward(place=tree.community, cost=60, stock=2)
    exchange = _request(member, reward)
    points_spend(member=member, points=50, source=Source("exchange", 999_999), actor=None)
    with pytest.raises(ExchangeRefused, match="needs 60 points; the balance is 50"):
        exchange_approve(actor=community_staff(tree), exchange=exchange, expected_version=1)
    assert (exchange.state, exchange.version) == (ExchangeState.REQUESTED, 1)  # the caller's copy is not moved
    _nothing_saved(exchange, balance=50, stock=2)


def test_an_empty_stock_refuses_the_approval_and_nothing_is_saved(tree: CityTree, member: MemberRegistration) -> None:
    reward = make_reward(place=tree.community, cost=10, stock=1)
    exchange = _request(member, reward)
    Reward.objects.filter(pk=reward.pk).update(stock=0)
    with pytest.raises(ExchangeRefused, match="out of stock"):
        exchange_approve(actor=community_staff(tree), exchange=exchange, expected_version=1)
    _nothing_saved(exchange, balance=100, stock=0)


def test_a_member_who_left_the_community_is_refused_and_can_be_rejected(
    tree: CityTree, member: MemberRegistration
) -> None:
    staff = community_staff(tree)
    exchange = _request(member, make_reward(place=tree.community, cost=10))
    MemberRegistration.objects.filter(pk=member.pk).update(state=RegistrationState.WITHDRAWN)
    with pytest.raises(ExchangeRefused, match="no longer registered"):
        exchange_approve(actor=staff, exchange=exchange, expected_version=1)
    _nothing_saved(exchange, balance=100, stock=10)
    exchange_reject(actor=staff, exchange=exchange, reason="已不在本社区", expected_version=1)


def test_a_stale_page_or_a_second_decision_is_refused(tree: CityTree, member: MemberRegistration) -> None:
    staff = community_staff(tree)
    exchange = _request(member, make_reward(place=tree.community, cost=10))
    copy = Exchange.objects.get(pk=exchange.pk)
    with pytest.raises(StaleState):
        exchange_approve(actor=staff, exchange=exchange, expected_version=0)
    exchange_approve(actor=staff, exchange=exchange, expected_version=1)
    with pytest.raises(StaleState):  # a colleague's page, loaded before the approval
        exchange_reject(actor=staff, exchange=copy, reason="重复", expected_version=1)
    with pytest.raises(MoveRefused):
        exchange_approve(actor=staff, exchange=exchange, expected_version=exchange.version)
    assert PointEntry.objects.filter(kind=EntryKind.SPEND).count() == 1
    assert point_account_of(member).balance == 90


@pytest.mark.parametrize("decider", [community2_staff, grid_worker])
def test_staff_without_management_of_the_members_community_cannot_decide(
    tree: CityTree, member: MemberRegistration, decider: object
) -> None:
    exchange = _request(member, make_reward(place=tree.street, cost=10))
    user = decider(tree)  # type: ignore[operator]
    with pytest.raises(PermissionDenied):
        exchange_approve(actor=user, exchange=exchange, expected_version=1)
    with pytest.raises(PermissionDenied):
        exchange_reject(actor=user, exchange=exchange, reason="不行", expected_version=1)
    _nothing_saved(exchange, balance=100, stock=10)


# --- rejecting and withdrawing ----------------------------------------------------------------------------------------


def test_a_rejection_needs_a_reason_and_the_member_reads_it(tree: CityTree, member: MemberRegistration) -> None:
    staff = community_staff(tree)
    exchange = _request(member, make_reward(place=tree.community, cost=10))
    with pytest.raises(ValidationError) as refused:
        exchange_reject(actor=staff, exchange=exchange, reason="  ", expected_version=1)
    assert "reason" in refused.value.message_dict
    exchange_reject(actor=staff, exchange=exchange, reason="本月名额已满", expected_version=1)
    exchange.refresh_from_db()
    assert (exchange.state, exchange.reason) == (ExchangeState.REJECTED, "本月名额已满")
    assert ExchangeEvent.objects.get(subject=exchange, action="reject").note == "本月名额已满"
    assert point_account_of(member).balance == 100


def test_only_the_member_withdraws_their_request_and_only_while_it_waits(
    tree: CityTree, member: MemberRegistration
) -> None:
    exchange = _request(member, make_reward(place=tree.community, cost=10))
    other = make_member(community=tree.community, name="李四")
    with pytest.raises(PermissionDenied):
        exchange_withdraw(actor=other.user, exchange=exchange)
    with pytest.raises(PermissionDenied):
        exchange_withdraw(actor=community_staff(tree), exchange=exchange)
    exchange_withdraw(actor=member.user, exchange=exchange, expected_version=1)
    assert Exchange.objects.get(pk=exchange.pk).state == ExchangeState.WITHDRAWN
    with pytest.raises(MoveRefused):
        exchange_approve(actor=community_staff(tree, username="c2"), exchange=exchange, expected_version=2)
