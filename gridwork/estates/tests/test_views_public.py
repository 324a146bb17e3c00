"""The public pages at /estates/: only active estates with an active committee; the members' names and roles, never
their phones; public notices only; anything else not found."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gridwork.estates import services
from gridwork.estates.tests.factories import World, committee, make_world, member
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def test_the_public_page_shows_names_and_public_notices(world: World) -> None:
    active = committee(world.community, world.estate)
    member(world.community, active, name="王主任", phone="13912345678", role="chair")
    gone = member(world.community, active, name="赵离任")
    services.member_leave(actor=world.community, member=gone)
    services.notice_publish(actor=world.community, committee=active, title="季度履职公示", body="本季度…")
    hidden = services.notice_publish(actor=world.community, committee=active, title="撤回的公示", body="x")
    services.notice_withdraw(actor=world.community, notice=hidden)
    committee(world.community, world.estate_b, elected=False)  # forming: not public

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    listing = client.get(reverse("estates_public:list"))
    assert listing.status_code == 200
    assert list(listing.context["page_obj"]) == [world.estate]

    page = client.get(reverse("estates_public:estate", args=[world.estate.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "王主任" in text
    assert "季度履职公示" in text
    assert "13912345678" not in text
    assert "139****5678" not in text
    assert "赵离任" not in text
    assert "撤回的公示" not in text
    assert client.get(reverse("estates_public:estate", args=[world.estate_b.pk])).status_code == 404
    assert client.get(reverse("estates_public:estate", args=[world.estate2.pk])).status_code == 404


def test_a_dissolved_committee_is_no_longer_public(world: World) -> None:
    active = committee(world.community, world.estate)
    services.committee_move(actor=world.community, committee=active, action="dissolve", expected_version=1)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.get(reverse("estates_public:estate", args=[world.estate.pk])).status_code == 404
