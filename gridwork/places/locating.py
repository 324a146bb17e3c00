"""定位 — from a latitude and longitude to the grid, community, street and district that serve it.

Grid boundaries are projected once, at load, into a local metric plane (equirectangular around the mean
latitude of the loaded grids), so every distance is in metres, and indexed in a shapely ``STRtree``.
Each process keeps one index and rebuilds it when ``places.BoundaryVersion`` moves: whoever changes a
boundary calls ``boundaries_changed()`` inside the same transaction.

A point inside a grid belongs to it; a point on the border of several grids belongs to the one with the
lowest code. A point outside every grid belongs to the nearest grid within ``LOCATE_NEAREST_METRES``;
farther than that it is outside the service area.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.places.models import BoundaryVersion, Place, PlaceLevel

logger = logging.getLogger(__name__)

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180.0
VERSION_CHECK_SECONDS = 5.0


@dataclass(frozen=True)
class Location:
    """Where a point lies: its grid and the grid's community, street and district."""

    grid_id: int
    grid_code: str
    grid_name: str
    community_id: int
    street_id: int
    district_id: int
    distance_m: float  # 0.0 when the point is inside the grid
    inside: bool


class OutsideServiceAreaError(Exception):
    """The point is in no grid and farther than ``LOCATE_NEAREST_METRES`` from every grid."""


class InvalidCoordinatesError(ValueError):
    """The latitude or longitude is not a finite number in range."""


def parse_coordinates(latitude: Any, longitude: Any) -> tuple[float, float]:
    """The point as two floats, or InvalidCoordinatesError naming what is wrong with it."""
    lat = latitude if type(latitude) is float else _parse_number(latitude, is_latitude=True)
    lng = longitude if type(longitude) is float else _parse_number(longitude, is_latitude=False)
    if not -90.0 <= lat <= 90.0:  # also false for NaN
        if math.isnan(lat):
            raise InvalidCoordinatesError(_("The %(name)s must be a finite number.") % {"name": _("latitude")})
        raise InvalidCoordinatesError(_("The latitude must be between -90 and 90, not %(value)s.") % {"value": lat})
    if not -180.0 <= lng <= 180.0:
        if math.isnan(lng):
            raise InvalidCoordinatesError(_("The %(name)s must be a finite number.") % {"name": _("longitude")})
        raise InvalidCoordinatesError(_("The longitude must be between -180 and 180, not %(value)s.") % {"value": lng})
    return lat, lng


def _parse_number(value: Any, *, is_latitude: bool) -> float:
    """A float from a number or a numeric string; the name is translated only when there is an error to report."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str | np.floating | np.integer):
        name = _("latitude") if is_latitude else _("longitude")
        raise InvalidCoordinatesError(_("The %(name)s must be a number.") % {"name": name})
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (ValueError, OverflowError) as exc:
        name = _("latitude") if is_latitude else _("longitude")
        raise InvalidCoordinatesError(
            _("The %(name)s must be a number, not “%(value)s”.") % {"name": name, "value": value}
        ) from exc
    if not math.isfinite(number):
        name = _("latitude") if is_latitude else _("longitude")
        raise InvalidCoordinatesError(_("The %(name)s must be a finite number.") % {"name": name})
    return number


@dataclass(frozen=True)
class LocalPlane:
    """An equirectangular projection around (origin_lat, origin_lng): x east and y north, in metres."""

    origin_lat: float
    origin_lng: float
    x_scale: float = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "x_scale", METRES_PER_DEGREE * math.cos(math.radians(self.origin_lat)))

    def project(self, lng_lat: np.ndarray) -> np.ndarray:
        """Project an (N, 2) array of (lng, lat) into an (N, 2) array of (x, y) metres."""
        projected = np.empty_like(lng_lat, dtype=float)
        projected[:, 0] = (lng_lat[:, 0] - self.origin_lng) * self.x_scale
        projected[:, 1] = (lng_lat[:, 1] - self.origin_lat) * METRES_PER_DEGREE
        return projected

    def point(self, latitude: float, longitude: float) -> shapely.Point:
        x = (longitude - self.origin_lng) * self.x_scale
        y = (latitude - self.origin_lat) * METRES_PER_DEGREE
        return shapely.Point(x, y)


def _polygonal(geometry: shapely.Geometry) -> shapely.Geometry | None:
    """The polygonal part of a geometry, repaired if it was invalid; None if nothing polygonal is left."""
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    if isinstance(geometry, shapely.GeometryCollection) and not isinstance(geometry, shapely.MultiPolygon):
        parts = [part for part in geometry.geoms if isinstance(part, shapely.Polygon | shapely.MultiPolygon)]
        geometry = shapely.union_all(parts) if parts else shapely.Polygon()
    if geometry.is_empty or not isinstance(geometry, shapely.Polygon | shapely.MultiPolygon):
        return None
    return geometry


class GridIndex:
    """The grids of one boundary version, projected to metres, in an STRtree. Immutable once loaded."""

    def __init__(
        self, *, version: int, plane: LocalPlane, geometries: list[shapely.Geometry], locations: list[Location]
    ):
        self.version = version
        self.plane = plane
        self.loaded_at = time.monotonic()
        self._geometries = np.asarray(geometries, dtype=object)
        # Built on the grids in code order, so the lowest index among several hits is the lowest code.
        self._tree = shapely.STRtree(self._geometries)
        self._inside = tuple(locations)

    def __len__(self) -> int:
        return len(self._inside)

    def __repr__(self) -> str:
        return f"<GridIndex version={self.version} grids={len(self)}>"

    @classmethod
    def load(cls) -> GridIndex:
        """Load every grid with a boundary; ancestors are resolved from the grids' paths in one more query."""
        version = current_boundary_version()
        rows = list(
            Place.objects.filter(level=PlaceLevel.GRID, boundary__isnull=False)
            .order_by("code")
            .values_list("id", "code", "name", "path", "boundary")
        )
        ancestor_codes = {code for row in rows for code in row[3].strip("/").split("/")[:-1]}
        ancestors = {
            code: (place_id, level)
            for place_id, code, level in Place.objects.filter(code__in=ancestor_codes).values_list(
                "id", "code", "level"
            )
        }

        shapes: list[shapely.Geometry] = []
        locations: list[Location] = []
        for grid_id, code, name, path, boundary in rows:
            geometry = _geometry_from_geojson(boundary, code)
            if geometry is None:
                continue
            levels = {ancestors[c][1]: ancestors[c][0] for c in path.strip("/").split("/")[:-1] if c in ancestors}
            try:
                community_id = levels[PlaceLevel.COMMUNITY]
                street_id = levels[PlaceLevel.STREET]
                district_id = levels[PlaceLevel.DISTRICT]
            except KeyError:
                logger.warning("Grid %s is left out of the index: its path %s lacks an ancestor.", code, path)
                continue
            shapes.append(geometry)
            locations.append(
                Location(
                    grid_id=grid_id,
                    grid_code=code,
                    grid_name=name,
                    community_id=community_id,
                    street_id=street_id,
                    district_id=district_id,
                    distance_m=0.0,
                    inside=True,
                )
            )

        plane = _plane_around(shapes)
        projected = list(shapely.transform(np.asarray(shapes, dtype=object), plane.project)) if shapes else []
        return cls(version=version, plane=plane, geometries=projected, locations=locations)

    def locate(self, latitude: float, longitude: float) -> Location:
        """The grid of a point, using the STRtree."""
        lat, lng = parse_coordinates(latitude, longitude)
        point = self.plane.point(lat, lng)
        hits = self._tree.query(point, predicate="intersects")
        if hits.size:
            return self._inside[int(hits.min())]
        limit = float(settings.LOCATE_NEAREST_METRES)
        if limit > 0 and len(self):
            indices, distances = self._tree.query_nearest(point, max_distance=limit, return_distance=True)
            if indices.size:
                # Every match is at the same, smallest distance: the lowest index is the lowest code.
                return replace(self._inside[int(indices.min())], distance_m=float(distances.min()), inside=False)
        raise _outside(lat, lng, limit)

    def locate_brute_force(self, latitude: float, longitude: float) -> Location:
        """The same answer as ``locate`` by testing every grid: the baseline that the benchmark compares with."""
        lat, lng = parse_coordinates(latitude, longitude)
        point = self.plane.point(lat, lng)
        limit = float(settings.LOCATE_NEAREST_METRES)
        if not len(self):
            raise _outside(lat, lng, limit)
        hits = np.flatnonzero(shapely.intersects(self._geometries, point))
        if hits.size:
            return self._inside[int(hits[0])]
        distances = shapely.distance(self._geometries, point)
        nearest = int(np.argmin(distances))  # the first of equal minima: the lowest code
        if limit > 0 and distances[nearest] <= limit:
            return replace(self._inside[nearest], distance_m=float(distances[nearest]), inside=False)
        raise _outside(lat, lng, limit)


def _geometry_from_geojson(boundary: Any, code: str) -> shapely.Geometry | None:
    if not isinstance(boundary, dict) or boundary.get("type") not in {"Polygon", "MultiPolygon"}:
        logger.warning("Grid %s is left out of the index: its boundary is not a GeoJSON (Multi)Polygon.", code)
        return None
    try:
        geometry = shapely.geometry.shape(boundary)
    except (ValueError, TypeError, IndexError, KeyError, shapely.errors.GEOSException):
        logger.warning("Grid %s is left out of the index: its boundary cannot be read.", code)
        return None
    polygonal = _polygonal(geometry)
    if polygonal is None:
        logger.warning("Grid %s is left out of the index: its boundary has no area.", code)
    elif polygonal is not geometry:
        logger.warning("Grid %s: its boundary is not a valid polygon and was repaired for the index.", code)
    return polygonal


def _plane_around(shapes: list[shapely.Geometry]) -> LocalPlane:
    if not shapes:
        return LocalPlane(origin_lat=0.0, origin_lng=0.0)
    min_x, _, max_x, _ = shapely.total_bounds(np.asarray(shapes, dtype=object))
    mean_lat = float(np.mean([shape.centroid.y for shape in shapes]))
    return LocalPlane(origin_lat=mean_lat, origin_lng=float((min_x + max_x) / 2))


def _outside(latitude: float, longitude: float, limit: float) -> OutsideServiceAreaError:
    return OutsideServiceAreaError(
        _(
            "The place at latitude %(lat).6f, longitude %(lng).6f is outside the service area: "
            "it is in no grid and more than %(metres)d metres from the nearest one."
        )
        % {"lat": latitude, "lng": longitude, "metres": limit}
    )


# The process-wide index. Readers take the reference without the lock; only (re)loading takes it.
_lock = threading.Lock()
_index: GridIndex | None = None
_checked_at = -math.inf


def current_boundary_version() -> int:
    """The committed boundary version (0 before any boundary has changed)."""
    version = BoundaryVersion.objects.order_by("pk").values_list("version", flat=True).first()
    return int(version or 0)


def get_grid_index() -> GridIndex:
    """This process's index; the boundary version is read at most every 5 seconds and a moved one reloads it."""
    global _index, _checked_at  # noqa: PLW0603
    index = _index
    if index is not None and time.monotonic() - _checked_at < VERSION_CHECK_SECONDS:
        return index
    with _lock:
        if _index is not None and time.monotonic() - _checked_at < VERSION_CHECK_SECONDS:
            return _index
        if _index is None or _index.version != current_boundary_version():
            started = time.monotonic()
            _index = GridIndex.load()
            logger.info(
                "Loaded %d grids at boundary version %d in %.2f s.",
                len(_index),
                _index.version,
                time.monotonic() - started,
            )
        _checked_at = time.monotonic()
        return _index


def drop_grid_index() -> None:
    """Forget this process's index, so the next lookup loads it afresh."""
    global _index, _checked_at  # noqa: PLW0603
    with _lock:
        _index = None
        _checked_at = -math.inf


def boundaries_changed() -> None:
    """Record that boundaries changed: bump the version (in the caller's transaction) and drop this index.

    Other processes see the new version within ``VERSION_CHECK_SECONDS`` after the transaction commits.
    """
    with transaction.atomic():
        row = BoundaryVersion.objects.select_for_update().order_by("pk").first()
        if row is None:
            BoundaryVersion.objects.create(version=1)
        else:
            BoundaryVersion.objects.filter(pk=row.pk).update(version=F("version") + 1, changed_at=timezone.now())
        drop_grid_index()
        # A thread of this process may load the old boundaries before the commit; drop that index again after it.
        transaction.on_commit(drop_grid_index)


def locate(latitude: float | str, longitude: float | str) -> Location:
    """The grid (and its community, street and district) of a point, from this process's index."""
    lat, lng = parse_coordinates(latitude, longitude)
    return get_grid_index().locate(lat, lng)
