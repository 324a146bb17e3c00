"""The party-building overview: each figure counted on hand-built rows (bounds of a period in China time, a member
who moved), the scope (another street is 404, rows outside never counted), households in difficulty hidden without
VIEW_DIFFICULTY, a bad period refused naming the field, and the export's rows equal to the page's figures."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.care.models import HouseholdInDifficulty, Pairing
from gridwork.party.models import RegistrationState
from gridwork.party.overview import (
    FIGURE_KEYS,
    OverviewPeriod,
    figures_for,
    party_figures,
)
from gridwork.party.registrations import (
    registration_confirm,
    unit_registration_confirm,
    unit_registration_submit,
)
from gridwork.party.tests.factories import (
    World,
    at,
    claimed_wish,
    confirmed,
    done_order,
    earn,
    make_world,
    point_rules,
    registered_since,
    submit,
)
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree, make_place
from gridwork.points.models import PointBasis
from gridwork.points.services import Source
from gridwork.volunteers.models import OrderState
from gridwork.wishes.models import Wish, WishState

pytestmark = pytest.mark.django_db

JUNE = OverviewPeriod(date(2025, 6, 1), date(2025, 6, 30))
JULY = OverviewPeriod(date(2025, 7, 1), date(2025, 7, 31))
YEAR_2025 = OverviewPeriod(date(2025, 1, 1), date(2025, 12, 31))
URL = "/staff/party/overview/"


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _figures(user: Any, place: Place, period: OverviewPeriod) -> Any:
    return party_figures(user=user, place=place, period=period)


def _today_period() -> OverviewPeriod:
    today = timezone.localdate()
    return OverviewPeriod(today, today)


# --- each figure ----------------------------------------------------------------------------------------------------


def test_members_registered_and_confirmed_follow_the_bounds_of_the_period_in_china_time(world: World) -> None:
    june = registered_since(confirmed(world), at("2025-06-30 23:59"))
    other = make_resident_user(phone="13900002222")
    registered_since(confirmed(world, user=other, name="王五", phone="13900002222"), at("2025-07-01 00:00"))
    community = world.tree.community
    in_june, in_july = _figures(world.staff, community, JUNE), _figures(world.staff, community, JULY)
    assert (in_june.members_registered, in_june.members_confirmed) == (1, 1)
    assert (in_july.members_registered, in_july.members_confirmed) == (2, 1)  # June's member still holds
    may = OverviewPeriod(date(2025, 5, 1), date(2025, 5, 31))
    assert (_figures(world.staff, community, may).members_registered) == 0
    assert june.state == RegistrationState.CONFIRMED


def test_a_member_who_moved_counts_where_they_were_registered_while_it_held(world: World) -> None:
    old = registered_since(confirmed(world), at("2025-03-01 09:00"))
    new = confirmed(world, community=world.tree.community2, building=world.building2)  # moves now
    old.refresh_from_db()
    assert old.state == RegistrationState.TRANSFERRED
    tree, street_staff = world.tree, world.street_staff
    # 2025 (before the move): only the old community.
    past = figures_for(user=street_staff, places=[tree.community, tree.community2, tree.street], period=YEAR_2025)
    assert [past[p.pk].members_registered for p in (tree.community, tree.community2, tree.street)] == [1, 0, 1]
    # Today: both communities had them, the street counts the person once.
    today = figures_for(
        user=street_staff, places=[tree.community, tree.community2, tree.street], period=_today_period()
    )
    assert [today[p.pk].members_registered for p in (tree.community, tree.community2, tree.street)] == [1, 1, 1]
    assert today[tree.community2.pk].members_confirmed == 1
    # From tomorrow: the old registration has ended.
    tomorrow = timezone.localdate() + timedelta(days=1)
    later = figures_for(
        user=street_staff, places=[tree.community, tree.community2], period=OverviewPeriod(tomorrow, tomorrow)
    )
    assert (later[tree.community.pk].members_registered, later[tree.community2.pk].members_registered) == (0, 1)
    assert new.state == RegistrationState.CONFIRMED


def test_units_registered_count_confirmed_registrations_once_per_unit(world: World) -> None:
    first = unit_registration_submit(actor=world.street_staff, unit=world.unit, community=world.tree.community)
    unit_registration_confirm(actor=world.staff, registration=first, expected_version=first.version)
    second = unit_registration_submit(actor=world.street_staff, unit=world.unit, community=world.tree.community2)
    unit_registration_confirm(actor=world.staff2, registration=second, expected_version=second.version)
    unit_registration_submit(actor=world.street_staff, unit=world.unit2, community=world.tree.community)  # pending
    tree, period = world.tree, _today_period()
    found = figures_for(user=world.street_staff, places=[tree.community, tree.community2, tree.street], period=period)
    assert [found[p.pk].units_registered for p in (tree.community, tree.community2, tree.street)] == [1, 1, 1]
    assert _figures(world.street_staff, tree.street, YEAR_2025).units_registered == 0  # confirmed only now


def test_orders_hours_wishes_and_points_at_the_bounds_of_june(world: World) -> None:
    point_rules()
    member = confirmed(world)
    late_june = done_order(member, completed_at=at("2025-06-30 23:59"), hours="2", rating=5)
    done_order(member, completed_at=at("2025-06-01 00:00"), hours="1.5")
    done_order(member, completed_at=at("2025-07-01 00:00"), hours="3")  # July
    done_order(member, completed_at=at("2025-05-31 23:59"), hours="3")  # May
    taken = done_order(member, completed_at=at("2025-06-10 10:00"), state=OrderState.TAKEN)
    assert taken.state == OrderState.TAKEN  # not done: not counted
    wish = claimed_wish(member, fulfilled_at=at("2025-06-20 10:00"), confirmed_at=at("2025-06-30 23:59"))
    Wish.objects.filter(pk=wish.pk).update(claimed_at=at("2025-06-01 00:00"))
    july_wish = claimed_wish(member, fulfilled_at=at("2025-07-20 10:00"), confirmed_at=at("2025-07-01 00:00"))
    Wish.objects.filter(pk=july_wish.pk).update(claimed_at=at("2025-05-31 23:59"))
    released = claimed_wish(member)  # a claim released afterwards no longer counts
    Wish.objects.filter(pk=released.pk).update(
        state=WishState.PUBLISHED, claimant_member=None, claimed_at=None, published_at=at("2025-06-05 10:00")
    )
    earn(member, basis=PointBasis.SERVICE_HOUR, quantity=2, source=Source("order", late_june.pk), on=date(2025, 6, 30))
    earn(member, basis=PointBasis.WISH, quantity=1, source=Source("wish", july_wish.pk), on=date(2025, 7, 1))

    june = _figures(world.staff, world.tree.community, JUNE)
    assert (june.orders_completed, june.service_hours) == (2, Decimal("3.5"))
    assert (june.wishes_claimed, june.wishes_confirmed) == (1, 1)
    assert june.points_earned == 20
    july = _figures(world.staff, world.tree.community, JULY)
    assert (july.orders_completed, july.service_hours, july.wishes_claimed, july.wishes_confirmed) == (
        1,
        Decimal("3"),
        0,
        1,
    )
    assert july.points_earned == 20


def test_points_count_where_the_order_was_done_not_where_the_account_is_now(world: World) -> None:
    point_rules()
    old = confirmed(world)
    order = done_order(old, completed_at=at("2025-06-10 10:00"), hours="1")
    confirmed(world, community=world.tree.community2, building=world.building2)  # the account follows the member
    old.refresh_from_db()
    earn(old, basis=PointBasis.SERVICE_HOUR, quantity=1, source=Source("order", order.pk), on=date(2025, 6, 10))
    earn(old, basis=PointBasis.ACTIVITY, quantity=1, source=Source("activity", 7), on=date(2025, 6, 11))
    found = figures_for(user=world.street_staff, places=[world.tree.community, world.tree.community2], period=JUNE)
    assert found[world.tree.community.pk].points_earned == 10
    assert found[world.tree.community2.pk].points_earned == 5  # an activity counts at the member's building now


def _household(world: World, sequence: int, *, since: date, ended_on: date | None = None) -> HouseholdInDifficulty:
    place = make_place("household", world.tree.microgrid, sequence, f"1号楼{sequence}")
    return HouseholdInDifficulty.objects.create(
        household=place, kinds=["other"], since=since, ended_on=ended_on, recorded_by=world.staff
    )


def _households(world: World) -> None:
    paired = _household(world, 11, since=date(2025, 1, 1))
    Pairing.objects.create(record=paired, leader=world.staff, since=date(2025, 6, 30), created_by=world.staff)
    unpaired_in_june = _household(world, 12, since=date(2025, 6, 30))
    Pairing.objects.create(record=unpaired_in_june, leader=world.staff, since=date(2025, 7, 1), created_by=world.staff)
    _household(world, 13, since=date(2025, 1, 1), ended_on=date(2025, 5, 31))  # ended before June
    _household(world, 14, since=date(2025, 7, 1))  # from July


def test_households_in_difficulty_and_paired_open_on_a_day_of_the_period(world: World) -> None:
    _households(world)
    june = _figures(world.staff, world.tree.community, JUNE)
    assert (june.households, june.households_paired) == (2, 1)
    july = _figures(world.staff, world.tree.community, JULY)
    assert (july.households, july.households_paired) == (3, 2)


# --- scope and what is hidden ---------------------------------------------------------------------------------------


def test_households_in_difficulty_are_not_available_without_view_difficulty(world: World) -> None:
    _households(world)
    district_staff = make_staff(role=Role.DISTRICT_STAFF, place=world.tree.district, username="donghu")
    figures = _figures(district_staff, world.tree.community, JUNE)
    assert (figures.households, figures.households_paired) == (None, None)
    assert figures.members_registered == 0  # the rest is there
    response = _client(district_staff).get(
        URL, {"area": world.tree.community.code, "period": "custom", "from": "2025-06-01", "to": "2025-06-30"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="figure-households">' in page
    assert "shortcut-households" not in page
    assert all("households" not in str(h.key) for h in response.context["headers"])
    export = _client(district_staff).get(
        reverse("party:overview-export"),
        {"area": world.tree.community.code, "period": "custom", "from": "2025-06-01", "to": "2025-06-30"},
    )
    sheet = load_workbook(io.BytesIO(export.content)).active
    row = [cell.value for cell in sheet[2]]
    households_column = 2 + FIGURE_KEYS.index("households")
    assert isinstance(row[households_column], str)
    # The community's own staff see them.
    mine = _client(world.staff).get(
        URL, {"area": world.tree.community.code, "period": "custom", "from": "2025-06-01", "to": "2025-06-30"}
    )
    assert mine.context["overview"].figures.households == 2
    assert "shortcut-households" in mine.content.decode()


def test_another_street_or_community_is_not_found(world: World) -> None:
    other_street = _client(make_staff(role=Role.STREET_STAFF, place=world.tree.street2, username="linchuan"))
    assert other_street.get(URL, {"area": world.tree.street.code}).status_code == 404
    assert other_street.get(URL, {"area": world.tree.community.code}).status_code == 404
    assert other_street.get(reverse("party:overview-export"), {"area": world.tree.street.code}).status_code == 404
    community_staff = _client(world.staff)
    assert community_staff.get(URL, {"area": world.tree.community2.code}).status_code == 404
    assert community_staff.get(URL, {"area": world.tree.street.code}).status_code == 404  # above their post
    assert community_staff.get(URL, {"area": "no-such-code"}).status_code == 404
    with pytest.raises(Http404):
        party_figures(user=world.staff, place=world.tree.street, period=JUNE)


def test_rows_outside_the_place_are_never_counted(world: World) -> None:
    other_street_community = make_place("community", world.tree.street2, 1, "临川社区")
    other_grid = make_place("grid", other_street_community, 1, "临川第一网格")
    other_building = make_place("microgrid", other_grid, 1, "临川1号楼")
    district_staff = make_staff(role=Role.DISTRICT_STAFF, place=world.tree.district, username="donghu")
    pending = submit(world, community=other_street_community, building=other_building)
    member = registration_confirm(actor=district_staff, registration=pending, expected_version=pending.version)
    registered_since(member, at("2025-06-10 09:00"))
    done_order(member, completed_at=at("2025-06-11 10:00"))
    assert _figures(world.street_staff, world.tree.street, JUNE).members_registered == 0
    assert _figures(world.street_staff, world.tree.street, JUNE).orders_completed == 0
    district = _figures(district_staff, world.tree.district, JUNE)
    assert (district.members_registered, district.orders_completed) == (1, 1)


def test_the_default_unit_is_the_first_of_the_users_posts_and_children_are_compared(world: World) -> None:
    registered_since(confirmed(world), at("2025-06-10 09:00"))
    response = _client(world.street_staff).get(URL, {"period": "custom", "from": "2025-06-01", "to": "2025-06-30"})
    assert response.status_code == 200
    assert response.context["overview"].place == world.tree.street
    table = response.context["table"]
    assert [row["place"] for row in table] == [world.tree.street, world.tree.community, world.tree.community2]
    members = [row["values"][0] for row in table]
    assert members == [1, 1, 0]


def test_this_month_and_this_year_are_the_default_choices(world: World) -> None:
    client = _client(world.staff)
    today = timezone.localdate()
    month = client.get(URL).context["overview"].period
    assert (month.first_day, month.last_day.month) == (today.replace(day=1), today.month)
    year = client.get(URL, {"period": "year"}).context["overview"].period
    assert (year.first_day, year.last_day) == (date(today.year, 1, 1), date(today.year, 12, 31))


# --- bad periods ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field", "name"),
    [
        ({"period": "custom", "from": "2025-13-01", "to": "2025-06-30"}, "start", "from"),
        ({"period": "custom", "from": "2025-06-01"}, "end", "to"),
        ({"period": "custom", "from": "2025-06-30", "to": "2025-06-01"}, "end", "to"),
        ({"period": "custom", "from": "1990-01-01", "to": "2025-06-01"}, "end", "to"),
        ({"period": "decade"}, "period", "period"),
    ],
)
def test_a_bad_period_is_refused_naming_the_field(world: World, query: dict[str, str], field: str, name: str) -> None:
    client = _client(world.staff)
    response = client.get(URL, query)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    export = client.get(reverse("party:overview-export"), query)
    assert export.status_code == 400
    assert export.content.decode().startswith(f"{name}:")


# --- the community's lists and the export ---------------------------------------------------------------------------


def test_a_community_links_to_its_lists_with_their_counts(world: World) -> None:
    confirmed(world)
    response = _client(world.staff).get(URL, {"area": world.tree.community.code})
    shortcuts = {s["key"]: s for s in response.context["shortcuts"]}
    assert shortcuts["members"]["count"] == 1
    assert shortcuts["members"]["url"] == f"{reverse('party:registered-members')}?community={world.tree.community.code}"
    assert shortcuts["wishes"]["url"].startswith(reverse("wishes:list"))
    assert "state=published" in shortcuts["wishes"]["url"]
    assert shortcuts["orders"]["url"] == f"{reverse('volunteers:order-list')}?state=ordered"
    assert "paired=no" in shortcuts["households"]["url"]
    street = _client(world.street_staff).get(URL, {"area": world.tree.street.code})
    assert street.context["shortcuts"] == []


def test_the_exports_rows_equal_the_pages_figures(world: World) -> None:
    point_rules()
    member = registered_since(confirmed(world), at("2025-06-10 09:00"))
    order = done_order(member, completed_at=at("2025-06-11 10:00"), hours="2.5")
    earn(member, basis=PointBasis.SERVICE_HOUR, quantity=2.5, source=Source("order", order.pk), on=date(2025, 6, 11))
    claimed_wish(member, fulfilled_at=at("2025-06-20 10:00"), confirmed_at=at("2025-06-21 10:00"))
    _households(world)
    query = {"area": world.tree.street.code, "period": "custom", "from": "2025-06-01", "to": "2025-06-30"}
    client = _client(world.street_staff)
    page = client.get(URL, query)
    export = client.get(reverse("party:overview-export"), query)
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    table = page.context["table"]
    assert [row[1] for row in rows] == [row["place"].code for row in table]
    for exported, shown in zip(rows, table, strict=True):
        numbers = [Decimal(str(v)) for v in exported[2:]]
        assert numbers == [Decimal(str(v)) for v in shown["values"]]
    street_row = rows[0]
    assert street_row[2 + FIGURE_KEYS.index("orders_completed")] == 1
    assert street_row[2 + FIGURE_KEYS.index("service_hours")] == 2.5
    assert street_row[2 + FIGURE_KEYS.index("households")] == 2
    assert street_row[2 + FIGURE_KEYS.index("points_earned")] == 25
