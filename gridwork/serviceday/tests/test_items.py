"""Items: made of the cycle's own opinions while it sorts or prepares the day, with volunteers and units of its
community and an activity of it; the service day's results from the day on; a stale page; outsiders refused."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.activities.models import Activity, ActivityKind, Audience
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree
from gridwork.serviceday.models import CycleState, Item, ItemEvent, ItemState, Opinion, Topic
from gridwork.serviceday.services.items import ItemInput, item_create, item_drop, item_edit, item_record_result
from gridwork.serviceday.tests.factories import (
    MONTH,
    YEAR,
    at,
    community_staff,
    complete,
    cycle_at,
    open_cycle,
    registered_member,
    resident_unit,
    staff_opinion,
)

pytestmark = pytest.mark.django_db
SORTING = at(date(YEAR, MONTH, 18))


def activity_of(place: Place, starts: datetime, *, community: Place | None = None) -> Activity:
    staff = community_staff(place if place.level == "community" else community or place)
    return Activity.objects.create(
        number=f"活-2026-{secrets.randbelow(10**6):06d}",
        title="便民服务日集中服务",
        kind=ActivityKind.VOLUNTEER,
        place=place,
        community=community,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        location="社区广场",
        audience=Audience.OPEN,
        checkin_token=secrets.token_urlsafe(24),
        created_by=staff,
        created_at=starts - timedelta(days=10),
    )


def _sorting(tree: CityTree) -> tuple[Any, Any]:
    staff = community_staff(tree.community)
    cycle = open_cycle(tree.community)
    complete(cycle, staff)
    cycle.refresh_from_db()
    return staff, cycle


def test_an_item_takes_up_opinions_and_names_its_helpers_and_activity(tree: CityTree) -> None:
    staff = community_staff(tree.community)
    cycle = open_cycle(tree.community)
    first, second = staff_opinion(cycle, "义诊"), staff_opinion(cycle, "量血压")
    complete(cycle, staff)
    member = registered_member(tree.community)
    unit, street_unit = resident_unit(tree.community, "春晖小学"), resident_unit(tree.street, "望江医院")
    activity = activity_of(tree.community, at(date(2026, 4, 5), 9), community=tree.community)
    item = item_create(
        actor=staff,
        cycle=cycle,
        data=ItemInput(
            title="义诊和量血压",
            topic=Topic.HEALTH,
            description="社区医生和志愿者",
            opinions=[first, second],
            members=[member],
            units=[unit, street_unit],
            activity=activity,
        ),
        at=SORTING,
    )
    assert item.state == ItemState.PLANNED
    assert set(item.opinions.all()) == {first, second}
    assert list(item.members.all()) == [member]
    assert set(item.units.all()) == {unit, street_unit}
    assert item.activity == activity
    event = ItemEvent.objects.get(subject=item)
    assert event.data["opinions"] == sorted([first.pk, second.pk])


def test_choosing_an_opinion_of_another_item_moves_it(tree: CityTree) -> None:
    staff = community_staff(tree.community)
    cycle = open_cycle(tree.community)
    opinion = staff_opinion(cycle)
    complete(cycle, staff)
    first = item_create(actor=staff, cycle=cycle, data=ItemInput("义诊", Topic.HEALTH, opinions=[opinion]), at=SORTING)
    second = item_create(actor=staff, cycle=cycle, data=ItemInput("体检", Topic.HEALTH, opinions=[opinion]), at=SORTING)
    assert Opinion.objects.get(pk=opinion.pk).item == second
    assert not first.opinions.exists()


def test_another_cycles_opinion_another_communitys_helpers_and_activity_are_refused(tree: CityTree) -> None:
    staff, cycle = _sorting(tree)
    other_cycle = open_cycle(tree.community2)
    foreign_opinion = staff_opinion(other_cycle)
    foreign_member = registered_member(tree.community2)
    foreign_unit = resident_unit(tree.street2, "临川中学")
    foreign_activity = activity_of(tree.community2, at(date(2026, 4, 5), 9), community=tree.community2)
    with pytest.raises(ValidationError) as refused:
        item_create(
            actor=staff,
            cycle=cycle,
            data=ItemInput(
                title="义诊",
                topic=Topic.HEALTH,
                opinions=[foreign_opinion],
                members=[foreign_member],
                units=[foreign_unit],
                activity=foreign_activity,
            ),
            at=SORTING,
        )
    assert set(refused.value.message_dict) == {"opinions", "members", "units", "activity"}
    assert not Item.objects.exists()
    assert Opinion.objects.get(pk=foreign_opinion.pk).item is None


def test_an_activity_long_before_or_after_the_cycle_is_refused(tree: CityTree) -> None:
    staff, cycle = _sorting(tree)
    old = activity_of(tree.community, at(date(2026, 1, 5), 9), community=tree.community)
    with pytest.raises(ValidationError) as refused:
        item_create(actor=staff, cycle=cycle, data=ItemInput("义诊", Topic.HEALTH, activity=old), at=SORTING)
    assert "activity" in refused.value.message_dict
    street_wide = activity_of(tree.street, at(date(2026, 4, 5), 9), community=None)
    with pytest.raises(ValidationError) as refused:  # the community's staff do not see the street's activities
        item_create(actor=staff, cycle=cycle, data=ItemInput("义诊", Topic.HEALTH, activity=street_wide), at=SORTING)
    assert "activity" in refused.value.message_dict
    street = make_staff(role=Role.STREET_STAFF, place=tree.street, username="street")
    item = item_create(
        actor=street, cycle=cycle, data=ItemInput("义诊", Topic.HEALTH, activity=street_wide), at=SORTING
    )
    assert item.activity == street_wide


def test_bad_input_is_refused_on_its_fields(tree: CityTree) -> None:
    staff, cycle = _sorting(tree)
    with pytest.raises(ValidationError) as refused:
        item_create(actor=staff, cycle=cycle, data=ItemInput(" ", "weather", description="x" * 2001), at=SORTING)
    assert set(refused.value.message_dict) == {"title", "topic", "description"}
    assert not Item.objects.exists()


def test_items_are_made_only_while_sorting_or_preparing_and_only_by_the_communitys_staff(tree: CityTree) -> None:
    staff = community_staff(tree.community)
    cycle = open_cycle(tree.community)
    with pytest.raises(ValidationError, match="while the cycle sorts"):
        item_create(actor=staff, cycle=cycle, data=ItemInput("义诊", Topic.HEALTH), at=SORTING)
    complete(cycle, staff)
    with pytest.raises(PermissionDenied):
        item_create(actor=community_staff(tree.community2), cycle=cycle, data=ItemInput("义诊", Topic.HEALTH))
    assert not Item.objects.exists()


def test_edit_and_drop_a_planned_item_with_the_version_of_the_page(tree: CityTree) -> None:
    staff = community_staff(tree.community)
    cycle = open_cycle(tree.community)
    opinion = staff_opinion(cycle)
    complete(cycle, staff)
    item = item_create(actor=staff, cycle=cycle, data=ItemInput("义诊", Topic.HEALTH, opinions=[opinion]), at=SORTING)
    page_version = item.version
    item_edit(
        actor=staff,
        item=item,
        expected_version=page_version,
        data=ItemInput("义诊和理发", Topic.CONVENIENCE),
        at=SORTING,
    )
    item.refresh_from_db()
    assert (item.title, item.topic, item.version) == ("义诊和理发", Topic.CONVENIENCE, 2)
    assert Opinion.objects.get(pk=opinion.pk).item is None
    with pytest.raises(StaleState):
        item_edit(actor=staff, item=item, expected_version=page_version, data=ItemInput("旧页面", Topic.HEALTH))
    with pytest.raises(ValidationError):
        item_drop(actor=staff, item=item, expected_version=item.version, reason=" ")
    item_drop(actor=staff, item=item, expected_version=item.version, reason="无人报名", at=SORTING)
    item.refresh_from_db()
    assert item.state == ItemState.DROPPED
    with pytest.raises(MoveRefused):
        item_edit(actor=staff, item=item, expected_version=item.version, data=ItemInput("复活", Topic.HEALTH))


def test_results_are_recorded_from_the_service_day_not_before(tree: CityTree) -> None:
    staff = community_staff(tree.community)
    cycle = cycle_at(tree.community, staff, CycleState.SERVE, items=2)
    first, second = Item.objects.filter(cycle=cycle).order_by("id")
    with pytest.raises(ValidationError, match="from the service day"):
        item_record_result(actor=staff, item=first, expected_version=first.version, done=True, at=at(date(2026, 4, 4)))
    item_record_result(actor=staff, item=first, expected_version=first.version, done=True, at=at(date(2026, 4, 5)))
    with pytest.raises(ValidationError) as refused:
        item_record_result(
            actor=staff, item=second, expected_version=second.version, done=False, note="", at=at(date(2026, 4, 5))
        )
    assert "note" in refused.value.message_dict
    item_record_result(
        actor=staff,
        item=second,
        expected_version=second.version,
        done=False,
        note="医生临时有事，改到下月",
        at=at(date(2026, 4, 5)),
    )
    second.refresh_from_db()
    assert (second.state, second.result_note) == (ItemState.NOT_DONE, "医生临时有事，改到下月")
    # corrected while the cycle is at its service day
    item_record_result(
        actor=staff, item=second, expected_version=second.version, done=True, at=at(date(2026, 4, 5), 16)
    )
    second.refresh_from_db()
    assert second.state == ItemState.DONE
    with pytest.raises(MoveRefused):
        item_record_result(
            actor=staff, item=second, expected_version=second.version, done=True, at=at(date(2026, 4, 5))
        )
    with pytest.raises(PermissionDenied):
        item_record_result(
            actor=community_staff(tree.community2), item=first, expected_version=first.version, done=False, note="x"
        )


def test_results_are_not_recorded_before_the_cycle_is_at_its_service_day(tree: CityTree) -> None:
    staff = community_staff(tree.community)
    cycle = cycle_at(tree.community, staff, CycleState.SORT)
    item = Item.objects.get(cycle=cycle)
    with pytest.raises(ValidationError, match="while the cycle is at its service day"):
        item_record_result(actor=staff, item=item, expected_version=item.version, done=True, at=at(date(2026, 4, 5)))
    assert Item.objects.get(pk=item.pk).state == ItemState.PLANNED
