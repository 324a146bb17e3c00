"""The rewards catalogue (``rewards``): made, edited and withdrawn by staff over the reward's place; seen by the
members of the communities under it; an edit never overwrites a stock taken meanwhile."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from gridwork.audit.models import AuditEvent
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree
from gridwork.points import exchanges
from gridwork.points.models import ExchangeState, Reward
from gridwork.points.rewards import reward_create, reward_update, reward_withdraw
from gridwork.points.selectors import reward_list, rewards_for_member
from gridwork.points.tests.factories import (
    community2_staff,
    community_staff,
    give_points,
    make_member,
    make_reward,
    street_staff,
)

pytestmark = pytest.mark.django_db


def _create(actor: object, place: Place, **values: object) -> Reward:
    options: dict[str, object] = {"name": "电影票两张", "description": "", "cost": 80, "stock": 5, **values}
    return reward_create(actor=actor, place=place, **options)  # type: ignore[arg-type]


def test_community_and_street_staff_offer_rewards_of_their_own_places(tree: CityTree) -> None:
    community = community_staff(tree)
    street = street_staff(tree)
    own = _create(community, tree.community)
    streetwide = _create(street, tree.street, stock=None)
    child = _create(street, tree.community2)
    assert [(r.place, r.stock, r.active) for r in (own, streetwide, child)] == [
        (tree.community, 5, True),
        (tree.street, None, True),
        (tree.community2, 5, True),
    ]
    assert AuditEvent.objects.filter(action="reward.create").count() == 3


def test_nobody_offers_rewards_for_a_place_outside_their_posts_or_below_a_community(tree: CityTree) -> None:
    community = community_staff(tree)
    with pytest.raises(PermissionDenied):
        _create(community, tree.community2)
    with pytest.raises(PermissionDenied):
        _create(community, tree.street)
    with pytest.raises(ValidationError) as refused:
        _create(community, tree.grid)
    assert "place" in refused.value.message_dict
    assert not Reward.objects.exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [({"name": " "}, "name"), ({"cost": 0}, "cost"), ({"stock": -1}, "stock"), ({"name": "奖" * 81}, "name")],
)
def test_bad_values_are_refused_field_by_field(tree: CityTree, values: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        _create(community_staff(tree), tree.community, **values)
    assert field in refused.value.message_dict


def test_an_edit_saves_only_if_the_stock_is_still_what_the_page_showed(tree: CityTree) -> None:
    staff = community_staff(tree)
    reward = make_reward(place=tree.community, stock=3)
    Reward.objects.filter(pk=reward.pk).update(stock=2)  # an approval took one meanwhile
    with pytest.raises(ValidationError) as refused:
        reward_update(actor=staff, reward=reward, name="新名字", cost=60, stock=10, stock_was=3)
    assert "2" in refused.value.message_dict["stock"][0]
    reward.refresh_from_db()
    assert (reward.name, reward.stock) == ("洗衣液一瓶", 2)
    reward_update(actor=staff, reward=reward, name="新名字", cost=60, stock=10, stock_was=2)
    reward.refresh_from_db()
    assert (reward.name, reward.cost, reward.stock) == ("新名字", 60, 10)
    audit = AuditEvent.objects.get(action="reward.update")
    assert audit.detail["stock"] == {"from": 2, "to": 10}


def test_another_communitys_staff_cannot_edit_or_withdraw(tree: CityTree) -> None:
    reward = make_reward(place=tree.community)
    other = community2_staff(tree)
    with pytest.raises(PermissionDenied):
        reward_update(actor=other, reward=reward, name="x", cost=1, stock=None)
    with pytest.raises(PermissionDenied):
        reward_withdraw(actor=other, reward=reward)
    reward.refresh_from_db()
    assert (reward.name, reward.active) == ("洗衣液一瓶", True)


def test_withdrawing_a_reward_rejects_its_open_requests_saying_why(tree: CityTree) -> None:
    staff = community_staff(tree)
    member = make_member(community=tree.community)
    give_points(member, 100)
    reward = make_reward(place=tree.community, cost=30)
    waiting = exchanges.exchange_request(actor=member.user, member=member, reward=reward)
    reward_withdraw(actor=staff, reward=reward)
    waiting.refresh_from_db()
    reward.refresh_from_db()
    assert not reward.active
    assert waiting.state == ExchangeState.REJECTED
    assert "no longer offered" in waiting.reason
    with pytest.raises(ValidationError):
        exchanges.exchange_request(actor=member.user, member=member, reward=reward)
    with pytest.raises(ValidationError):
        reward_update(actor=staff, reward=reward, name="x", cost=1, stock=None)


def test_a_member_sees_the_rewards_of_their_community_and_the_places_above_it_only(tree: CityTree) -> None:
    member = make_member(community=tree.community)
    seen = [
        make_reward(place=tree.community, name="社区", cost=1),
        make_reward(place=tree.street, name="街道", cost=2),
        make_reward(place=tree.district, name="区", cost=3),
        make_reward(place=tree.city, name="市", cost=4),
    ]
    make_reward(place=tree.community2, name="兄弟社区")
    make_reward(place=tree.street2, name="兄弟街道")
    make_reward(place=tree.district2, name="兄弟区")
    make_reward(place=tree.community, name="已下架", active=False)
    assert list(rewards_for_member(member=member)) == seen


def test_staff_list_their_own_rewards_and_read_those_offered_from_above(tree: CityTree) -> None:
    own = make_reward(place=tree.community, name="本社区")
    above = make_reward(place=tree.street, name="街道的")
    sibling = make_reward(place=tree.community2, name="兄弟社区")
    rewards = {reward.pk: reward for reward in reward_list(user=community_staff(tree))}
    assert set(rewards) == {own.pk, above.pk}
    assert (rewards[own.pk].may_manage, rewards[own.pk].from_above) == (True, False)  # type: ignore[attr-defined]
    assert (rewards[above.pk].may_manage, rewards[above.pk].from_above) == (False, True)  # type: ignore[attr-defined]
    assert {reward.pk for reward in reward_list(user=community2_staff(tree))} == {sibling.pk, above.pk}


# --- pages ----------------------------------------------------------------------------------------------------------


def _client(user: object) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # the messages checked are the English ones
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_rewards_page_links_own_rewards_only(tree: CityTree) -> None:
    own = make_reward(place=tree.community, name="本社区")
    above = make_reward(place=tree.street, name="街道的")
    sibling = make_reward(place=tree.community2, name="兄弟社区")
    page = _client(community_staff(tree)).get(reverse("points:reward-list")).content.decode()
    assert reverse("points:reward-edit", args=[own.pk]) in page
    assert "街道的" in page
    assert reverse("points:reward-edit", args=[above.pk]) not in page
    assert "兄弟社区" not in page
    assert reverse("points:reward-edit", args=[sibling.pk]) not in page


def test_create_edit_and_withdraw_through_the_pages(tree: CityTree) -> None:
    client = _client(community_staff(tree))
    form = client.get(reverse("points:reward-create")).content.decode()
    assert f'value="{tree.community.code}" selected' in form  # the one place this user may offer from
    assert tree.community2.code not in form
    response = client.post(
        reverse("points:reward-create"),
        {"place": tree.community.code, "name": "理发券", "cost": "30", "stock": "", "description": "社区理发店"},
    )
    assert response.status_code == 302
    reward = Reward.objects.get()
    assert (reward.name, reward.stock, reward.place) == ("理发券", None, tree.community)
    edit = reverse("points:reward-edit", args=[reward.pk])
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"name": "理发券", "cost": "35", "stock": "8", "stock_was": ""})
    assert response.status_code == 302
    reward.refresh_from_db()
    assert (reward.cost, reward.stock) == (35, 8)
    stale = client.post(edit, {"name": "理发券", "cost": "35", "stock": "20", "stock_was": "9"})
    assert stale.status_code == 400
    assert 'data-testid="error-stock"' in stale.content.decode()
    assert 'name="stock_was" value="8"' in stale.content.decode()  # a second save now goes through
    assert client.post(reverse("points:reward-withdraw", args=[reward.pk])).status_code == 302
    reward.refresh_from_db()
    assert not reward.active


def test_a_post_for_a_place_outside_ones_posts_saves_nothing(tree: CityTree) -> None:
    client = _client(community_staff(tree))
    response = client.post(reverse("points:reward-create"), {"place": tree.community2.code, "name": "x", "cost": "3"})
    assert response.status_code == 400
    assert not Reward.objects.exists()


def test_another_communitys_reward_is_not_found_on_the_edit_and_withdraw_pages(tree: CityTree) -> None:
    reward = make_reward(place=tree.community)
    client = _client(community2_staff(tree))
    assert client.get(reverse("points:reward-edit", args=[reward.pk])).status_code == 404
    response = client.post(reverse("points:reward-edit", args=[reward.pk]), {"name": "x", "cost": "1"})
    assert response.status_code == 404
    assert client.post(reverse("points:reward-withdraw", args=[reward.pk])).status_code == 404
    reward.refresh_from_db()
    assert (reward.name, reward.active) == ("洗衣液一瓶", True)
