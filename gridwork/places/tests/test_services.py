"""Writing places (gridwork/places/services.py): create, update, move and boundaries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.audit.models import AuditEvent
from gridwork.places.locating import current_boundary_version
from gridwork.places.models import Place
from gridwork.places.services import boundary_set, place_create, place_errors, place_move, place_update
from gridwork.places.tests.factories import CityTree, make_place, square


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The messages are checked in their English source text, whatever translations exist."""
    with translation.override("en"):
        yield


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


@pytest.fixture
def street_staff(tree: CityTree) -> User:
    return make_staff(role=Role.STREET_STAFF, place=tree.street, username="street1")


# --- rules -----------------------------------------------------------------------------------------------


def test_place_errors_accepts_a_valid_grid() -> None:
    assert (
        place_errors(
            code="520102001001003",
            name="第三网格",
            level="grid",
            parent_code="520102001001",
            parent_level="community",
        )
        == {}
    )


def test_place_errors_reports_every_field_at_once() -> None:
    errors = place_errors(
        code="520102001001",
        name=" ",
        level="grid",
        parent_code="520102001001",
        parent_level="street",
        households=-1,
        population=-5,
        address="路" * 201,
        latitude=95.0,
        longitude=None,
    )
    assert set(errors) == {
        "parent",
        "code",
        "name",
        "households",
        "population",
        "address",
        "latitude",
        "longitude",
    }
    assert "must be a Community" in errors["parent"]


def test_place_errors_does_not_repeat_a_missing_parent_on_the_code() -> None:
    errors = place_errors(code="520102001001003", name="x", level="grid", parent_code=None, parent_level=None)
    assert set(errors) == {"parent"}


# --- create ----------------------------------------------------------------------------------------------


def test_create_a_grid_writes_path_and_audit(tree: CityTree, street_staff: User) -> None:
    grid = place_create(
        actor=street_staff,
        code=tree.community.code + "003",
        name="春晖社区第三网格",
        level="grid",
        parent=tree.community,
        households=120,
        latitude=26.605,
        longitude=106.725,
    )
    assert grid.path == f"{tree.community.path}{grid.code}/"
    assert grid.parent == tree.community
    event = AuditEvent.objects.get(action="place.create")
    assert event.actor == street_staff
    assert event.object_id == str(grid.pk)


def test_create_refuses_bad_values_with_field_errors(tree: CityTree, street_staff: User) -> None:
    before = Place.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        place_create(
            actor=street_staff,
            code=tree.grid.code,  # taken, and a grid code under a street
            name="",
            level="grid",
            parent=tree.street,
            latitude=26.6,
        )
    errors = errors_of(excinfo)
    assert {"parent", "name", "longitude"} <= set(errors)
    assert Place.objects.count() == before
    assert not AuditEvent.objects.filter(action="place.create").exists()


def test_create_refuses_a_taken_code(tree: CityTree, street_staff: User) -> None:
    with pytest.raises(ValidationError) as excinfo:
        place_create(actor=street_staff, code=tree.grid.code, name="重复", level="grid", parent=tree.community)
    assert tree.grid.name in errors_of(excinfo)["code"][0]


def test_create_refuses_a_code_not_under_its_parent(tree: CityTree, street_staff: User) -> None:
    with pytest.raises(ValidationError) as excinfo:
        place_create(
            actor=street_staff, code=tree.community2.code + "009", name="错位", level="grid", parent=tree.community
        )
    assert "does not start with" in errors_of(excinfo)["code"][0]


def test_create_outside_scope_is_denied(tree: CityTree) -> None:
    other = make_staff(role=Role.STREET_STAFF, place=tree.street2, username="street2")
    with pytest.raises(PermissionDenied):
        place_create(actor=other, code=tree.community.code + "004", name="越权", level="grid", parent=tree.community)
    assert not Place.objects.filter(code=tree.community.code + "004").exists()


def test_only_the_system_creates_a_city(db: None) -> None:
    city = place_create(actor=None, code="330600000000", name="越州市", level="city", parent=None)
    assert city.path == "/330600000000/"


def test_create_with_a_boundary_overlapping_a_sibling_names_it(tree: CityTree, street_staff: User) -> None:
    version = current_boundary_version()
    with pytest.raises(ValidationError) as excinfo:
        place_create(
            actor=street_staff,
            code=tree.community.code + "003",
            name="重叠网格",
            level="grid",
            parent=tree.community,
            boundary=square(106.705, 26.60),
        )
    message = errors_of(excinfo)["boundary"][0]
    assert tree.grid.name in message
    assert tree.grid2.name in message
    assert current_boundary_version() == version


def test_create_with_a_boundary_moves_the_boundary_version(tree: CityTree, street_staff: User) -> None:
    version = current_boundary_version()
    grid = place_create(
        actor=street_staff,
        code=tree.community.code + "003",
        name="新网格",
        level="grid",
        parent=tree.community,
        boundary=square(106.69, 26.60),  # shares an edge with the first grid
    )
    assert grid.boundary is not None
    assert current_boundary_version() == version + 1


# --- update ----------------------------------------------------------------------------------------------


def test_update_changes_only_given_fields(tree: CityTree, street_staff: User) -> None:
    place_update(actor=street_staff, place=tree.grid, households=333, address="春晖路")
    grid = Place.objects.get(pk=tree.grid.pk)
    assert (grid.households, grid.address, grid.name) == (333, "春晖路", tree.grid.name)
    event = AuditEvent.objects.get(action="place.update")
    assert event.detail == {"households": [320, 333], "address": ["", "春晖路"]}


def test_update_refuses_bad_values(tree: CityTree, street_staff: User) -> None:
    with pytest.raises(ValidationError) as excinfo:
        place_update(actor=street_staff, place=tree.grid, latitude=91.0, longitude=106.7)
    assert "latitude" in errors_of(excinfo)
    assert Place.objects.get(pk=tree.grid.pk).latitude is None


def test_update_without_change_writes_no_audit(tree: CityTree, street_staff: User) -> None:
    place_update(actor=street_staff, place=tree.grid, name=tree.grid.name)
    assert not AuditEvent.objects.filter(action="place.update").exists()


# --- move ------------------------------------------------------------------------------------------------


def test_move_a_grid_rewrites_the_subtree_paths_and_codes(
    tree: CityTree, street_staff: User, django_assert_max_num_queries: Any
) -> None:
    for sequence in range(2, 22):  # a bigger subtree must not take more queries
        make_place("household", tree.microgrid, sequence, f"1号楼{sequence}室")
    new_code = tree.community2.code + "005"
    with django_assert_max_num_queries(16):
        moved = place_move(actor=street_staff, place=tree.grid, parent=tree.community2, code=new_code)

    assert moved.code == new_code
    assert moved.parent_id == tree.community2.pk
    assert moved.path == f"{tree.community2.path}{new_code}/"
    microgrid = Place.objects.get(pk=tree.microgrid.pk)
    household = Place.objects.get(pk=tree.household.pk)
    assert microgrid.code == new_code + tree.microgrid.code[15:]
    assert microgrid.path == f"{moved.path}{microgrid.code}/"
    assert household.code == new_code + tree.household.code[15:]
    assert household.path == f"{microgrid.path}{household.code}/"
    assert household.parent_id == microgrid.pk
    assert Place.objects.filter(path__startswith=moved.path).count() == 23
    assert Place.objects.filter(code__startswith=tree.grid.code).count() == 0
    assert Place.objects.filter(path__startswith=tree.community.path).count() == 2  # the community and grid2
    event = AuditEvent.objects.get(action="place.move")
    assert event.detail["places_moved"] == 23
    assert event.detail["old_code"] == tree.grid.code


def test_move_without_a_fitting_code_suggests_one(tree: CityTree, street_staff: User) -> None:
    with pytest.raises(ValidationError) as excinfo:
        place_move(actor=street_staff, place=tree.grid, parent=tree.community2)
    assert tree.community2.code + "002" in errors_of(excinfo)["code"][0]
    assert Place.objects.get(pk=tree.grid.pk).parent_id == tree.community.pk


@pytest.mark.parametrize("target", ["street", "community"])
def test_move_under_itself_or_a_descendant_is_refused(tree: CityTree, street_staff: User, target: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        place_move(actor=street_staff, place=tree.street, parent=getattr(tree, target))
    assert "cannot move under itself" in errors_of(excinfo)["parent"][0]
    assert Place.objects.get(pk=tree.street.pk).path == tree.street.path


def test_move_under_a_parent_of_the_wrong_level_is_refused(tree: CityTree, street_staff: User) -> None:
    with pytest.raises(ValidationError) as excinfo:
        place_move(actor=street_staff, place=tree.grid, parent=tree.street)
    assert "must be a" in errors_of(excinfo)["parent"][0]


def test_move_into_a_unit_outside_scope_is_denied(tree: CityTree) -> None:
    other_district = make_staff(role=Role.DISTRICT_STAFF, place=tree.district2, username="d2")
    with pytest.raises(PermissionDenied):
        place_move(actor=other_district, place=tree.grid, parent=tree.community2, code=tree.community2.code + "005")


def test_move_to_an_overlapping_neighbour_is_refused(tree: CityTree, street_staff: User) -> None:
    place_create(
        actor=street_staff,
        code=tree.community2.code + "002",
        name="秋实社区第二网格",
        level="grid",
        parent=tree.community2,
        boundary=square(106.705, 26.60),
    )
    with pytest.raises(ValidationError) as excinfo:
        place_move(actor=street_staff, place=tree.grid, parent=tree.community2, code=tree.community2.code + "005")
    assert "秋实社区第二网格" in errors_of(excinfo)["parent"][0]


# --- boundaries ------------------------------------------------------------------------------------------


def test_boundary_set_saves_and_moves_the_version(tree: CityTree, street_staff: User) -> None:
    version = current_boundary_version()
    boundary_set(actor=street_staff, place=tree.grid, geometry=square(106.70, 26.60, size=0.005))
    assert Place.objects.get(pk=tree.grid.pk).boundary == square(106.70, 26.60, size=0.005)
    assert current_boundary_version() == version + 1
    assert AuditEvent.objects.get(action="place.boundary_set").detail["area_m2"] > 0


def test_boundary_set_refuses_a_bow_tie(tree: CityTree, street_staff: User) -> None:
    bow_tie = {
        "type": "Polygon",
        "coordinates": [[[106.7, 26.6], [106.71, 26.61], [106.71, 26.6], [106.7, 26.61], [106.7, 26.6]]],
    }
    version = current_boundary_version()
    with pytest.raises(ValidationError) as excinfo:
        boundary_set(actor=street_staff, place=tree.grid, geometry=bow_tie)
    assert "Self-intersection" in errors_of(excinfo)["boundary"][0]
    assert Place.objects.get(pk=tree.grid.pk).boundary == tree.grid.boundary
    assert current_boundary_version() == version


def test_boundary_set_refuses_overlap_with_a_sibling_grid(tree: CityTree, street_staff: User) -> None:
    with pytest.raises(ValidationError) as excinfo:
        boundary_set(actor=street_staff, place=tree.grid, geometry=square(106.705, 26.60))
    assert tree.grid2.name in errors_of(excinfo)["boundary"][0]


def test_boundary_may_overlap_a_grid_of_another_community(tree: CityTree, street_staff: User) -> None:
    # The grid of 秋实社区 lies at 106.72; only siblings in the same community are compared.
    boundary_set(actor=street_staff, place=tree.grid2, geometry=square(106.715, 26.60))
    assert Place.objects.get(pk=tree.grid2.pk).boundary == square(106.715, 26.60)


def test_boundary_set_none_clears(tree: CityTree, street_staff: User) -> None:
    boundary_set(actor=street_staff, place=tree.grid, geometry=None)
    assert Place.objects.get(pk=tree.grid.pk).boundary is None
    assert AuditEvent.objects.filter(action="place.boundary_clear").exists()


def test_boundary_set_outside_scope_is_denied(tree: CityTree) -> None:
    other = make_staff(role=Role.STREET_STAFF, place=tree.street2, username="street2")
    with pytest.raises(PermissionDenied):
        boundary_set(actor=other, place=tree.grid, geometry=square(106.70, 26.60, size=0.005))
