"""The demo city's map: a jittered lattice of grid cells, cut into districts, streets and communities.

The cells are visited along a generalized Hilbert curve ("gilbert", after Jakub Červený's algorithm), which
steps from each cell to an edge neighbour. A run of consecutive cells along the curve is therefore one
connected, compact block, and cutting the sequence into runs within runs gives every community, street
and district a contiguous territory made of its children, at any count. Interior lattice vertices move by
less than a quarter of the spacing, so each cell stays a simple convex quadrilateral and neighbours share
their vertices exactly: the grids tile the city without overlaps or gaps.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import shapely

METRES_PER_DEGREE_LAT = 111_320.0
JITTER = 0.25  # of the spacing; below 0.5 cells stay simple, below 0.25 also convex
COORDINATE_DECIMALS = 7  # about a centimetre


Cell = tuple[int, int]


def _sign(value: int) -> int:
    return (value > 0) - (value < 0)


def gilbert_curve(width: int, height: int) -> list[Cell]:
    """Every cell of a width × height lattice once, each an edge neighbour of the one before (both even)."""
    if width <= 0 or height <= 0:
        return []
    if width >= height:
        return list(_gilbert((0, 0), (width, 0), (0, height)))
    return list(_gilbert((0, 0), (0, height), (width, 0)))


def _gilbert(origin: Cell, major: Cell, minor: Cell) -> Iterator[Cell]:
    """Fill the parallelogram at ``origin`` spanned by the ``major`` and ``minor`` axis vectors."""
    (x, y), (ax, ay), (bx, by) = origin, major, minor
    width = abs(ax + ay)
    height = abs(bx + by)
    dax, day = _sign(ax), _sign(ay)
    dbx, dby = _sign(bx), _sign(by)
    if height == 1:
        for _ in range(width):
            yield x, y
            x, y = x + dax, y + day
        return
    if width == 1:
        for _ in range(height):
            yield x, y
            x, y = x + dbx, y + dby
        return
    ax2, ay2 = ax // 2, ay // 2
    bx2, by2 = bx // 2, by // 2
    width2 = abs(ax2 + ay2)
    height2 = abs(bx2 + by2)
    if 2 * width > 3 * height:
        if width2 % 2 and width > 2:
            ax2, ay2 = ax2 + dax, ay2 + day
        yield from _gilbert((x, y), (ax2, ay2), (bx, by))
        yield from _gilbert((x + ax2, y + ay2), (ax - ax2, ay - ay2), (bx, by))
    else:
        if height2 % 2 and height > 2:
            bx2, by2 = bx2 + dbx, by2 + dby
        yield from _gilbert((x, y), (bx2, by2), (ax2, ay2))
        yield from _gilbert((x + bx2, y + by2), (ax, ay), (bx - bx2, by - by2))
        yield from _gilbert(
            (x + (ax - dax) + (bx2 - dbx), y + (ay - day) + (by2 - dby)), (-bx2, -by2), (-(ax - ax2), -(ay - ay2))
        )


def split_sizes(total: int, parts: int, rng: random.Random, *, spread: float, minimum: int = 1) -> list[int]:
    """``parts`` sizes of at least ``minimum`` that add up to ``total``, each within about ±spread of the mean."""
    if parts <= 0 or total < parts * minimum:
        raise ValueError(f"Cannot split {total} into {parts} parts of at least {minimum}.")
    weights = [1.0 + rng.uniform(-spread, spread) for _ in range(parts)]
    return apportion(total - parts * minimum, weights, base=minimum)


def apportion(total: int, weights: Sequence[float], *, base: int = 0) -> list[int]:
    """Split ``total`` in proportion to ``weights`` by the largest remainder; ``base`` is added to each share."""
    weight_sum = sum(weights)
    exact = [total * weight / weight_sum for weight in weights]
    shares = [math.floor(value) for value in exact]
    by_remainder = sorted(range(len(weights)), key=lambda index: (shares[index] - exact[index], index))
    for index in by_remainder[: total - sum(shares)]:
        shares[index] += 1
    return [share + base for share in shares]


def runs(items: Sequence[Any], sizes: Sequence[int]) -> list[Sequence[Any]]:
    """Cut ``items`` into consecutive runs of the given sizes."""
    result: list[Sequence[Any]] = []
    start = 0
    for size in sizes:
        result.append(items[start : start + size])
        start += size
    if start != len(items):
        raise ValueError("The sizes do not add up to the number of items.")
    return result


@dataclass(frozen=True)
class Lattice:
    """Jittered vertices of a columns × rows lattice of cells, south-west corner at (west, south) in degrees."""

    columns: int
    rows: int
    vertices: tuple[tuple[tuple[float, float], ...], ...]  # vertices[i][j] = (lng, lat) of vertex column i, row j

    @classmethod
    def build(
        cls, *, columns: int, rows: int, spacing_m: float, centre_lat: float, centre_lng: float, rng: random.Random
    ) -> Lattice:
        dlat = spacing_m / METRES_PER_DEGREE_LAT
        dlng = spacing_m / (METRES_PER_DEGREE_LAT * math.cos(math.radians(centre_lat)))
        west = centre_lng - columns * dlng / 2
        south = centre_lat - rows * dlat / 2
        columns_of_vertices = []
        for i in range(columns + 1):
            column = []
            for j in range(rows + 1):
                du = rng.uniform(-JITTER, JITTER)
                dv = rng.uniform(-JITTER, JITTER)
                lng = round(west + (i + du) * dlng, COORDINATE_DECIMALS)
                lat = round(south + (j + dv) * dlat, COORDINATE_DECIMALS)
                column.append((lng, lat))
            columns_of_vertices.append(tuple(column))
        return cls(columns=columns, rows=rows, vertices=tuple(columns_of_vertices))

    def corners(self, cell: Cell) -> tuple[tuple[float, float], ...]:
        """The cell's corners counter-clockwise from the south-west: SW, SE, NE, NW."""
        i, j = cell
        v = self.vertices
        return (v[i][j], v[i + 1][j], v[i + 1][j + 1], v[i][j + 1])

    def polygon(self, cell: Cell) -> shapely.Polygon:
        return shapely.Polygon(self.corners(cell))

    def point_in(self, cell: Cell, u: float, v: float) -> tuple[float, float]:
        """The point at (u, v) ∈ (0, 1)² of the cell by bilinear interpolation; inside, as cells are convex."""
        sw, se, ne, nw = self.corners(cell)
        lng = (1 - u) * (1 - v) * sw[0] + u * (1 - v) * se[0] + u * v * ne[0] + (1 - u) * v * nw[0]
        lat = (1 - u) * (1 - v) * sw[1] + u * (1 - v) * se[1] + u * v * ne[1] + (1 - u) * v * nw[1]
        return round(lng, COORDINATE_DECIMALS), round(lat, COORDINATE_DECIMALS)


def union_of(shapes: Sequence[shapely.Geometry]) -> shapely.Geometry:
    """The union of shapes that tile without overlap (a coverage): fast, and exact along shared edges."""
    return shapely.coverage_union_all(shapes)


def to_geojson(shape: shapely.Geometry) -> dict[str, Any]:
    """GeoJSON (lng, lat) of a Polygon or MultiPolygon, with lists, not tuples, so it round-trips through JSON."""
    if isinstance(shape, shapely.Polygon):
        return {"type": "Polygon", "coordinates": _rings(shape)}
    if isinstance(shape, shapely.MultiPolygon):
        return {"type": "MultiPolygon", "coordinates": [_rings(part) for part in shape.geoms]}
    raise ValueError(f"Not a polygon: {shape.geom_type}")


def _rings(polygon: shapely.Polygon) -> list[list[list[float]]]:
    """Rings by the right-hand rule of RFC 7946: exterior counter-clockwise, holes clockwise."""
    oriented = shapely.geometry.polygon.orient(polygon, sign=1.0)
    return [
        [[round(x, COORDINATE_DECIMALS), round(y, COORDINATE_DECIMALS)] for x, y in ring.coords]
        for ring in (oriented.exterior, *oriented.interiors)
    ]


def anchor_point(shape: shapely.Geometry) -> tuple[float, float]:
    """(lng, lat) of the centroid if it lies inside the shape, otherwise of a point that surely does."""
    centroid = shape.centroid
    point = centroid if shape.contains(centroid) else shape.representative_point()
    return round(point.x, COORDINATE_DECIMALS), round(point.y, COORDINATE_DECIMALS)
