"""An activity for the organiser's party members (a 支委会, a branch's 主题党日) is internal: the public pages show it
only to those it is for and to anyone already signed up; everyone else — anonymous visitors, residents, members of
another community — neither finds it in the community's list nor opens it by its number (404)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.activities.models import Activity, ActivityKind, Audience
from gridwork.activities.tests.factories import ActivityWorld, activity_world, make_activity, soon
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> ActivityWorld:
    return activity_world(tree)


def _client(user: User | None = None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def _internal(world: ActivityWorld) -> Activity:
    return make_activity(
        world,
        starts_at=soon(2),
        at=timezone.now(),
        kind=ActivityKind.BRANCH_COMMITTEE_MEETING,
        title="支委会：研究发展党员工作",
        organiser=world.branch,
        audience=Audience.PARTY_MEMBERS,
    )


def _lists(user: User | None, world: ActivityWorld, activity: Activity) -> bool:
    page = _client(user).get(reverse("activities_public:list"), {"community": world.tree.community.code})
    assert page.status_code == 200
    return activity.title in page.content.decode()


def _opens(user: User | None, activity: Activity) -> int:
    return _client(user).get(reverse("activities_public:detail", args=[activity.pk])).status_code


def test_an_internal_meeting_is_hidden_from_those_it_is_not_for(world: ActivityWorld) -> None:
    activity = _internal(world)
    for outsider in (None, world.resident, world.member2, world.outsider):
        assert not _lists(outsider, world, activity)
        assert _opens(outsider, activity) == 404


def test_the_party_members_it_is_for_see_it(world: ActivityWorld) -> None:
    activity = _internal(world)
    for member in (world.party_member, world.member):  # on the branch's roll; registered (双报到) in the community
        assert _lists(member, world, activity)
        assert _opens(member, activity) == 200


def test_a_community_event_stays_public(world: ActivityWorld) -> None:
    activity = make_activity(world, starts_at=soon(2), at=timezone.now(), audience=Audience.COMMUNITY)
    assert _lists(None, world, activity)
    assert _opens(world.member2, activity) == 200
