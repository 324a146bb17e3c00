"""Importing boundaries from GeoJSON (gridwork/imports/importers/boundaries.py)."""

from __future__ import annotations

from typing import Any

import pytest

from gridwork.accounts.models import User
from gridwork.common.tabular import ImportRejected
from gridwork.imports.services import import_run
from gridwork.imports.tests.files import feature_collection
from gridwork.places.locating import current_boundary_version
from gridwork.places.models import Place
from gridwork.places.services import place_create
from gridwork.places.tests.factories import CityTree, square


def problems_of(actor: Any, data: bytes) -> list[tuple[int | None, str, str]]:
    with pytest.raises(ImportRejected) as excinfo:
        import_run(actor=actor, kind="boundaries", file_name="grids.geojson", data=data)
    return [(problem.row, problem.column, problem.reason) for problem in excinfo.value.problems]


@pytest.fixture
def grid3(tree: CityTree) -> Place:
    return place_create(
        actor=None, code=tree.community.code + "003", name="春晖社区第三网格", level="grid", parent=tree.community
    )


def test_boundaries_import_and_move_the_version(tree: CityTree, district_staff: User, grid3: Place) -> None:
    version = current_boundary_version()
    data = feature_collection(
        (grid3.code, square(106.69, 26.60)),
        # The first grid is redrawn smaller; the third may then take the space it gave up.
        (tree.grid.code, square(106.70, 26.60, size=0.005)),
        (tree.community.code, square(106.68, 26.59, size=0.05)),
    )
    result = import_run(actor=district_staff, kind="boundaries", file_name="grids.geojson", data=data)
    assert result.rows_imported == 3
    assert Place.objects.get(pk=grid3.pk).boundary == square(106.69, 26.60)
    assert Place.objects.get(pk=tree.grid.pk).boundary == square(106.70, 26.60, size=0.005)
    assert current_boundary_version() == version + 1


def test_every_bad_feature_is_reported_and_nothing_changes(tree: CityTree, district_staff: User, grid3: Place) -> None:
    bow_tie = {
        "type": "Polygon",
        "coordinates": [[[106.7, 26.6], [106.71, 26.61], [106.71, 26.6], [106.7, 26.61], [106.7, 26.6]]],
    }
    unclosed = {"type": "Polygon", "coordinates": [[[106.7, 26.6], [106.71, 26.6], [106.71, 26.61], [106.7, 26.61]]]}
    too_few = {"type": "Polygon", "coordinates": [[[106.7, 26.6], [106.71, 26.6], [106.7, 26.6]]]}
    off_map = square(206.70, 26.60)
    data = feature_collection(
        (tree.grid.code, bow_tie),  # 1
        (tree.grid2.code, unclosed),  # 2
        (grid3.code, too_few),  # 3
        (tree.microgrid.code, off_map),  # 4
        ("520102001001999", square(106.80, 26.60)),  # 5: no such place
        (tree.household.code, square(106.80, 26.60)),  # 6
        (tree.household.code, square(106.81, 26.60)),  # 7: same code as feature 6
    )
    before = {place.pk: place.boundary for place in Place.objects.all()}
    version = current_boundary_version()
    problems = problems_of(district_staff, data)
    assert [(row, column) for row, column, _ in problems] == [
        (1, "geometry"),
        (2, "geometry"),
        (3, "geometry"),
        (4, "geometry"),
        (5, "properties.code"),
        (6, "properties.code"),
        (7, "properties.code"),
    ]
    reasons = [reason for _, _, reason in problems]
    assert "Self-intersection" in reasons[0]
    assert "not closed" in reasons[1]
    assert "has 3 points" in reasons[2]
    assert "off the map" in reasons[3]
    assert {place.pk: place.boundary for place in Place.objects.all()} == before
    assert current_boundary_version() == version


def test_grids_overlapping_in_the_file_or_on_the_platform_are_reported(
    tree: CityTree, district_staff: User, grid3: Place
) -> None:
    grid4 = place_create(
        actor=None, code=tree.community.code + "004", name="春晖社区第四网格", level="grid", parent=tree.community
    )
    data = feature_collection(
        (grid3.code, square(106.705, 26.60)),  # 1: over the first and second grids on the platform
        (grid4.code, square(106.695, 26.605)),  # 2: over the first grid; beside feature 1
        (tree.community.code, square(106.60, 26.50, size=0.5)),  # 3: a community may cover its grids
    )
    problems = problems_of(district_staff, data)
    assert [(row, column) for row, column, _ in problems] == [(1, "geometry"), (2, "geometry")]
    assert tree.grid.name in problems[0][2]
    assert tree.grid2.name in problems[0][2]
    assert tree.grid.name in problems[1][2]


def test_two_features_of_the_same_community_may_not_overlap(tree: CityTree, district_staff: User, grid3: Place) -> None:
    grid4 = place_create(
        actor=None, code=tree.community.code + "004", name="春晖社区第四网格", level="grid", parent=tree.community
    )
    data = feature_collection((grid3.code, square(106.60, 26.60)), (grid4.code, square(106.605, 26.60)))
    problems = problems_of(district_staff, data)
    assert [(row, column) for row, column, _ in problems] == [(2, "geometry")]
    assert f"{grid3.name} ({grid3.code}, feature 1)" in problems[0][2]


def test_boundaries_outside_scope_are_refused(tree: CityTree, street2_staff: User) -> None:
    problems = problems_of(street2_staff, feature_collection((tree.grid.code, square(106.70, 26.60, size=0.005))))
    assert [(row, column) for row, column, _ in problems] == [(1, "properties.code")]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"type": "Feature"}', "FeatureCollection"),
        (b'{"type": "FeatureCollection", "features": []}', "no features"),
        (b"\xff\xfe", "UTF-8"),
    ],
)
def test_unreadable_geojson_is_rejected(db: None, data: bytes, reason: str) -> None:
    problems = problems_of(None, data)
    assert len(problems) == 1
    assert problems[0][0] is None
    assert reason in problems[0][2]


def test_features_without_code_or_of_the_wrong_type(tree: CityTree) -> None:
    data = b"""{"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [106.7, 26.6]}},
        {"type": "Polygon", "coordinates": []}
    ]}"""
    problems = problems_of(None, data)
    assert [(row, column) for row, column, _ in problems] == [(1, "geometry"), (1, "properties.code"), (2, "")]
