"""The 民情图's layers: positions fall back to the nearest positioned ancestor; no household of another unit in any
layer; the layer of households in difficulty refused (403) without VIEW_DIFFICULTY, without names or kinds, and
audited at every load."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.audit.models import AuditEvent
from gridwork.care import services as care
from gridwork.care.models import Difficulty
from gridwork.gridvisits.layers import positions
from gridwork.gridvisits.tests.factories import VisitWorld, days_ago, visit
from gridwork.places.models import Place

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def mapped(world: VisitWorld) -> VisitWorld:
    """Buildings with coordinates (the households have none), a visit with an open need in both communities, and a
    household in difficulty in both."""
    Place.objects.filter(pk=world.tree.microgrid.pk).update(latitude=26.601, longitude=106.701)
    Place.objects.filter(pk=world.household2.parent_id).update(latitude=26.611, longitude=106.721)
    visit(world, visited_on=days_ago(0))
    visit(world, by=world.staff2, household=world.household2, visited_on=days_ago(0))
    care.household_flag(
        actor=world.staff, household=world.household, kinds=[Difficulty.ELDERLY_ALONE], since=days_ago(9)
    )
    care.household_flag(
        actor=world.staff2, household=world.household2, kinds=[Difficulty.DISABILITY], since=days_ago(9)
    )
    return world


def _get(user: User, name: str, **params: Any) -> Any:
    return client_for(user).get(reverse(f"gridvisits:{name}"), params)


def test_a_household_without_coordinates_stands_at_its_nearest_positioned_ancestor(mapped: VisitWorld) -> None:
    Place.objects.filter(pk=mapped.tree.community.pk).update(latitude=26.0, longitude=106.0)
    household = Place.objects.get(pk=mapped.household.pk)
    grid2_household = Place.objects.get(pk=mapped.household_grid2.pk)
    found = positions([household, grid2_household])
    assert found[household.pk] == (26.601, 106.701)  # its building
    assert found[grid2_household.pk] == (26.0, 106.0)  # no building or grid position: its community


@pytest.mark.parametrize("layer", ["map-visited", "map-needs"])
def test_no_household_of_another_unit_in_any_layer(mapped: VisitWorld, layer: str) -> None:
    for user, own, other in ((mapped.grid_worker, mapped.household, mapped.household2),
                             (mapped.staff2, mapped.household2, mapped.household)):  # fmt: skip
        response = _get(user, layer)
        assert response.status_code == 200
        codes = [feature["properties"]["code"] for feature in json.loads(response.content)["features"]]
        assert codes == [own.code]
        assert other.code not in response.content.decode()


def test_the_difficulty_layer_is_refused_without_view_difficulty(mapped: VisitWorld) -> None:
    district = make_staff(role=Role.DISTRICT_STAFF, place=mapped.tree.district, username="district")
    assert _get(district, "map-difficulty").status_code == 403
    assert _get(mapped.department, "map-difficulty").status_code == 403
    assert not AuditEvent.objects.filter(action="gridvisits.map.difficulty").exists()
    page = _get(district, "map")
    assert page.status_code == 200
    assert 'data-difficulty=""' in page.content.decode()


def test_the_difficulty_layer_shows_counts_only_within_scope_and_is_audited(mapped: VisitWorld) -> None:
    response = _get(mapped.grid_worker, "map-difficulty")
    assert response.status_code == 200
    features = json.loads(response.content)["features"]
    assert [feature["properties"] for feature in features] == [{"households": 1}]
    assert features[0]["geometry"]["coordinates"] == [106.701, 26.601]
    text = response.content.decode()
    for secret in (mapped.household.code, mapped.household.address, Difficulty.ELDERLY_ALONE, "elderly"):
        assert secret not in text
    _get(mapped.grid_worker, "map-difficulty")
    loads = AuditEvent.objects.filter(action="gridvisits.map.difficulty", actor=mapped.grid_worker)
    assert loads.count() == 2
    assert loads.first() is not None
    assert loads.first().detail["households"] == 1
    street = json.loads(_get(mapped.street, "map-difficulty").content)
    assert sum(feature["properties"]["households"] for feature in street["features"]) == 2


def test_a_household_in_difficulty_is_never_drawn_at_its_own_door(mapped: VisitWorld) -> None:
    """A point on the household's own coordinates marked "in difficulty" identifies it: the layer draws it at its
    building instead (the other layers may use the household's own position)."""
    Place.objects.filter(pk=mapped.household.pk).update(latitude=26.6055, longitude=106.7055)
    features = json.loads(_get(mapped.grid_worker, "map-difficulty").content)["features"]
    assert [feature["geometry"]["coordinates"] for feature in features] == [[106.701, 26.601]]
    assert "106.7055" not in json.dumps(features)
    visited = json.loads(_get(mapped.grid_worker, "map-visited").content)["features"]
    assert visited[0]["geometry"]["coordinates"] == [106.7055, 26.6055]
