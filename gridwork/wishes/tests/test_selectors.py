"""Reading wishes on a fixed clock: a published wish unclaimed for more than ``stale_days`` is marked and comes first
in the staff list and in a member's lists; the staff list is narrowed to the user's units; a member sees their own
community's open wishes first, then their street's, and nothing of another street."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404

from gridwork.party.selectors import member_registration_of
from gridwork.wishes import services
from gridwork.wishes.models import WishSettings
from gridwork.wishes.selectors import (
    member_open_wishes,
    member_wish_get,
    posted_wish_get,
    unit_open_wishes,
    wish_get,
    wish_list,
    wish_timeline,
)
from gridwork.wishes.tests.factories import WishWorld, at, claimed, post, published

pytestmark = pytest.mark.django_db

T0 = at("2026-05-01 09:00")


def test_a_wish_is_stale_after_more_than_the_days_set(world: WishWorld) -> None:
    WishSettings.objects.update_or_create(pk=1, defaults={"stale_days": 7})
    wish = published(world, now=T0)

    def stale(now_: object) -> bool:
        return bool(wish_list(user=world.staff, now=now_).get(pk=wish.pk).stale)  # type: ignore[arg-type]

    assert not stale(T0 + timedelta(days=7))
    assert stale(T0 + timedelta(days=7, minutes=1))
    WishSettings.objects.filter(pk=1).update(stale_days=10)
    assert not stale(T0 + timedelta(days=8))


def test_stale_wishes_come_first_and_only_published_ones_age(world: WishWorld) -> None:
    old = published(world, now=T0, title="旧的心愿")
    taken = claimed(world, now=T0, title="早被认领")
    submitted = post(world, now=T0, title="还在审核")
    fresh_one = published(world, now=T0 + timedelta(days=9), title="新的心愿")
    now = T0 + timedelta(days=10)

    listed = list(wish_list(user=world.staff, now=now))
    assert listed[0] == old
    assert {wish.pk: wish.stale for wish in listed} == {  # type: ignore[attr-defined]
        old.pk: True,
        taken.pk: False,
        submitted.pk: False,
        fresh_one.pk: False,
    }
    assert list(wish_list(user=world.staff, stale_only=True, now=now)) == [old]

    member = member_registration_of(world.member)
    assert member is not None
    own, rest = member_open_wishes(member=member, now=now)
    assert [wish.title for wish in own] == ["旧的心愿", "新的心愿"]
    assert rest == []
    assert own[0].stale  # type: ignore[attr-defined]


def test_a_released_wish_ages_again_from_its_release(world: WishWorld) -> None:
    wish = claimed(world, now=T0)
    services.wish_release(actor=world.member, wish=wish, reason="来不及", now=T0 + timedelta(days=20))
    assert not wish_list(user=world.staff, now=T0 + timedelta(days=21)).get(pk=wish.pk).stale  # type: ignore[attr-defined]
    assert wish_list(user=world.staff, now=T0 + timedelta(days=28)).get(pk=wish.pk).stale  # type: ignore[attr-defined]


def test_the_staff_list_is_narrowed_to_their_units(world: WishWorld) -> None:
    here = published(world)
    there = post(world, actor=world.other_resident, community=world.tree.community2, building=world.building2)
    assert set(wish_list(user=world.staff)) == {here}
    assert set(wish_list(user=world.staff2)) == {there}
    assert set(wish_list(user=world.street_staff)) == {here, there}
    assert set(wish_list(user=world.grid_worker)) == {here}  # the building of ``here`` lies in the worker's grid
    with pytest.raises(Http404):
        wish_get(user=world.staff2, pk=here.pk)
    with pytest.raises(Http404):
        wish_get(user=world.resident, pk=here.pk)


def test_a_member_sees_their_community_first_then_their_street_only(world: WishWorld) -> None:
    here = published(world, title="本社区")
    there = post(world, actor=world.other_resident, community=world.tree.community2, building=world.building2)
    there = services.wish_review(actor=world.staff2, wish=there, publish=True, reason="", expected_version=1)
    far = post(world, actor=world.other_resident, community=world.far_community, building=world.far_building)
    member = member_registration_of(world.member)
    assert member is not None
    own, rest = member_open_wishes(member=member)
    assert (own, rest) == ([here], [there])
    member_wish_get(member=member, pk=there.pk)
    with pytest.raises(Http404):
        member_wish_get(member=member, pk=far.pk)  # another street, and not even published


def test_a_member_sees_a_wish_claimed_by_someone_else_no_more(world: WishWorld) -> None:
    wish = claimed(world, by=world.member2)
    member = member_registration_of(world.member)
    assert member is not None
    with pytest.raises(Http404):
        member_wish_get(member=member, pk=wish.pk)
    member2 = member_registration_of(world.member2)
    assert member2 is not None
    assert member_wish_get(member=member2, pk=wish.pk) == wish


def test_a_unit_sees_the_open_wishes_of_the_communities_it_is_registered_with(world: WishWorld) -> None:
    here = published(world)
    there = post(world, actor=world.other_resident, community=world.tree.community2, building=world.building2)
    services.wish_review(actor=world.staff2, wish=there, publish=True, reason="", expected_version=1)
    assert list(unit_open_wishes(user=world.unit_user)) == [here]
    assert list(unit_open_wishes(user=world.member)) == []


def test_only_the_poster_reads_their_wish(world: WishWorld) -> None:
    wish = post(world)
    assert posted_wish_get(user=world.resident, pk=wish.pk) == wish
    with pytest.raises(Http404):
        posted_wish_get(user=world.other_resident, pk=wish.pk)


def test_the_poster_sees_the_claimant_masked_and_staff_by_community(world: WishWorld) -> None:
    wish = claimed(world)
    timeline = wish_timeline(wish=wish, audience="poster")
    assert [entry.who for entry in timeline] == ["You", "春晖社区 staff", "李*华"]
    staff_view = wish_timeline(wish=wish, audience="staff", unmasked=True)
    assert [entry.who for entry in staff_view] == ["张桂兰", "社区小刘", "李明华"]
