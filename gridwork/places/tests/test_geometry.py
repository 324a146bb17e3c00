"""Boundary validation and measuring (gridwork/places/geometry.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation
from shapely.geometry import box

from gridwork.places.geometry import (
    GeometryError,
    Neighbour,
    area_m2,
    boundary_overlap_error,
    boundary_validate,
    overlap_m2,
)
from gridwork.places.tests.factories import square


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The messages are checked in their English source text, whatever translations exist."""
    with translation.override("en"):
        yield


def polygon(*points: tuple[float, float]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[list(point) for point in points]]}


def test_a_square_is_valid_and_normalized() -> None:
    geojson = square(106.70, 26.60)
    geojson["coordinates"][0][0] = [106.70, 26.60, 1200.0]  # type: ignore[index]
    geojson["coordinates"][0][-1] = [106.70, 26.60, 1200.0]  # type: ignore[index]

    boundary = boundary_validate(geojson)

    assert boundary.geojson["type"] == "Polygon"
    assert boundary.geojson["coordinates"][0][0] == [106.70, 26.60], "altitude is dropped"
    assert boundary.shape.is_valid


def test_a_multipolygon_is_valid() -> None:
    first = square(106.70, 26.60)["coordinates"]
    second = square(106.80, 26.60)["coordinates"]
    boundary = boundary_validate({"type": "MultiPolygon", "coordinates": [first, second]})
    assert boundary.shape.geom_type == "MultiPolygon"


def test_bow_tie_is_refused_with_shapely_reason() -> None:
    bow_tie = polygon((0, 0), (1, 1), (1, 0), (0, 1), (0, 0))
    with pytest.raises(GeometryError, match="Self-intersection"):
        boundary_validate(bow_tie)


def test_unclosed_ring_is_refused() -> None:
    with pytest.raises(GeometryError, match="not closed"):
        boundary_validate(polygon((0, 0), (1, 0), (1, 1), (0, 1)))


def test_too_few_points_are_refused() -> None:
    with pytest.raises(GeometryError, match="has 3 points"):
        boundary_validate(polygon((0, 0), (1, 0), (0, 0)))


@pytest.mark.parametrize(
    "point",
    [(190.0, 26.6), (106.7, 95.0), (-180.5, 0.0), (26.6, 106.7)],
    ids=["longitude too big", "latitude too big", "longitude too small", "lat-lng swapped"],
)
def test_coordinates_out_of_range_are_refused(point: tuple[float, float]) -> None:
    x, y = point
    ring = polygon((x, y), (x, 0), (0, 0), (0, y), (x, y))
    with pytest.raises(GeometryError, match="off the map"):
        boundary_validate(ring)


@pytest.mark.parametrize("bad", ["106.7", None, True, float("nan"), float("inf")])
def test_coordinates_must_be_finite_numbers(bad: Any) -> None:
    geojson = polygon((0, 0), (1, 0), (1, 1), (0, 0))
    geojson["coordinates"][0][1] = [bad, 0]
    with pytest.raises(GeometryError, match="must be numbers"):
        boundary_validate(geojson)


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        ({"type": "Point", "coordinates": [106.7, 26.6]}, "Polygon or a MultiPolygon"),
        ({"type": "Feature", "geometry": square(0, 0)}, "geometry"),
        ("not a dict", "GeoJSON object"),
        ({"type": "Polygon", "coordinates": []}, "no rings"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]], "x"]}, "ring 2"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1], [1, 1], [0, 0]]]}, "point 2"),
        ({"type": "MultiPolygon", "coordinates": []}, "list of polygons"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [2, 2], [0, 0]]]}, "not a valid polygon"),
    ],
)
def test_malformed_geojson_is_refused(geometry: Any, message: str) -> None:
    with pytest.raises(GeometryError, match=message):
        boundary_validate(geometry)


def test_a_hole_outside_its_shell_is_refused() -> None:
    shell = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
    hole = [[2, 2], [3, 2], [3, 3], [2, 3], [2, 2]]
    with pytest.raises(GeometryError, match="Hole lies outside shell"):
        boundary_validate({"type": "Polygon", "coordinates": [shell, hole]})


def test_area_is_in_square_metres() -> None:
    # 0.01° × 0.01° at latitude 26.6°: about 1,113 m × 995 m.
    area = area_m2(box(106.70, 26.60, 106.71, 26.61))
    assert 1.10e6 < area < 1.12e6


def test_sharing_an_edge_is_no_overlap_but_sharing_area_is() -> None:
    first = box(106.70, 26.60, 106.71, 26.61)
    beside = box(106.71, 26.60, 106.72, 26.61)
    across = box(106.705, 26.60, 106.715, 26.61)
    assert overlap_m2(first, beside) == 0.0
    assert overlap_m2(first, across) > 500_000

    assert boundary_overlap_error(first, [Neighbour("东邻网格 (1)", beside)]) is None
    error = boundary_overlap_error(first, [Neighbour("东邻网格 (1)", beside), Neighbour("跨界网格 (2)", across)])
    assert error is not None
    assert "跨界网格 (2)" in error
    assert "东邻网格" not in error


def test_overlap_within_the_tolerance_is_allowed() -> None:
    first = box(106.70, 26.60, 106.71, 26.61)
    # A sliver 0.000001° (≈ 0.1 m) wide along 0.000005° (≈ 0.5 m): well under 1 m².
    sliver = box(106.709999, 26.60, 106.72, 26.600005)
    assert 0 < overlap_m2(first, sliver) < 1.0
    assert boundary_overlap_error(first, [Neighbour("n", sliver)]) is None
