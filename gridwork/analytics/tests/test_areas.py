"""Which units a user may analyse (``analytics.areas``): the areas under their posts down to the grid, a department's
handler their department only; a unit outside the scope — sibling, parent, another department — is not found, in
the selectors and on the pages alike."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.analytics.areas import (
    DEPARTMENT_PREFIX,
    AreaNotFound,
    area_for,
    area_of_place,
    root_areas,
    visible_departments,
)
from gridwork.analytics.models import AnalyticsSettings, UnitKind
from gridwork.analytics.selectors import notice_list, ranking, ranking_units
from gridwork.analytics.tests.factories import Town, month
from gridwork.places.models import Department, Place, PlaceLevel
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


def dept(department: Department) -> str:
    return f"{DEPARTMENT_PREFIX}{department.code}"


def staff(role: str, place: Place, department: Department | None = None) -> User:
    return make_staff(role=role, place=place, department=department, username=f"{role}-{place.code}")


def codes(user: User) -> list[str]:
    return [area.code for area in root_areas(user)]


def test_street_staff_see_their_street_and_below_not_a_sibling_or_parent(tree: CityTree) -> None:
    user = staff(Role.STREET_STAFF, tree.street)
    assert codes(user) == [tree.street.code]
    assert area_for(user, None).code == tree.street.code  # no code: their first unit
    for place in (tree.street, tree.community, tree.community2, tree.grid, tree.grid2):
        found = area_for(user, place.code)
        assert (found.unit_kind, found.unit_id) == (place.level, place.pk)
    for place in (tree.street2, tree.district, tree.city, tree.district2):
        with pytest.raises(AreaNotFound):
            area_for(user, place.code)
    # the district's department is not placed under the street
    with pytest.raises(AreaNotFound):
        area_for(user, dept(tree.department))


def test_community_staff_cannot_select_the_sibling_community(tree: CityTree) -> None:
    user = staff(Role.COMMUNITY_STAFF, tree.community)
    assert area_for(user, tree.community.code).unit_id == tree.community.pk
    assert area_for(user, tree.grid2.code).unit_id == tree.grid2.pk
    sibling_grid = Place.objects.get(parent=tree.community2, level=PlaceLevel.GRID)
    for code in (tree.community2.code, sibling_grid.code, tree.street.code):
        with pytest.raises(AreaNotFound):
            area_for(user, code)


def test_a_department_handler_sees_only_their_department(town: Town) -> None:
    tree = town.tree
    handler = town.department_handler(tree.department)
    assert codes(handler) == [dept(tree.department)]
    own = area_for(handler, None)
    assert (own.unit_kind, own.unit_id, own.is_department) == (UnitKind.DEPARTMENT, tree.department.pk, True)
    assert own.children() == []
    assert own.ancestors() == []
    assert visible_departments(handler) == [tree.department]
    # not the other department of the same district, not the district the department is placed at, nor any place
    for code in (dept(town.department2), dept(tree.dispatch_centre), tree.district.code, tree.grid.code):
        with pytest.raises(AreaNotFound):
            area_for(handler, code)
    assert [unit.unit_id for unit in ranking_units(handler, UnitKind.DEPARTMENT)] == [tree.department.pk]
    assert ranking_units(handler, UnitKind.STREET) == []


def test_district_staff_see_the_departments_placed_in_their_district(town: Town) -> None:
    tree = town.tree
    user = staff(Role.DISTRICT_STAFF, tree.district)
    assert area_for(user, dept(tree.department)).unit_id == tree.department.pk
    assert area_for(user, dept(town.department2)).unit_id == town.department2.pk
    with pytest.raises(AreaNotFound):  # the city's dispatch centre is placed above the district
        area_for(user, dept(tree.dispatch_centre))
    other = staff(Role.DISTRICT_STAFF, tree.district2)
    with pytest.raises(AreaNotFound):
        area_for(other, dept(tree.department))


def test_a_grid_worker_sees_their_grid(tree: CityTree) -> None:
    user = staff(Role.GRID_WORKER, tree.grid)
    assert codes(user) == [tree.grid.code]
    grid = area_for(user, tree.grid.code)
    assert (grid.unit_kind, grid.unit_id, grid.children()) == (UnitKind.GRID, tree.grid.pk, [])
    for place in (tree.grid2, tree.community):
        with pytest.raises(AreaNotFound):
            area_for(user, place.code)


def test_unknown_codes_places_below_the_grid_and_anonymous_users_are_not_found(tree: CityTree) -> None:
    from django.contrib.auth.models import AnonymousUser

    city_staff = staff(Role.CITY_STAFF, tree.city)
    city = area_for(city_staff, tree.city.code)
    assert (city.unit_kind, city.unit_id) == (UnitKind.CITY, 0)  # the city's rows are unit 0
    for code in ("999999999999", tree.microgrid.code, tree.household.code, f"{DEPARTMENT_PREFIX}NOPE"):
        with pytest.raises(AreaNotFound):
            area_for(city_staff, code)
    with pytest.raises(AreaNotFound):
        area_for(AnonymousUser(), None)
    with pytest.raises(AreaNotFound):
        area_for(AnonymousUser(), tree.city.code)


def test_an_inactive_post_gives_no_scope(tree: CityTree) -> None:
    user = staff(Role.STREET_STAFF, tree.street)
    user.posts.update(is_active=False)
    user = User.objects.get(pk=user.pk)
    assert root_areas(user) == []
    with pytest.raises(AreaNotFound):
        area_for(user, tree.street.code)


def test_drill_down_children_and_breadcrumb(tree: CityTree) -> None:
    community = area_of_place(tree.community)
    assert [child.code for child in community.children()] == [tree.grid.code, tree.grid2.code]
    assert [parent.code for parent in area_of_place(tree.grid).ancestors()] == [
        tree.city.code,
        tree.district.code,
        tree.street.code,
        tree.community.code,
    ]
    assert area_of_place(tree.grid).children() == []  # micro-grids are not analysed


def test_rankings_and_notices_of_a_community_leave_out_the_sibling(town: Town) -> None:
    tree = town.tree
    user = staff(Role.COMMUNITY_STAFF, tree.community)
    # a matter in each community, both with their accept deadline passed
    for where in ("grid", "community2"):
        matter = town.file(at="2026-11-02 08:30", where=where)
        town.dispatch(matter, at="2026-11-02 09:00")
    assert town.sweep("2026-11-02 11:05").red == 2
    rows = ranking(user, UnitKind.COMMUNITY, month("2026-11"))
    assert [row.area.unit_id for row in rows] == [tree.community.pk]
    city_staff = staff(Role.CITY_STAFF, tree.city)
    assert {row.area.unit_id for row in ranking(city_staff, UnitKind.COMMUNITY, month("2026-11"))} >= {
        tree.community.pk,
        tree.community2.pk,
    }
    AnalyticsSettings.objects.update_or_create(pk=1, defaults={"notice_overdue": 1})
    assert [row.area.unit_id for row in notice_list(user, UnitKind.COMMUNITY, month("2026-11"))] == [tree.community.pk]
    assert {row.area.unit_id for row in notice_list(city_staff, UnitKind.COMMUNITY, month("2026-11"))} == {
        tree.community.pk,
        tree.community2.pk,
    }


def test_the_pages_answer_404_for_a_unit_outside_the_scope(client: Client, tree: CityTree) -> None:
    user = staff(Role.COMMUNITY_STAFF, tree.community)
    client.force_login(user)
    url = reverse("analytics:data")
    assert client.get(url, {"area": tree.community.code, "period": "month", "on": "2026-11"}).status_code == 200
    for code in (tree.community2.code, tree.street.code, dept(tree.department)):
        assert client.get(url, {"area": code, "period": "month", "on": "2026-11"}).status_code == 404, code
    assert client.get(reverse("analytics:dashboard"), {"area": tree.community2.code}).status_code == 404
