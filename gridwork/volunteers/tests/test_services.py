"""The services of volunteer orders: who may make each move, what each checks, what it writes (state, fields, the
event, points), and the attacks: another community's staff, a member the order was not issued to, a stale page."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.audit.models import AuditEvent
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.party.models import MemberRegistration
from gridwork.places.tests.factories import CityTree
from gridwork.points.models import PointAccount, PointEntry
from gridwork.volunteers import services
from gridwork.volunteers.models import OrderEvent, OrderState, ServiceItem, ServiceOrder
from gridwork.volunteers.tests.factories import (
    HOURS,
    Buildings,
    hour_rule,
    issued_order,
    make_buildings,
    make_community_staff,
    make_item,
    make_member,
    place_order,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def buildings(tree: CityTree) -> Buildings:
    return make_buildings(tree)


@pytest.fixture
def staff(tree: CityTree) -> User:
    return make_community_staff(tree)


@pytest.fixture
def other_staff(tree: CityTree) -> User:
    """Staff of the sister community: no say over the first community's orders."""
    return make_staff(role=Role.COMMUNITY_STAFF, place=tree.community2, username="community2")


@pytest.fixture
def resident() -> User:
    return make_resident_user(phone="13700000001", full_name="王小明")


@pytest.fixture
def tutor(buildings: Buildings) -> MemberRegistration:
    return make_member(building=buildings.home, skills=["tutoring"], name="李老师")


@pytest.fixture
def fixer(buildings: Buildings) -> MemberRegistration:
    return make_member(building=buildings.same_grid, skills=["household_repairs"], name="赵师傅")


@pytest.fixture
def item(tree: CityTree) -> ServiceItem:
    return make_item(place=tree.community)


def _fresh(order: ServiceOrder) -> ServiceOrder:
    return ServiceOrder.objects.get(pk=order.pk)


def _actions(order: ServiceOrder) -> list[str]:
    return list(OrderEvent.objects.filter(subject=order).order_by("sequence").values_list("action", flat=True))


def _issued(resident: User, staff: User, buildings: Buildings, *members: MemberRegistration) -> ServiceOrder:
    return issued_order(resident=resident, staff=staff, building=buildings.home, members=list(members))


def _taken(resident: User, staff: User, buildings: Buildings, member: MemberRegistration) -> ServiceOrder:
    order = _issued(resident, staff, buildings, member)
    return services.order_take(actor=member.user, order=order)


# --- ordering ---------------------------------------------------------------------------------------------------------


def test_a_resident_orders_from_the_menu_of_their_community(
    tree: CityTree, buildings: Buildings, resident: User, item: ServiceItem
) -> None:
    order = place_order(resident=resident, building=buildings.home, item=item)
    stored = _fresh(order)
    assert (stored.state, stored.version, stored.community, stored.item) == (
        OrderState.ORDERED,
        1,
        tree.community,
        item,
    )
    [event] = OrderEvent.objects.filter(subject=order)
    assert (event.action, event.to_state, event.actor) == ("create", "ordered", resident)


def test_a_service_offered_by_the_street_is_on_every_community_menu_of_it(
    tree: CityTree, buildings: Buildings, resident: User
) -> None:
    street_item = make_item(place=tree.street, name="法律咨询", skill="legal_advice")
    order = place_order(resident=resident, building=buildings.sister_community, item=street_item)
    assert order.community == tree.community2


def test_an_item_of_another_communitys_menu_or_a_withdrawn_one_is_refused(
    tree: CityTree, buildings: Buildings, resident: User
) -> None:
    elsewhere = make_item(place=tree.community2, name="秋实理发")
    withdrawn = make_item(place=tree.community, name="旧服务", active=False)
    for item in (elsewhere, withdrawn):
        with pytest.raises(ValidationError) as refused:
            place_order(resident=resident, building=buildings.home, item=item)
        assert set(refused.value.message_dict) == {"item"}
    assert not ServiceOrder.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"text": "", "item": None}, "text"),
        ({"for_name": ""}, "for_name"),
        ({"for_phone": "12345"}, "for_phone"),
        ({"wanted_on": None}, "wanted_on"),
        ({"wanted_on": "past"}, "wanted_on"),
        ({"wanted_on": "far"}, "wanted_on"),
        ({"wanted_from": datetime.time(10)}, "wanted_to"),
        ({"wanted_from": datetime.time(10), "wanted_to": datetime.time(9)}, "wanted_to"),
        ({"building": "grid"}, "building"),
        ({"text": "长" * 501}, "text"),
    ],
)
def test_bad_order_input_names_the_field_and_saves_nothing(
    tree: CityTree, buildings: Buildings, resident: User, change: dict[str, Any], field: str
) -> None:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "actor": resident,
        "building": buildings.home,
        "text": "帮忙换灯泡",
        "for_name": "王大爷",
        "for_phone": "13812345678",
        "wanted_on": today,
    }
    values.update(change)
    if values["wanted_on"] == "past":
        values["wanted_on"] = today - datetime.timedelta(days=1)
    elif values["wanted_on"] == "far":
        values["wanted_on"] = today + datetime.timedelta(days=services.DAYS_AHEAD + 1)
    if values["building"] == "grid":
        values["building"] = tree.grid
    with pytest.raises(ValidationError) as refused:
        services.order_place(**values)
    assert field in refused.value.message_dict
    assert not ServiceOrder.objects.exists()


def test_staff_accounts_and_anonymous_users_cannot_order(buildings: Buildings, staff: User) -> None:
    from django.contrib.auth.models import AnonymousUser

    for actor in (staff, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            place_order(resident=actor, building=buildings.home)  # type: ignore[arg-type]


def test_a_resident_has_at_most_five_orders_open(buildings: Buildings, resident: User) -> None:
    for _ in range(services.MAX_OPEN_ORDERS):
        place_order(resident=resident, building=buildings.home)
    with pytest.raises(ValidationError) as refused:
        place_order(resident=resident, building=buildings.home)
    assert "__all__" in refused.value.message_dict


# --- issue and decline ------------------------------------------------------------------------------------------------


def test_community_staff_issue_an_order_to_members(
    buildings: Buildings, resident: User, staff: User, tutor: MemberRegistration, fixer: MemberRegistration
) -> None:
    order = place_order(resident=resident, building=buildings.home)
    services.order_issue(actor=staff, order=order, members=[tutor, fixer], expected_version=1, note="请尽快")
    stored = _fresh(order)
    assert (stored.state, stored.version) == (OrderState.ISSUED, 2)
    assert stored.issued_at is not None
    assert set(stored.issued_to.all()) == {tutor, fixer}
    event = OrderEvent.objects.get(subject=order, sequence=2)
    assert (event.action, event.actor, event.note, event.data) == (
        "issue",
        staff,
        "请尽快",
        {"members": sorted([tutor.pk, fixer.pk])},
    )


def test_issuing_again_adds_members_and_refuses_only_the_same_ones(
    buildings: Buildings, resident: User, staff: User, tutor: MemberRegistration, fixer: MemberRegistration
) -> None:
    order = _issued(resident, staff, buildings, tutor)
    with pytest.raises(ValidationError):
        services.order_issue(actor=staff, order=order, members=[tutor], expected_version=order.version)
    services.order_issue(actor=staff, order=order, members=[tutor, fixer], expected_version=order.version)
    assert set(_fresh(order).issued_to.all()) == {tutor, fixer}
    assert OrderEvent.objects.get(subject=order, sequence=3).data == {"members": [fixer.pk]}


def test_another_communitys_staff_cannot_issue_decline_or_cancel(
    buildings: Buildings, resident: User, other_staff: User, tutor: MemberRegistration
) -> None:
    order = place_order(resident=resident, building=buildings.home)
    with pytest.raises(PermissionDenied):
        services.order_issue(actor=other_staff, order=order, members=[tutor], expected_version=1)
    with pytest.raises(PermissionDenied):
        services.order_decline(actor=other_staff, order=order, reason="不归我们", expected_version=1)
    with pytest.raises(PermissionDenied):
        services.order_cancel(actor=other_staff, order=order, reason="不归我们", expected_version=1)
    assert _actions(order) == ["create"]


def test_street_staff_above_the_community_may_issue(
    tree: CityTree, buildings: Buildings, resident: User, tutor: MemberRegistration
) -> None:
    street_staff = make_staff(role=Role.STREET_STAFF, place=tree.street, username="street")
    order = place_order(resident=resident, building=buildings.home)
    services.order_issue(actor=street_staff, order=order, members=[tutor], expected_version=1)
    assert _fresh(order).state == OrderState.ISSUED


def test_an_issue_from_a_stale_page_is_refused(
    buildings: Buildings, resident: User, staff: User, tutor: MemberRegistration
) -> None:
    order = place_order(resident=resident, building=buildings.home)
    services.order_issue(actor=staff, order=_fresh(order), members=[tutor], expected_version=1)
    with pytest.raises(StaleState):
        services.order_decline(actor=staff, order=order, reason="重复", expected_version=1)
    assert _fresh(order).state == OrderState.ISSUED


def test_issue_needs_members_of_the_street_other_than_the_orderer(
    buildings: Buildings, resident: User, staff: User
) -> None:
    outsider = make_member(building=buildings.other_street, name="外街道")
    own = make_member(building=buildings.home, name="王小明", user=resident)
    order = place_order(resident=resident, building=buildings.home)
    for members in ([], [outsider], [own]):
        with pytest.raises(ValidationError) as refused:
            services.order_issue(actor=staff, order=order, members=members, expected_version=1)
        assert set(refused.value.message_dict) == {"members"}
    assert _actions(order) == ["create"]
    assert not _fresh(order).issued_to.exists()


def test_decline_needs_a_reason_and_only_before_issue(
    buildings: Buildings, resident: User, staff: User, tutor: MemberRegistration
) -> None:
    order = place_order(resident=resident, building=buildings.home)
    with pytest.raises(ValidationError):
        services.order_decline(actor=staff, order=order, reason="  ", expected_version=1)
    services.order_decline(actor=staff, order=order, reason="本社区暂无此服务", expected_version=1)
    stored = _fresh(order)
    assert (stored.state, stored.reason) == (OrderState.DECLINED, "本社区暂无此服务")
    assert stored.closed_at is not None
    issued = _issued(resident, staff, buildings, tutor)
    with pytest.raises(MoveRefused):
        services.order_decline(actor=staff, order=issued, reason="晚了", expected_version=issued.version)


# --- take, give back --------------------------------------------------------------------------------------------------


def test_a_member_the_order_was_issued_to_takes_it(
    buildings: Buildings, resident: User, staff: User, tutor: MemberRegistration
) -> None:
    order = _issued(resident, staff, buildings, tutor)
    services.order_take(actor=tutor.user, order=order, expected_version=2)
    stored = _fresh(order)
    assert (stored.state, stored.taker, stored.version) == (OrderState.TAKEN, tutor, 3)
    assert stored.taken_at is not None
    assert OrderEvent.objects.get(subject=order, sequence=3).data == {"member": tutor.pk}


def test_a_member_it_was_not_issued_to_cannot_take_it(
    buildings: Buildings, resident: User, staff: User, tutor: MemberRegistration, fixer: MemberRegistration
) -> None:
    order = _issued(resident, staff, buildings, tutor)
    with pytest.raises(PermissionDenied):
        services.order_take(actor=fixer.user, order=order)
    with pytest.raises(PermissionDenied):  # not a member at all
        services.order_take(actor=resident, order=order)
    with pytest.raises(PermissionDenied):  # staff cannot take for a member
        services.order_take(actor=staff, order=order)
    assert _fresh(order).state == OrderState.ISSUED


def test_the_second_member_to_take_finds_it_taken(
    buildings: Buildings, resident: User, staff: User, tutor: MemberRegistration, fixer: MemberRegistration
) -> None:
    order = _issued(resident, staff, buildings, tutor, fixer)
    seen_by_fixer = _fresh(order)
    services.order_take(actor=tutor.user, order=order)
    with pytest.raises(StaleState):  # the page fixer had open
        services.order_take(actor=fixer.user, order=seen_by_fixer)
    with pytest.raises(MoveRefused):  # reloaded: taken
        services.order_take(actor=fixer.user, order=_fresh(order))
    assert _fresh(order).taker == tutor


def test_the_taker_gives_back_with_a_reason_and_another_member_takes_it(
    buildings: Buildings, resident: User, staff: User, tutor: MemberRegistration, fixer: MemberRegistration
) -> None:
    order = _issued(resident, staff, buildings, tutor, fixer)
    services.order_take(actor=tutor.user, order=order)
    with pytest.raises(PermissionDenied):
        services.order_give_back(actor=fixer.user, order=order, reason="我来")
    with pytest.raises(ValidationError):
        services.order_give_back(actor=tutor.user, order=order, reason="")
    services.order_give_back(actor=tutor.user, order=order, reason="临时出差")
    stored = _fresh(order)
    assert (stored.state, stored.taker, stored.taken_at) == (OrderState.ISSUED, None, None)
    services.order_take(actor=fixer.user, order=stored)
    assert _fresh(order).taker == fixer
    assert _actions(order) == ["create", "issue", "take", "give_back", "take"]


# --- complete ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("hours", ["0", "-1", "24.01", "25", "1.234", "NaN", "abc"])
def test_hours_out_of_bounds_are_refused(
    buildings: Buildings, resident: User, staff: User, tutor: MemberRegistration, hours: str
) -> None:
    order = _taken(resident, staff, buildings, tutor)
    with pytest.raises(ValidationError) as refused:
        services.order_complete(actor=tutor.user, order=order, hours=hours, note="")  # type: ignore[arg-type]
    assert set(refused.value.message_dict) == {"hours"}
    assert _fresh(order).state == OrderState.TAKEN


@pytest.mark.parametrize("hours", ["0.01", "0.5", "24"])
def test_hours_within_bounds_are_recorded(
    buildings: Buildings, resident: User, staff: User, tutor: MemberRegistration, hours: str
) -> None:
    order = _taken(resident, staff, buildings, tutor)
    services.order_complete(actor=tutor.user, order=order, hours=Decimal(hours), note="辅导了数学")
    stored = _fresh(order)
    assert (stored.state, stored.hours) == (OrderState.COMPLETED, Decimal(hours))
    assert OrderEvent.objects.get(subject=order, action="complete").note == "辅导了数学"


def test_only_the_taker_completes(
    buildings: Buildings, resident: User, staff: User, tutor: MemberRegistration, fixer: MemberRegistration
) -> None:
    order = _issued(resident, staff, buildings, tutor, fixer)
    services.order_take(actor=tutor.user, order=order)
    for actor in (fixer.user, resident, staff):
        with pytest.raises(PermissionDenied):
            services.order_complete(actor=actor, order=order, hours=HOURS)
    assert _fresh(order).state == OrderState.TAKEN


def test_completion_earns_points_once_by_the_hour_rule(
    buildings: Buildings, resident: User, staff: User, tutor: MemberRegistration
) -> None:
    hour_rule(points=10)
    order = _taken(resident, staff, buildings, tutor)
    done = services.order_complete(actor=tutor.user, order=order, hours=HOURS, note="")
    assert done.points is not None
    assert done.points.points == 15  # 1.5 hours at 10 a hour
    assert (done.points.source, done.points.source_id) == ("order", order.pk)
    with pytest.raises(MoveRefused):
        services.order_complete(actor=tutor.user, order=_fresh(order), hours=Decimal(3))
    assert PointEntry.objects.filter(source="order", source_id=order.pk).count() == 1
    assert PointAccount.objects.get(member=tutor).balance == 15


def test_without_an_hour_rule_the_service_completes_without_points(
    buildings: Buildings, resident: User, staff: User, tutor: MemberRegistration
) -> None:
    order = _taken(resident, staff, buildings, tutor)
    done = services.order_complete(actor=tutor.user, order=order, hours=HOURS)
    assert done.points is None
    assert _fresh(order).state == OrderState.COMPLETED
    assert not PointEntry.objects.exists()


# --- rate and cancel --------------------------------------------------------------------------------------------------


def _completed(resident: User, staff: User, buildings: Buildings, member: MemberRegistration) -> ServiceOrder:
    order = _taken(resident, staff, buildings, member)
    services.order_complete(actor=member.user, order=order, hours=HOURS)
    return order


def test_only_the_person_who_ordered_rates_and_only_once(
    buildings: Buildings, resident: User, staff: User, tutor: MemberRegistration
) -> None:
    order = _completed(resident, staff, buildings, tutor)
    neighbour = make_resident_user(phone="13700000002")
    for actor in (neighbour, staff, tutor.user):
        with pytest.raises(PermissionDenied):
            services.order_rate(actor=actor, order=order, stars=5)
    services.order_rate(actor=resident, order=order, stars=4, comment="很耐心", expected_version=order.version)
    stored = _fresh(order)
    assert (stored.state, stored.rating, stored.comment) == (OrderState.RATED, 4, "很耐心")
    with pytest.raises(MoveRefused):
        services.order_rate(actor=resident, order=stored, stars=1)
    assert _fresh(order).rating == 4
    assert _actions(order).count("rate") == 1


@pytest.mark.parametrize("stars", [0, 6, -1, True])
def test_stars_are_one_to_five(
    buildings: Buildings, resident: User, staff: User, tutor: MemberRegistration, stars: int
) -> None:
    order = _completed(resident, staff, buildings, tutor)
    with pytest.raises(ValidationError) as refused:
        services.order_rate(actor=resident, order=order, stars=stars)
    assert set(refused.value.message_dict) == {"stars"}


def test_an_order_not_yet_done_cannot_be_rated(
    buildings: Buildings, resident: User, staff: User, tutor: MemberRegistration
) -> None:
    order = _taken(resident, staff, buildings, tutor)
    with pytest.raises(MoveRefused):
        services.order_rate(actor=resident, order=order, stars=5)


def test_the_resident_or_staff_cancel_an_order_not_yet_taken(
    buildings: Buildings, resident: User, staff: User, tutor: MemberRegistration
) -> None:
    first = place_order(resident=resident, building=buildings.home)
    services.order_cancel(actor=resident, order=first)
    assert _fresh(first).state == OrderState.CANCELLED
    assert OrderEvent.objects.get(subject=first, action="cancel").data == {"by": "resident"}

    second = _issued(resident, staff, buildings, tutor)
    with pytest.raises(ValidationError):
        services.order_cancel(actor=staff, order=second, reason="")
    with pytest.raises(PermissionDenied):
        services.order_cancel(actor=make_resident_user(phone="13700000003"), order=second, reason="捣乱")
    services.order_cancel(actor=staff, order=second, reason="居民电话告知不需要了")
    assert _fresh(second).reason == "居民电话告知不需要了"

    third = _taken(resident, staff, buildings, tutor)
    with pytest.raises(MoveRefused):
        services.order_cancel(actor=resident, order=third)


def test_the_event_log_is_append_only(buildings: Buildings, resident: User) -> None:
    order = place_order(resident=resident, building=buildings.home)
    with pytest.raises(DatabaseError), transaction.atomic():
        OrderEvent.objects.filter(subject=order).update(note="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        OrderEvent.objects.filter(subject=order).delete()
    assert OrderEvent.objects.get(subject=order).note == ""


def test_the_database_refuses_hours_over_a_day_and_a_taken_order_without_taker(
    buildings: Buildings, resident: User
) -> None:
    order = place_order(resident=resident, building=buildings.home)
    with pytest.raises(DatabaseError), transaction.atomic():
        ServiceOrder.objects.filter(pk=order.pk).update(hours=Decimal(25))
    with pytest.raises(DatabaseError), transaction.atomic():
        ServiceOrder.objects.filter(pk=order.pk).update(state=OrderState.TAKEN)


# --- the menu ---------------------------------------------------------------------------------------------------------


def test_staff_put_services_on_their_menu_and_withdraw_them(tree: CityTree, staff: User, other_staff: User) -> None:
    item = services.service_item_create(actor=staff, place=tree.community, name="上门理发", skill="", description="")
    with pytest.raises(ValidationError) as refused:
        services.service_item_create(actor=staff, place=tree.community, name="上门理发")
    assert set(refused.value.message_dict) == {"name"}
    with pytest.raises(ValidationError) as refused:
        services.service_item_create(actor=staff, place=tree.grid, name="网格服务", skill="flying")
    assert set(refused.value.message_dict) == {"place", "skill"}
    with pytest.raises(PermissionDenied):
        services.service_item_create(actor=other_staff, place=tree.community, name="越界")
    with pytest.raises(PermissionDenied):
        services.service_item_withdraw(actor=other_staff, item=item)
    services.service_item_withdraw(actor=staff, item=item)
    assert not ServiceItem.objects.get(pk=item.pk).active
    assert list(
        AuditEvent.objects.filter(object_id=str(item.pk), object_type="volunteers.serviceitem")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["service_item.create", "service_item.withdraw"]
    services.service_item_update(
        actor=staff, item=item, name="上门理发", description="每月一次", skill="other", active=True
    )
    assert ServiceItem.objects.get(pk=item.pk).active
