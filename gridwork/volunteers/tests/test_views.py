"""The pages of volunteer orders: residents (order, follow, rate), members (take, complete), staff (queue, suggestions,
issue, export, menu); bad input names the field (400), a refused move shows why (400, 409 when stale), and whatever is
not the user's is not found (404)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.audit.models import AuditEvent
from gridwork.party.models import MemberRegistration
from gridwork.people.models import Resident
from gridwork.places.tests.factories import CityTree
from gridwork.volunteers import services
from gridwork.volunteers.models import OrderState, ServiceItem, ServiceOrder
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
def resident() -> User:
    return make_resident_user(phone="13700000001", full_name="王小明")


@pytest.fixture
def tutor(buildings: Buildings) -> MemberRegistration:
    return make_member(building=buildings.home, skills=["tutoring"], name="李老师")


@pytest.fixture
def item(tree: CityTree) -> ServiceItem:
    return make_item(place=tree.community, name="辅导作业", skill="tutoring")


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _order_post(building_code: str, **changes: str) -> dict[str, str]:
    data = {
        "building": building_code,
        "item": "",
        "text": "帮忙修水龙头",
        "for_name": "王大爷",
        "for_phone": "13812345678",
        "wanted_on": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
        "wanted_from": "09:00",
        "wanted_to": "11:00",
    }
    data.update(changes)
    return data


# --- residents --------------------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    response = Client().get(reverse("resident_orders:home"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_resident_finds_their_building_and_sees_the_menu_of_its_community_and_street(
    tree: CityTree, buildings: Buildings, resident: User, item: ServiceItem
) -> None:
    make_item(place=tree.street, name="法律咨询", skill="legal_advice")
    make_item(place=tree.community2, name="秋实理发", skill="")
    client = client_for(resident)
    page = client.get(reverse("resident_orders:home"))
    assert page.status_code == 200
    assert 'name="q"' in page.content.decode()  # no building yet: the search
    found = client.get(reverse("resident_orders:home"), {"q": "春晖 2号楼"}).content.decode()
    assert f"?building={buildings.same_grid.code}" in found
    menu = client.get(reverse("resident_orders:home"), {"building": buildings.home.code}).content.decode()
    assert "辅导作业" in menu
    assert "法律咨询" in menu
    assert "秋实理发" not in menu


def test_a_resident_known_to_the_community_starts_at_their_households_building(
    tree: CityTree, resident: User, item: ServiceItem
) -> None:
    Resident.objects.create(name="王小明", household=tree.household, user=resident)
    page = client_for(resident).get(reverse("resident_orders:home")).content.decode()
    assert f'value="{tree.microgrid.code}"' in page
    assert "辅导作业" in page


def test_the_resident_does_not_read_the_notes_between_branch_and_members(
    buildings: Buildings, resident: User, staff: User, tutor: MemberRegistration
) -> None:
    order = place_order(resident=resident, building=buildings.home)
    services.order_issue(actor=staff, order=order, members=[tutor], expected_version=1, note="内部备注：老人耳背")
    services.order_take(actor=tutor.user, order=order)
    services.order_give_back(actor=tutor.user, order=order, reason="家里有事")
    resident_page = client_for(resident).get(reverse("resident_orders:detail", args=[order.pk])).content.decode()
    assert "内部备注" not in resident_page
    assert "家里有事" not in resident_page
    assert 'data-action="give_back"' in resident_page
    member_page = client_for(tutor.user).get(reverse("member_orders:detail", args=[order.pk])).content.decode()
    assert "内部备注" in member_page
    staff_page = client_for(staff).get(reverse("volunteers:order-detail", args=[order.pk])).content.decode()
    assert "家里有事" in staff_page


def test_a_resident_orders_and_follows_the_order(buildings: Buildings, resident: User, item: ServiceItem) -> None:
    client = client_for(resident)
    response = client.post(reverse("resident_orders:home"), _order_post(buildings.home.code, item=str(item.pk)))
    order = ServiceOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("resident_orders:detail", args=[order.pk])
    assert (order.item, order.ordered_by, order.wanted_from) == (item, resident, datetime.time(9))
    detail = client.get(response["Location"]).content.decode()
    assert "辅导作业" in detail
    assert 'data-action="create"' in detail
    home = client.get(reverse("resident_orders:home")).content.decode()  # the last order's building is remembered
    assert buildings.home.name in home
    assert "辅导作业" in home


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"for_phone": "123"}, "for_phone"),
        ({"text": ""}, "text"),
        ({"wanted_from": "11:00", "wanted_to": "10:00"}, "wanted_to"),
        ({"building": "nonsense"}, "building"),
    ],
)
def test_bad_order_input_shows_the_field_and_saves_nothing(
    buildings: Buildings, resident: User, changes: dict[str, str], field: str
) -> None:
    response = client_for(resident).post(reverse("resident_orders:home"), _order_post(buildings.home.code, **changes))
    assert response.status_code == 400
    assert f'data-testid="error-{field}"' in response.content.decode() or field == "building"
    assert "form-errors" in response.content.decode()
    assert not ServiceOrder.objects.exists()


def test_an_item_of_another_communitys_menu_cannot_be_forged_into_an_order(
    tree: CityTree, buildings: Buildings, resident: User
) -> None:
    elsewhere = make_item(place=tree.community2, name="秋实理发", skill="")
    response = client_for(resident).post(
        reverse("resident_orders:home"), _order_post(buildings.home.code, item=str(elsewhere.pk))
    )
    assert response.status_code == 400
    assert not ServiceOrder.objects.exists()


def test_staff_accounts_do_not_order(staff: User) -> None:
    assert client_for(staff).get(reverse("resident_orders:home")).status_code == 403


def test_another_residents_order_is_not_found(buildings: Buildings, resident: User) -> None:
    order = place_order(resident=resident, building=buildings.home)
    other = client_for(make_resident_user(phone="13700000002"))
    assert other.get(reverse("resident_orders:detail", args=[order.pk])).status_code == 404
    response = other.post(reverse("resident_orders:cancel", args=[order.pk]), {"version": 1, "reason": ""})
    assert response.status_code == 404
    assert ServiceOrder.objects.get(pk=order.pk).state == OrderState.ORDERED


def test_the_resident_rates_once_and_a_stale_page_is_refused(
    buildings: Buildings, resident: User, staff: User, tutor: MemberRegistration
) -> None:
    order = issued_order(resident=resident, staff=staff, building=buildings.home, members=[tutor])
    services.order_take(actor=tutor.user, order=order)
    services.order_complete(actor=tutor.user, order=order, hours=HOURS)
    client = client_for(resident)
    url = reverse("resident_orders:rate", args=[order.pk])
    page = client.get(reverse("resident_orders:detail", args=[order.pk])).content.decode()
    assert 'data-testid="rating"' in page
    assert client.post(url, {"version": order.version, "stars": "9"}).status_code == 400
    stale = client.post(url, {"version": order.version - 1, "stars": "5"})
    assert stale.status_code == 409
    assert client.post(url, {"version": order.version, "stars": "5", "comment": "谢谢"}).status_code == 302
    again = client.post(url, {"version": order.version + 1, "stars": "1"})
    assert again.status_code == 400
    assert "not possible" in again.content.decode()
    stored = ServiceOrder.objects.get(pk=order.pk)
    assert (stored.state, stored.rating, stored.comment) == (OrderState.RATED, 5, "谢谢")


# --- members ----------------------------------------------------------------------------------------------------------


def test_a_member_sees_the_orders_issued_to_them_masked_until_taken(
    buildings: Buildings, resident: User, staff: User, tutor: MemberRegistration
) -> None:
    order = issued_order(resident=resident, staff=staff, building=buildings.home, members=[tutor])
    client = client_for(tutor.user)
    listing = client.get(reverse("member_orders:list")).content.decode()
    assert 'data-testid="offered-order"' in listing
    detail = client.get(reverse("member_orders:detail", args=[order.pk])).content.decode()
    assert "王*爷" in detail
    assert "13812345678" not in detail
    response = client.post(reverse("member_orders:take", args=[order.pk]), {"version": order.version})
    assert response.status_code == 302
    detail = client.get(reverse("member_orders:detail", args=[order.pk])).content.decode()
    assert "王大爷" in detail
    assert "13812345678" in detail


def test_a_member_it_was_not_issued_to_finds_nothing_to_take(
    buildings: Buildings, resident: User, staff: User, tutor: MemberRegistration
) -> None:
    order = issued_order(resident=resident, staff=staff, building=buildings.home, members=[tutor])
    stranger = make_member(building=buildings.same_grid, name="陌生人")
    client = client_for(stranger.user)
    assert client.get(reverse("member_orders:detail", args=[order.pk])).status_code == 404
    assert client.post(reverse("member_orders:take", args=[order.pk]), {"version": order.version}).status_code == 404
    assert "offered-order" not in client.get(reverse("member_orders:list")).content.decode()
    assert ServiceOrder.objects.get(pk=order.pk).state == OrderState.ISSUED


def test_taking_from_a_stale_page_says_someone_was_first(
    buildings: Buildings, resident: User, staff: User, tutor: MemberRegistration
) -> None:
    other = make_member(building=buildings.same_grid, name="周老师")
    order = issued_order(resident=resident, staff=staff, building=buildings.home, members=[tutor, other])
    version = order.version
    services.order_take(actor=other.user, order=order)
    response = client_for(tutor.user).post(reverse("member_orders:take", args=[order.pk]), {"version": version})
    assert response.status_code == 409
    assert "Someone else changed this" in response.content.decode()
    assert ServiceOrder.objects.get(pk=order.pk).taker == other


def test_the_taker_records_hours_within_bounds_and_earns_points(
    buildings: Buildings, resident: User, staff: User, tutor: MemberRegistration
) -> None:
    hour_rule(points=10)
    order = issued_order(resident=resident, staff=staff, building=buildings.home, members=[tutor])
    services.order_take(actor=tutor.user, order=order)
    client = client_for(tutor.user)
    url = reverse("member_orders:complete", args=[order.pk])
    too_long = client.post(url, {"version": order.version, "hours": "30", "note": ""})
    assert too_long.status_code == 400
    assert 'data-testid="error-hours"' in too_long.content.decode()
    done = client.post(url, {"version": order.version, "hours": "2", "note": "修好了"}, follow=True)
    assert done.status_code == 200
    assert "20 points" in done.content.decode()
    assert ServiceOrder.objects.get(pk=order.pk).hours == Decimal(2)


# --- staff ------------------------------------------------------------------------------------------------------------


def test_the_queue_puts_waiting_orders_first_and_masks_names_without_the_permission(
    tree: CityTree, buildings: Buildings, resident: User, staff: User, tutor: MemberRegistration
) -> None:
    issued = issued_order(resident=resident, staff=staff, building=buildings.home, members=[tutor])
    waiting = place_order(resident=resident, building=buildings.home)
    page = client_for(staff).get(reverse("volunteers:order-list")).content.decode()
    first, second = (reverse("volunteers:order-detail", args=[o.pk]) for o in (waiting, issued))
    assert page.index(first) < page.index(second)
    assert "王大爷" in page
    street = make_staff(role=Role.STREET_STAFF, place=tree.street, username="street")
    masked = client_for(street).get(reverse("volunteers:order-list")).content.decode()
    assert first in masked
    assert "王*爷" in masked
    assert "王大爷" not in masked


def test_the_order_page_ranks_suggestions_with_their_reasons(
    buildings: Buildings, resident: User, staff: User, tutor: MemberRegistration, item: ServiceItem
) -> None:
    make_member(building=buildings.same_community, skills=["household_repairs"], name="赵师傅")
    order = place_order(resident=resident, building=buildings.home, item=item)
    page = client_for(staff).get(reverse("volunteers:order-detail", args=[order.pk])).content.decode()
    assert page.index("李老师") < page.index("赵师傅")
    assert "has skill: Tutoring" in page
    assert "same building" in page
    assert "no orders in hand" in page


def test_staff_issue_from_the_page_and_a_forged_member_is_refused(
    buildings: Buildings, resident: User, staff: User, tutor: MemberRegistration
) -> None:
    outsider = make_member(building=buildings.other_street, name="外街道")
    order = place_order(resident=resident, building=buildings.home)
    client = client_for(staff)
    url = reverse("volunteers:order-issue", args=[order.pk])
    assert client.post(url, {"version": 1, "members": [str(outsider.pk)]}).status_code == 400
    assert client.post(url, {"version": 1}).status_code == 400
    assert client.post(url, {"version": 1, "members": [str(tutor.pk)]}).status_code == 302
    assert list(ServiceOrder.objects.get(pk=order.pk).issued_to.all()) == [tutor]
    stale = client.post(
        reverse("volunteers:order-decline", args=[order.pk]), {"decline-version": 1, "decline-reason": "x"}
    )
    assert stale.status_code == 409


def test_decline_without_a_reason_shows_the_field(buildings: Buildings, resident: User, staff: User) -> None:
    order = place_order(resident=resident, building=buildings.home)
    url = reverse("volunteers:order-decline", args=[order.pk])
    response = client_for(staff).post(url, {"decline-version": 1, "decline-reason": ""})
    assert response.status_code == 400
    assert 'data-testid="error-reason"' in response.content.decode()
    assert client_for(staff).post(url, {"decline-version": 1, "decline-reason": "无此服务"}).status_code == 302
    assert ServiceOrder.objects.get(pk=order.pk).state == OrderState.DECLINED


def test_another_communitys_staff_get_404_and_cannot_act(
    tree: CityTree, buildings: Buildings, resident: User, tutor: MemberRegistration
) -> None:
    order = place_order(resident=resident, building=buildings.home)
    other = client_for(make_staff(role=Role.COMMUNITY_STAFF, place=tree.community2, username="community2"))
    assert other.get(reverse("volunteers:order-detail", args=[order.pk])).status_code == 404
    for name, data in [
        ("volunteers:order-issue", {"version": 1, "members": [str(tutor.pk)]}),
        ("volunteers:order-decline", {"decline-version": 1, "decline-reason": "x"}),
        ("volunteers:order-cancel", {"cancel-version": 1, "cancel-reason": "x"}),
    ]:
        assert other.post(reverse(name, args=[order.pk]), data).status_code == 404
    assert (
        reverse("volunteers:order-detail", args=[order.pk])
        not in other.get(reverse("volunteers:order-list")).content.decode()
    )
    assert ServiceOrder.objects.get(pk=order.pk).version == 1


def test_a_grid_worker_sees_orders_of_the_grid_but_cannot_issue(
    tree: CityTree, buildings: Buildings, resident: User, tutor: MemberRegistration
) -> None:
    order = place_order(resident=resident, building=buildings.home)
    worker = client_for(make_staff(role=Role.GRID_WORKER, place=tree.grid, username="grid"))
    assert worker.get(reverse("volunteers:order-detail", args=[order.pk])).status_code == 200
    url = reverse("volunteers:order-issue", args=[order.pk])
    assert worker.post(url, {"version": 1, "members": [str(tutor.pk)]}).status_code == 403


def _sheet_rows(content: bytes) -> list[tuple[object, ...]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def test_the_export_masks_names_unless_the_user_may_see_them_and_audits_unmasked_ones(
    tree: CityTree, buildings: Buildings, resident: User, staff: User
) -> None:
    place_order(resident=resident, building=buildings.home)
    place_order(resident=resident, building=buildings.sister_community)
    street = make_staff(role=Role.STREET_STAFF, place=tree.street, username="street")
    masked = client_for(street).get(reverse("volunteers:order-export"))
    assert masked.status_code == 200
    rows = _sheet_rows(masked.content)
    assert len(rows) == 3
    assert {row[6] for row in rows[1:]} == {"王*爷"}
    assert {row[7] for row in rows[1:]} == {"138****5678"}
    assert not AuditEvent.objects.filter(action="service_order.export_unmasked").exists()
    unmasked = _sheet_rows(client_for(staff).get(reverse("volunteers:order-export")).content)
    assert [row[6] for row in unmasked[1:]] == ["王大爷"]  # the community's own order only
    assert AuditEvent.objects.filter(action="service_order.export_unmasked", actor=staff).count() == 1


# --- the menu ---------------------------------------------------------------------------------------------------------


def test_staff_manage_the_menu_of_their_community_only(tree: CityTree, staff: User) -> None:
    client = client_for(staff)
    create = reverse("volunteers:menu-create")
    assert client.get(create).status_code == 200
    forged = client.post(create, {"place": tree.community2.pk, "name": "越界", "skill": ""})
    assert forged.status_code == 400
    missing = client.post(create, {"place": tree.community.pk, "name": "", "skill": ""})
    assert missing.status_code == 400
    assert 'data-testid="error-name"' in missing.content.decode()
    created = client.post(create, {"place": tree.community.pk, "name": "上门理发", "skill": "other"})
    assert created.status_code == 302
    item = ServiceItem.objects.get(name="上门理发")
    assert item.place == tree.community
    elsewhere = make_item(place=tree.community2, name="秋实理发", skill="")
    assert client.get(reverse("volunteers:menu-edit", args=[elsewhere.pk])).status_code == 404
    assert client.post(reverse("volunteers:menu-withdraw", args=[elsewhere.pk])).status_code == 404
    listing = client.get(reverse("volunteers:menu-list")).content.decode()
    assert "上门理发" in listing
    assert "秋实理发" not in listing
    assert client.post(reverse("volunteers:menu-withdraw", args=[item.pk])).status_code == 302
    assert not ServiceItem.objects.get(pk=item.pk).active
    edited = client.post(
        reverse("volunteers:menu-edit", args=[item.pk]),
        {"name": "上门理发", "description": "每月一次", "skill": "other", "active": "on"},
    )
    assert edited.status_code == 302
    assert ServiceItem.objects.get(pk=item.pk).active
