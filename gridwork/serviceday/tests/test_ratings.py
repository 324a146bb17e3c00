"""Residents rate the items after the service day: once each (the database refuses a second rating), only residents
of the community who are verified or gave an opinion (or its registered members), never a volunteer of the item,
never staff, only while the cycle evaluates; the stars checked."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from gridwork.accounts.tests.factories import make_resident_user
from gridwork.places.tests.factories import CityTree
from gridwork.serviceday.models import CycleState, Item, ItemRating, ServiceCycle
from gridwork.serviceday.services.opinions import opinion_submit
from gridwork.serviceday.services.ratings import item_rate, rating_refusal
from gridwork.serviceday.tests.factories import (
    MONTH,
    YEAR,
    at,
    community_staff,
    cycle_at,
    registered_member,
    verified_resident,
)

pytestmark = pytest.mark.django_db
RATING_DAY = at(date(2026, 4, 7))


def _evaluating(tree: CityTree) -> tuple[ServiceCycle, Item]:
    cycle = cycle_at(tree.community, community_staff(tree.community), CycleState.EVALUATE)
    return cycle, Item.objects.get(cycle=cycle)


def test_a_verified_resident_rates_once_and_a_second_rating_is_refused(tree: CityTree) -> None:
    _cycle, item = _evaluating(tree)
    resident = verified_resident(tree.community)
    rating = item_rate(actor=resident, item=item, stars=5, comment="医生很耐心", at=RATING_DAY)
    assert (rating.stars, rating.comment) == (5, "医生很耐心")
    with pytest.raises(ValidationError, match="already rated"):
        item_rate(actor=resident, item=item, stars=1, at=RATING_DAY)
    assert list(ItemRating.objects.values_list("stars", flat=True)) == [5]
    with pytest.raises(IntegrityError), transaction.atomic():  # the database itself refuses it
        ItemRating.objects.create(item=item, user=resident, stars=2, rated_at=RATING_DAY)


def test_someone_who_gave_an_opinion_from_their_account_may_rate_without_being_verified(tree: CityTree) -> None:
    staff = community_staff(tree.community)
    giver = make_resident_user(phone="13600000001")
    opinion_submit(user=giver, community=tree.community, topic="health", text="义诊", at=at(date(YEAR, MONTH, 5)))
    cycle = cycle_at(tree.community, staff, CycleState.EVALUATE)
    item = Item.objects.get(cycle=cycle)
    assert rating_refusal(user=giver, item=item) == ""
    item_rate(actor=giver, item=item, stars=4, at=RATING_DAY)


def test_a_registered_member_of_the_community_may_rate_but_not_the_item_they_helped_with(tree: CityTree) -> None:
    _cycle, item = _evaluating(tree)
    member = registered_member(tree.community)
    item_rate(actor=member.user, item=item, stars=5, at=RATING_DAY)
    volunteer = registered_member(tree.community, name="王志愿")
    item.members.add(volunteer)
    with pytest.raises(PermissionDenied, match="You helped with this item"):
        item_rate(actor=volunteer.user, item=item, stars=5, at=RATING_DAY)


@pytest.mark.parametrize("who", ["other community", "unverified", "staff", "anonymous"])
def test_outsiders_are_refused_with_the_reason(tree: CityTree, who: str) -> None:
    _cycle, item = _evaluating(tree)
    from django.contrib.auth.models import AnonymousUser

    actor = {
        "other community": lambda: verified_resident(tree.community2),
        "unverified": lambda: make_resident_user(phone="13600000002"),
        "staff": lambda: community_staff(tree.community),
        "anonymous": AnonymousUser,
    }[who]()
    with pytest.raises(PermissionDenied) as refused:
        item_rate(actor=actor, item=item, stars=5, at=RATING_DAY)
    assert str(refused.value)
    assert not ItemRating.objects.exists()


@pytest.mark.parametrize("state", [CycleState.SERVE, CycleState.SUMMARY])
def test_ratings_are_open_only_while_the_cycle_evaluates(tree: CityTree, state: str) -> None:
    cycle = cycle_at(tree.community, community_staff(tree.community), state)
    item = Item.objects.get(cycle=cycle)
    with pytest.raises(PermissionDenied, match="Ratings are open after the service day"):
        item_rate(actor=verified_resident(tree.community), item=item, stars=5, at=RATING_DAY)


@pytest.mark.parametrize("stars", [None, 0, 6, -1])
def test_the_stars_are_from_one_to_five(tree: CityTree, stars: int | None) -> None:
    _cycle, item = _evaluating(tree)
    with pytest.raises(ValidationError) as refused:
        item_rate(actor=verified_resident(tree.community), item=item, stars=stars, at=RATING_DAY)
    assert "stars" in refused.value.message_dict
    assert not ItemRating.objects.exists()


def test_ratings_are_append_only(tree: CityTree) -> None:
    _cycle, item = _evaluating(tree)
    rating = item_rate(actor=verified_resident(tree.community), item=item, stars=3, at=RATING_DAY)
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        ItemRating.objects.filter(pk=rating.pk).update(stars=5)
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        ItemRating.objects.filter(pk=rating.pk).delete()
