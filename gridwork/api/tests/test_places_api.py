"""/api/v1/places/, /departments/ and /categories/: scoped to the user's area; categories open to all signed in."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.api.tests.conftest import ClientFor
from gridwork.matters.models import Category, CategoryQuestion
from gridwork.matters.tests.factories import LoopStaff
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db

PLACES = "/api/v1/places/"
DEPARTMENTS = "/api/v1/departments/"
CATEGORIES = "/api/v1/categories/"


def _codes(response: Any) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["code"] for row in response.json()["results"]]


def _subtree(tree: CityTree) -> list[str]:
    return [place.code for place in (tree.community, tree.grid, tree.grid2, tree.microgrid, tree.household)]


def test_places_list_only_the_users_subtree(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    response = client_for(staff.community).get(PLACES)
    assert sorted(_codes(response)) == sorted(_subtree(tree))
    assert response.json()["count"] == 5
    assert tree.community2.code not in _codes(client_for(staff.community).get(PLACES, {"page_size": 500}))
    sibling = _codes(client_for(staff.other_community).get(PLACES))
    assert tree.community2.code in sibling
    assert tree.community.code not in sibling


def test_a_place_outside_the_area_is_404_like_one_that_does_not_exist(
    tree: CityTree, staff: LoopStaff, client_for: ClientFor
) -> None:
    client = client_for(staff.community)
    own = client.get(f"{PLACES}{tree.grid.code}/")
    assert own.status_code == 200
    assert own.json()["boundary"]["type"] == "Polygon"
    assert (own.json()["parent"], own.json()["level"]) == (tree.community.code, "grid")
    for code in (tree.community2.code, tree.street.code, tree.city.code, "520199999999"):
        response = client.get(f"{PLACES}{code}/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_places_filter_by_level_parent_and_words(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    client = client_for(staff.dispatcher)
    assert _codes(client.get(PLACES, {"level": "grid"})) == [tree.grid.code, tree.grid2.code, _sibling_grid(tree)]
    assert _codes(client.get(PLACES, {"parent": tree.community.code})) == [tree.grid.code, tree.grid2.code]
    assert _codes(client.get(PLACES, {"q": "第二网格"})) == [tree.grid2.code]
    assert _codes(client.get(PLACES, {"q": tree.microgrid.code})) == [tree.microgrid.code, tree.household.code]
    assert _codes(client.get(PLACES, {"level": "district"})) == []
    outside = client_for(staff.community).get(PLACES, {"parent": tree.community2.code})
    assert outside.status_code == 400
    assert "parent" in outside.json()["errors"]


def _sibling_grid(tree: CityTree) -> str:
    return tree.community2.children.get().code


@pytest.mark.parametrize(
    ("query", "field"),
    [({"level": "planet"}, "level"), ({"parent": "520199999999"}, "parent"), ({"q": "x" * 101}, "q")],
)
def test_a_bad_place_filter_is_400_naming_it(
    staff: LoopStaff, client_for: ClientFor, query: dict[str, str], field: str
) -> None:
    response = client_for(staff.community).get(PLACES, query)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_places_come_a_page_at_a_time(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    client = client_for(staff.community)
    seen: list[str] = []
    url: str | None = f"{PLACES}?page_size=2"
    pages = 0
    while url:
        response = client.get(url)
        assert response.json()["count"] == 5
        seen += _codes(response)
        url = response.json()["next"]
        pages += 1
    assert pages == 3
    assert seen == sorted(_subtree(tree))
    assert client.get(PLACES, {"page": 9}).status_code == 404


def test_departments_are_those_of_the_users_area(tree: CityTree, staff: LoopStaff, client_for: ClientFor) -> None:
    district = make_staff(role=Role.DISTRICT_STAFF, place=tree.district, username="district")
    district2 = make_staff(role=Role.DISTRICT_STAFF, place=tree.district2, username="district2")
    assert _codes(client_for(district).get(DEPARTMENTS)) == [tree.department.code]
    assert _codes(client_for(district2).get(DEPARTMENTS)) == []
    assert _codes(client_for(staff.community).get(DEPARTMENTS)) == []
    city = client_for(staff.operator)
    assert _codes(city.get(DEPARTMENTS)) == sorted([tree.department.code, tree.dispatch_centre.code])
    assert _codes(city.get(DEPARTMENTS, {"place": tree.district.code})) == [tree.department.code]
    row = city.get(DEPARTMENTS, {"place": tree.city.code}).json()["results"][0]
    assert (row["code"], row["place"], row["kind"]) == (tree.dispatch_centre.code, tree.city.code, "dispatch_centre")
    refused = client_for(district2).get(DEPARTMENTS, {"place": tree.district.code})
    assert refused.status_code == 400
    assert "place" in refused.json()["errors"]


def test_categories_are_open_to_every_signed_in_user_and_filter(staff: LoopStaff, client_for: ClientFor) -> None:
    client = client_for(staff.department)
    first_level = client.get(CATEGORIES, {"level": 1, "page_size": 500})
    assert "G1" in _codes(first_level)
    assert {row["level"] for row in first_level.json()["results"]} == {1}
    children = _codes(client.get(CATEGORIES, {"parent": "G1.01", "page_size": 500}))
    assert "G1.01.002" in children
    assert all(code.startswith("G1.01.") for code in children)
    Category.objects.filter(code="G1.01.002").update(is_active=False)
    assert "G1.01.002" not in _codes(client.get(CATEGORIES, {"parent": "G1.01", "page_size": 500}))
    assert "G1.01.002" in _codes(client.get(CATEGORIES, {"parent": "G1.01", "active": "false", "page_size": 500}))
    assert client.get(CATEGORIES, {"level": 4}).status_code == 400
    assert APIClient().get(CATEGORIES).status_code == 401


def test_categories_come_a_page_at_a_time(staff: LoopStaff, client_for: ClientFor) -> None:
    client = client_for(staff.department)
    total = Category.objects.filter(is_active=True).count()
    first = client.get(CATEGORIES, {"page_size": 3})
    assert first.json()["count"] == total
    assert len(_codes(first)) == 3
    second = client.get(first.json()["next"])
    assert not set(_codes(first)) & set(_codes(second))
    assert second.json()["previous"]


def test_a_category_shows_its_active_questions(staff: LoopStaff, client_for: ClientFor) -> None:
    lamp = Category.objects.get(code="G1.01.002")
    CategoryQuestion.objects.create(
        category=lamp,
        code="lamp_kind",
        question="What kind of lamp?",
        datatype="singlevaluelist",
        required=True,
        values=[{"key": "street", "name": "Street lamp"}, {"key": "yard", "name": "Yard lamp"}],
        order=1,
    )
    CategoryQuestion.objects.create(
        category=lamp, code="old", question="Old question", datatype="string", is_active=False
    )
    response = client_for(staff.department).get(f"{CATEGORIES}G1.01.002/")
    assert response.status_code == 200
    data = response.json()
    assert (data["code"], data["parent"], data["level"]) == ("G1.01.002", "G1.01", 3)
    assert data["questions"] == [
        {
            "code": "lamp_kind",
            "question": "What kind of lamp?",
            "datatype": "singlevaluelist",
            "required": True,
            "datatype_description": "",
            "values": [{"key": "street", "name": "Street lamp"}, {"key": "yard", "name": "Yard lamp"}],
            "order": 1,
        }
    ]
    assert client_for(staff.department).get(f"{CATEGORIES}NO.SUCH/").status_code == 404
