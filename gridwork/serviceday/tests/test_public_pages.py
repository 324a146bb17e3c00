"""The public pages: choose a community, the opinion form while the collection is open (400 on bad input, nothing
saved; closed after the 15th; a flood refused), the cycle's page without opinions or volunteers' names, and rating
once — a second rating, an outsider and a forged item refused."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from gridwork.accounts.tests.factories import make_resident_user
from gridwork.demo.clock import clock
from gridwork.places.tests.factories import CityTree
from gridwork.serviceday.models import CycleState, Item, ItemRating, Opinion
from gridwork.serviceday.tests.factories import (
    at,
    community_staff,
    cycle_at,
    registered_member,
    resident_unit,
    verified_resident,
)
from gridwork.serviceday.views.public import OPINIONS_PER_HOUR

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def _client(user: object = None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_home_page_lists_communities_and_leads_a_resident_home(tree: CityTree) -> None:
    response = _client().get(reverse("serviceday_public:home"))
    assert response.status_code == 200
    assert tree.community.name in response.content.decode()
    resident = verified_resident(tree.community)
    assert reverse("serviceday_public:community", args=[tree.community.code]) in (
        _client(resident).get(reverse("serviceday_public:home")).content.decode()
    )
    chosen = _client().get(reverse("serviceday_public:home"), {"community": tree.community2.code})
    assert chosen.status_code == 302
    assert _client().get(reverse("serviceday_public:home"), {"community": tree.grid.code}).status_code == 404
    assert _client().get(reverse("serviceday_public:community", args=[tree.grid.code])).status_code == 404


def test_anyone_gives_an_opinion_while_the_collection_is_open(tree: CityTree) -> None:
    url = reverse("serviceday_public:opinion", args=[tree.community.code])
    with clock(at(date(2026, 3, 10))):
        page = _client().get(reverse("serviceday_public:community", args=[tree.community.code]))
        assert 'data-testid="give-opinion"' in page.content.decode()
        assert _client().get(url).status_code == 200
        bad = _client().post(url, {"topic": "", "text": "", "phone": "not a phone"})
        assert bad.status_code == 400
        body = bad.content.decode()
        assert 'data-testid="error-topic"' in body
        assert 'data-testid="error-text"' in body
        assert not Opinion.objects.exists()
        done = _client().post(url, {"topic": "health", "text": "希望来义诊", "name": "张大妈", "phone": "13800001234"})
        assert done.status_code == 302
    opinion = Opinion.objects.get()
    assert (opinion.cycle.year, opinion.cycle.month, opinion.source) == (2026, 3, "form")
    with clock(at(date(2026, 3, 16))):
        closed = _client().post(url, {"topic": "health", "text": "晚了"})
        assert closed.status_code == 400
        assert "is closed" in closed.content.decode()
        page = _client().get(reverse("serviceday_public:community", args=[tree.community.code]))
        assert 'data-testid="collection-closed"' in page.content.decode()
    assert Opinion.objects.count() == 1


def test_a_flood_from_one_address_is_refused(tree: CityTree) -> None:
    url = reverse("serviceday_public:opinion", args=[tree.community.code])
    with clock(at(date(2026, 3, 10))):
        client = _client()
        for _ in range(OPINIONS_PER_HOUR):
            assert client.post(url, {"topic": "health", "text": "义诊"}).status_code == 302
        assert client.post(url, {"topic": "health", "text": "义诊"}).status_code == 429
    assert Opinion.objects.count() == OPINIONS_PER_HOUR


def test_the_cycle_page_shows_items_results_and_feedback_but_no_opinions_or_volunteers(tree: CityTree) -> None:
    staff = community_staff(tree.community)
    cycle = cycle_at(tree.community, staff, CycleState.SUMMARY)
    item = Item.objects.get(cycle=cycle)
    volunteer = registered_member(tree.community, name="赵志愿")
    item.members.add(volunteer)
    item.units.add(resident_unit(tree.community, "春晖小学"))
    body = _client().get(reverse("serviceday_public:cycle", args=[cycle.pk])).content.decode()
    assert "义诊1" in body
    assert "顺利完成" in body
    assert "春晖小学" in body
    assert "1 volunteer" in body
    assert "赵志愿" not in body
    assert "希望提供义诊服务" not in body  # the opinion itself
    assert 'data-testid="public-feedback"' in body
    assert 'data-testid="rating-form"' not in body  # the rating is over
    assert _client().get(reverse("serviceday_public:cycle", args=[cycle.pk + 999])).status_code == 404


def test_a_resident_rates_once_from_the_page(tree: CityTree) -> None:
    cycle = cycle_at(tree.community, community_staff(tree.community), CycleState.EVALUATE)
    item = Item.objects.get(cycle=cycle)
    resident = verified_resident(tree.community)
    client = _client(resident)
    page = client.get(reverse("serviceday_public:cycle", args=[cycle.pk])).content.decode()
    assert 'data-testid="rating-form"' in page
    url = reverse("serviceday_public:rate", args=[item.pk])
    bad = client.post(url, {f"item{item.pk}-stars": "9"})
    assert bad.status_code == 400
    assert 'data-testid="error-stars"' in bad.content.decode()
    assert client.post(url, {f"item{item.pk}-stars": "4", f"item{item.pk}-comment": "很好"}).status_code == 302
    again = client.post(url, {f"item{item.pk}-stars": "1"})
    assert again.status_code == 400
    assert list(ItemRating.objects.values_list("stars", flat=True)) == [4]
    page = client.get(reverse("serviceday_public:cycle", args=[cycle.pk])).content.decode()
    assert 'data-testid="my-rating"' in page


def test_a_second_rating_is_refused_with_a_message(tree: CityTree) -> None:
    cycle = cycle_at(tree.community, community_staff(tree.community), CycleState.EVALUATE)
    item = Item.objects.get(cycle=cycle)
    resident = verified_resident(tree.community)
    ItemRating.objects.create(item=item, user=resident, stars=5, rated_at=at(date(2026, 4, 7)))
    response = _client(resident).post(reverse("serviceday_public:rate", args=[item.pk]), {f"item{item.pk}-stars": "1"})
    assert response.status_code == 400
    assert "already rated" in response.content.decode()
    assert list(ItemRating.objects.values_list("stars", flat=True)) == [5]


def test_outsiders_cannot_rate(tree: CityTree) -> None:
    cycle = cycle_at(tree.community, community_staff(tree.community), CycleState.EVALUATE)
    item = Item.objects.get(cycle=cycle)
    url = reverse("serviceday_public:rate", args=[item.pk])
    data = {f"item{item.pk}-stars": "5"}
    assert _client().post(url, data).status_code == 302  # to sign in
    other = _client(verified_resident(tree.community2))
    page = other.get(reverse("serviceday_public:cycle", args=[cycle.pk])).content.decode()
    assert 'data-testid="rating-refusal"' in page
    refused = other.post(url, data)
    assert refused.status_code == 403
    assert "Only verified residents of" in refused.content.decode()
    assert _client(make_resident_user(phone="13600000009")).post(url, data).status_code == 403
    assert (
        _client(verified_resident(tree.community))
        .post(reverse("serviceday_public:rate", args=[item.pk + 999]), data)
        .status_code
        == 404
    )
    assert not ItemRating.objects.exists()


def test_posts_need_the_csrf_token(tree: CityTree) -> None:
    with clock(at(date(2026, 3, 10))):
        client = Client(HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=True)
        response = client.post(
            reverse("serviceday_public:opinion", args=[tree.community.code]), {"topic": "health", "text": "x"}
        )
    assert response.status_code == 403
    assert not Opinion.objects.exists()
