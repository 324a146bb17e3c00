"""A member's points pages (/member/points/): only the member's own account, rewards offered to their community,
requests always made for the signed-in member whatever the form says, another member's request not found."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gridwork.accounts.tests.factories import make_resident_user
from gridwork.party.models import MemberRegistration, RegistrationState
from gridwork.places.tests.factories import CityTree
from gridwork.points.exchanges import exchange_approve, exchange_reject, exchange_request
from gridwork.points.models import Exchange, ExchangeState, PointBasis
from gridwork.points.services import Source, points_earn
from gridwork.points.tests.factories import community_staff, give_points, make_member, make_reward, make_rule

pytestmark = pytest.mark.django_db


def _client(member: MemberRegistration) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # the messages checked are the English ones
    client.force_login(member.user)
    return client


@pytest.fixture
def member(tree: CityTree) -> MemberRegistration:
    return make_member(community=tree.community, name="王红")


def test_someone_without_a_confirmed_registration_is_sent_to_register(tree: CityTree) -> None:
    pending = make_member(community=tree.community, state=RegistrationState.PENDING)
    for client in (_client(pending), Client()):
        response = client.get(reverse("member_points:home"))
        assert response.status_code == 302
    resident = Client()
    resident.force_login(make_resident_user(phone="13600000001"))
    response = resident.get(reverse("member_points:rewards"))
    assert response.status_code == 302
    assert response["Location"] == reverse("member:register")


def test_the_points_page_shows_balance_earned_and_the_ledger_newest_first(
    tree: CityTree, member: MemberRegistration
) -> None:
    make_rule(points=10)
    for order in range(1, 26):
        points_earn(
            member=member,
            basis=PointBasis.SERVICE_HOUR,
            quantity=1,
            source=Source("order", order),
            actor=None,
            note=f"服务{order:02d}",
        )
    reward = make_reward(place=tree.community, cost=40)
    exchange_approve(
        actor=community_staff(tree),
        exchange=exchange_request(actor=member.user, member=member, reward=reward),
        expected_version=1,
    )
    client = _client(member)
    page = client.get(reverse("member_points:home")).content.decode()
    assert 'data-testid="balance">210<' in page
    assert 'data-testid="earned">250<' in page
    assert page.index(reward.name) < page.index("服务25") < page.index("服务24")
    assert "服务05" not in page  # the 21st line and older are on page 2
    second = client.get(reverse("member_points:home") + "?page=2").content.decode()
    assert "服务05" in second
    assert "服务01" in second
    assert "服务25" not in second


def test_a_member_asks_for_a_reward_and_sees_the_request(tree: CityTree, member: MemberRegistration) -> None:
    give_points(member, 100)
    reward = make_reward(place=tree.street, name="保温杯", cost=60)
    client = _client(member)
    rewards = client.get(reverse("member_points:rewards")).content.decode()
    assert "保温杯" in rewards
    assert 'data-testid="affordable"' in rewards
    assert client.get(reverse("member_points:reward", args=[reward.pk])).status_code == 200
    response = client.post(reverse("member_points:reward", args=[reward.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("member_points:exchanges")
    exchange = Exchange.objects.get()
    assert exchange.account.member == member  # type: ignore[attr-defined]
    listing = client.get(reverse("member_points:exchanges")).content.decode()
    assert f'data-testid="exchange-{exchange.pk}"' in listing
    assert "保温杯" in listing


def test_a_forged_post_for_another_member_asks_for_the_signed_in_member(
    tree: CityTree, member: MemberRegistration
) -> None:
    victim = make_member(community=tree.community, name="赵六")
    give_points(member, 100)
    give_points(victim, 100)
    reward = make_reward(place=tree.community, cost=30)
    forged = {"member": victim.pk, "member_id": victim.pk, "account": victim.pk, "user": victim.user_id}
    response = _client(member).post(reverse("member_points:reward", args=[reward.pk]), forged)
    assert response.status_code == 302
    [exchange] = Exchange.objects.all()
    assert exchange.account.member_id == member.pk  # type: ignore[attr-defined]


def test_a_reward_of_another_community_is_not_found(tree: CityTree, member: MemberRegistration) -> None:
    give_points(member, 100)
    reward = make_reward(place=tree.community2, cost=10)
    client = _client(member)
    assert client.get(reverse("member_points:reward", args=[reward.pk])).status_code == 404
    assert client.post(reverse("member_points:reward", args=[reward.pk])).status_code == 404
    assert not Exchange.objects.exists()


def test_a_request_the_balance_does_not_cover_is_refused_saying_why(tree: CityTree, member: MemberRegistration) -> None:
    give_points(member, 10)
    reward = make_reward(place=tree.community, cost=30)
    client = _client(member)
    page = client.get(reverse("member_points:reward", args=[reward.pk])).content.decode()
    assert 'data-testid="request"' not in page  # no button; a forged post is refused all the same
    response = client.post(reverse("member_points:reward", args=[reward.pk]))
    assert response.status_code == 400
    assert "needs 30 points; the balance is 10" in response.content.decode()
    assert not Exchange.objects.exists()


def test_a_member_withdraws_their_own_request_and_not_anybody_elses(tree: CityTree, member: MemberRegistration) -> None:
    other = make_member(community=tree.community, name="赵六")
    give_points(member, 100)
    give_points(other, 100)
    reward = make_reward(place=tree.community, cost=30)
    mine = exchange_request(actor=member.user, member=member, reward=reward)
    theirs = exchange_request(actor=other.user, member=other, reward=reward)
    client = _client(member)
    url = reverse("member_points:withdraw", args=[theirs.pk])
    assert client.post(url, {"expected_version": 1}).status_code == 404
    assert Exchange.objects.get(pk=theirs.pk).state == ExchangeState.REQUESTED
    assert f"exchange-{theirs.pk}" not in client.get(reverse("member_points:exchanges")).content.decode()
    response = client.post(reverse("member_points:withdraw", args=[mine.pk]), {"expected_version": 1})
    assert response.status_code == 302
    assert Exchange.objects.get(pk=mine.pk).state == ExchangeState.WITHDRAWN


def test_withdrawing_a_request_the_community_already_decided_shows_why(
    tree: CityTree, member: MemberRegistration
) -> None:
    give_points(member, 100)
    exchange = exchange_request(actor=member.user, member=member, reward=make_reward(place=tree.community, cost=30))
    exchange_reject(actor=community_staff(tree), exchange=exchange, reason="库存核对中", expected_version=1)
    response = _client(member).post(reverse("member_points:withdraw", args=[exchange.pk]), {"expected_version": 1})
    assert response.status_code == 409
    page = response.content.decode()
    assert 'data-testid="refusal"' in page
    assert "库存核对中" in page
    assert Exchange.objects.get(pk=exchange.pk).state == ExchangeState.REJECTED
