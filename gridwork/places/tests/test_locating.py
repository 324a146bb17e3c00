"""Tests of gridwork.places.locating: the grid of a point, the nearest grid, errors and reloading."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from gridwork.places import locating
from gridwork.places.locating import (
    METRES_PER_DEGREE,
    GridIndex,
    InvalidCoordinatesError,
    Location,
    OutsideServiceAreaError,
    boundaries_changed,
    current_boundary_version,
    get_grid_index,
    locate,
)
from gridwork.places.models import BoundaryVersion, Place
from gridwork.places.tests.factories import CityTree, make_place, square

# The tree's three grid squares, 0.01° wide, side by side: grid at 106.70, grid2 at 106.71, the third at 106.72.
SOUTH = 26.60
MIDDLE_LAT = 26.605


def metres_to_lat(metres: float) -> float:
    return metres / METRES_PER_DEGREE


@pytest.fixture(autouse=True)
def fresh_index() -> Iterator[None]:
    locating.drop_grid_index()
    yield
    locating.drop_grid_index()


def test_inside_a_grid_gives_the_grid_and_its_ancestors(tree: CityTree) -> None:
    location = locate(MIDDLE_LAT, 106.705)

    assert location == Location(
        grid_id=tree.grid.pk,
        grid_code=tree.grid.code,
        grid_name=tree.grid.name,
        community_id=tree.community.pk,
        street_id=tree.street.pk,
        district_id=tree.district.pk,
        distance_m=0.0,
        inside=True,
    )
    assert locate(MIDDLE_LAT, 106.715).grid_id == tree.grid2.pk


def test_grid_of_another_community_carries_that_community(tree: CityTree) -> None:
    location = locate(MIDDLE_LAT, 106.725)

    assert location.community_id == tree.community2.pk
    assert location.street_id == tree.street.pk


def test_coordinates_may_be_strings(tree: CityTree) -> None:
    assert locate(" 26.605 ", "106.705").grid_id == tree.grid.pk


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [
        (MIDDLE_LAT, 106.71),  # the shared edge of grid and grid2
        (SOUTH, 106.71),  # their shared corner on the southern edge
        (SOUTH + 0.01, 106.71),  # and on the northern edge
    ],
)
def test_on_a_shared_border_the_lowest_code_wins(tree: CityTree, latitude: float, longitude: float) -> None:
    location = locate(latitude, longitude)

    assert location.grid_id == tree.grid.pk
    assert location.inside
    assert location.distance_m == 0.0


def test_on_the_border_with_the_next_community_the_lowest_code_wins(tree: CityTree) -> None:
    assert locate(MIDDLE_LAT, 106.72).grid_id == tree.grid2.pk


def test_on_the_outer_edge_is_inside(tree: CityTree) -> None:
    location = locate(MIDDLE_LAT, 106.70)

    assert location.grid_id == tree.grid.pk
    assert location.inside


def test_150_metres_outside_gives_the_nearest_grid_and_the_distance(tree: CityTree) -> None:
    location = locate(SOUTH - metres_to_lat(150), 106.715)

    assert location.grid_id == tree.grid2.pk
    assert not location.inside
    assert location.distance_m == pytest.approx(150, abs=0.5)


def test_150_metres_west_is_measured_in_metres_not_degrees(tree: CityTree) -> None:
    metres_per_degree_of_longitude = METRES_PER_DEGREE * math.cos(math.radians(MIDDLE_LAT))
    location = locate(MIDDLE_LAT, 106.70 - 150 / metres_per_degree_of_longitude)

    assert location.grid_id == tree.grid.pk
    assert location.distance_m == pytest.approx(150, abs=1)


def test_equally_near_two_grids_the_lowest_code_wins(tree: CityTree) -> None:
    location = locate(SOUTH - metres_to_lat(150), 106.71)

    assert location.grid_id == tree.grid.pk
    assert location.distance_m == pytest.approx(150, abs=0.5)


def test_500_metres_outside_is_outside_the_service_area(tree: CityTree) -> None:
    with pytest.raises(OutsideServiceAreaError, match="outside the service area"):
        locate(SOUTH - metres_to_lat(500), 106.715)


@override_settings(LOCATE_NEAREST_METRES=1000)
def test_the_nearest_distance_comes_from_settings(tree: CityTree) -> None:
    assert locate(SOUTH - metres_to_lat(500), 106.715).grid_id == tree.grid2.pk


def test_with_no_grids_every_point_is_outside(db: None) -> None:
    with pytest.raises(OutsideServiceAreaError):
        locate(MIDDLE_LAT, 106.705)
    with pytest.raises(OutsideServiceAreaError):
        GridIndex.load().locate_brute_force(MIDDLE_LAT, 106.705)


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [
        ("abc", 106.705),
        (26.605, "abc"),
        ("", 106.705),
        (math.nan, 106.705),
        (26.605, math.nan),
        ("nan", 106.705),
        (math.inf, 106.705),
        (26.605, "-inf"),
        (91, 106.705),
        (-90.5, 106.705),
        (26.605, 181),
        (26.605, -180.01),
        (None, 106.705),
        (26.605, None),
        (True, 106.705),
        ([26.605], 106.705),
    ],
)
def test_malformed_coordinates_are_refused(tree: CityTree, latitude: object, longitude: object) -> None:
    with pytest.raises(InvalidCoordinatesError):
        locate(latitude, longitude)  # type: ignore[arg-type]
    with pytest.raises(InvalidCoordinatesError):
        GridIndex.load().locate_brute_force(latitude, longitude)  # type: ignore[arg-type]


def test_the_range_limits_themselves_are_accepted(tree: CityTree) -> None:
    with pytest.raises(OutsideServiceAreaError):
        locate(90, 180)
    with pytest.raises(OutsideServiceAreaError):
        locate(-90, -180)


def test_grids_without_a_usable_boundary_are_left_out(tree: CityTree) -> None:
    community = tree.community2
    make_place("grid", community, 2, "无边界网格")
    make_place("grid", community, 3, "坏边界网格", boundary={"type": "Polygon", "coordinates": "nonsense"})
    make_place("grid", community, 4, "点边界网格", boundary={"type": "Point", "coordinates": [106.75, 26.6]})

    index = GridIndex.load()

    assert len(index) == 3


def test_a_multipolygon_boundary_is_indexed(tree: CityTree) -> None:
    far = square(106.80, 26.60)["coordinates"]
    near = square(106.74, 26.60)["coordinates"]
    grid = make_place(
        "grid", tree.community2, 2, "两片网格", boundary={"type": "MultiPolygon", "coordinates": [near, far]}
    )

    assert locate(MIDDLE_LAT, 106.805).grid_id == grid.pk
    assert locate(MIDDLE_LAT, 106.745).grid_id == grid.pk


def test_a_self_intersecting_boundary_is_repaired(tree: CityTree) -> None:
    bowtie = [[106.74, 26.60], [106.75, 26.61], [106.75, 26.60], [106.74, 26.61], [106.74, 26.60]]
    grid = make_place("grid", tree.community2, 2, "领结网格", boundary={"type": "Polygon", "coordinates": [bowtie]})

    assert locate(MIDDLE_LAT, 106.742).grid_id == grid.pk


def test_the_index_is_loaded_once_per_process(tree: CityTree) -> None:
    first = get_grid_index()

    assert get_grid_index() is first
    locate(MIDDLE_LAT, 106.705)
    assert get_grid_index() is first


def test_lookups_make_no_queries(tree: CityTree, django_assert_num_queries: object) -> None:
    get_grid_index()

    with django_assert_num_queries(0):  # type: ignore[operator]
        for _ in range(10):
            locate(MIDDLE_LAT, 106.705)


def test_load_takes_two_queries_and_a_version_read(tree: CityTree, django_assert_num_queries: object) -> None:
    with django_assert_num_queries(3):  # type: ignore[operator]
        GridIndex.load()


def test_boundaries_changed_creates_then_bumps_the_version(db: None) -> None:
    assert current_boundary_version() == 0

    boundaries_changed()
    assert BoundaryVersion.objects.get().version == 1

    boundaries_changed()
    assert BoundaryVersion.objects.get().version == 2
    assert current_boundary_version() == 2


def test_reload_after_boundaries_changed(tree: CityTree) -> None:
    old = get_grid_index()
    assert locate(MIDDLE_LAT, 106.715).grid_id == tree.grid2.pk

    Place.objects.filter(pk=tree.grid2.pk).update(boundary=square(106.90, 26.60))
    assert locate(MIDDLE_LAT, 106.715).grid_id == tree.grid2.pk  # no one said the boundaries changed
    boundaries_changed()

    new = get_grid_index()
    assert new is not old
    assert new.version == old.version + 1
    assert locate(MIDDLE_LAT, 106.905).grid_id == tree.grid2.pk
    with pytest.raises(OutsideServiceAreaError):
        locate(MIDDLE_LAT, 106.715)


def test_another_process_bump_is_seen_after_five_seconds(tree: CityTree, monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(locating.time, "monotonic", lambda: now[0])
    old = get_grid_index()
    BoundaryVersion.objects.create(version=7)  # as if another process had committed a change

    now[0] += 4.9
    assert get_grid_index() is old

    now[0] += 0.2
    new = get_grid_index()
    assert new is not old
    assert new.version == 7

    now[0] += 10
    assert get_grid_index() is new  # the version did not move again: no reload


def test_an_unmoved_version_keeps_the_index_after_the_check(tree: CityTree, monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(locating.time, "monotonic", lambda: now[0])
    first = get_grid_index()

    now[0] += 60

    assert get_grid_index() is first


def test_the_error_message_is_translated(tree: CityTree) -> None:
    from django.utils import translation

    with translation.override("en"), pytest.raises(OutsideServiceAreaError) as raised:
        locate(SOUTH - metres_to_lat(500), 106.715)

    assert "200 metres" in str(raised.value)


def test_brute_force_agrees_with_the_tree(tree: CityTree) -> None:
    index = GridIndex.load()
    edges = st.sampled_from([106.70, 106.71, 106.72, 106.73])
    longitudes = st.one_of(st.floats(min_value=106.69, max_value=106.74), edges)
    latitudes = st.one_of(st.floats(min_value=26.59, max_value=26.62), st.sampled_from([26.60, 26.61]))
    outcomes = {"inside": 0, "nearest": 0, "outside": 0}

    @hypothesis_settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(latitude=latitudes, longitude=longitudes)
    def agree(latitude: float, longitude: float) -> None:
        try:
            expected = index.locate(latitude, longitude)
        except OutsideServiceAreaError:
            with pytest.raises(OutsideServiceAreaError):
                index.locate_brute_force(latitude, longitude)
            outcomes["outside"] += 1
            return
        assert index.locate_brute_force(latitude, longitude) == expected
        outcomes["inside" if expected.inside else "nearest"] += 1

    agree()

    assert all(outcomes.values()), outcomes  # the points exercised all three outcomes
