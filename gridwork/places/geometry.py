"""Boundaries of places: GeoJSON (WGS-84 longitude, latitude) checked and measured with shapely.

A boundary is a GeoJSON Polygon or MultiPolygon. ``boundary_validate`` returns the shape and the normalized
GeoJSON to store (coordinates as [lng, lat] floats, any altitude dropped), or raises ``GeometryError`` with a
sentence saying what is wrong and where. Areas are measured in square metres on a local equirectangular
projection centred on the shape, which is accurate to well under 1 % at the size of a community.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

import shapely
from django.utils.translation import gettext as _
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

EARTH_RADIUS_M = 6_371_008.8
# Two sibling grids may share an edge; an overlap larger than this is a drawing mistake.
OVERLAP_TOLERANCE_M2 = 1.0
BOUNDARY_TYPES = ("Polygon", "MultiPolygon")
# Places whose boundaries may not overlap a sibling's: a point on the map must fall in one grid only.
NON_OVERLAPPING_LEVELS = frozenset({"grid"})


class GeometryError(ValueError):
    """A boundary that is not a valid GeoJSON polygon; the message says why."""


@dataclass(frozen=True)
class Boundary:
    geojson: dict[str, Any]
    shape: Polygon | MultiPolygon


@dataclass(frozen=True)
class Neighbour:
    """A sibling's boundary, named as the error message should name it."""

    label: str
    shape: BaseGeometry


def boundary_validate(geometry: Any) -> Boundary:
    """Check a GeoJSON Polygon or MultiPolygon; raise GeometryError naming the first fault found."""
    if not isinstance(geometry, dict):
        raise GeometryError(_("A boundary must be a GeoJSON object with “type” and “coordinates”."))
    kind = geometry.get("type")
    if kind == "Feature":
        raise GeometryError(_("Give the feature's “geometry”, not the whole Feature."))
    if kind not in BOUNDARY_TYPES:
        raise GeometryError(
            _("A boundary must be a Polygon or a MultiPolygon, not “%(type)s”.") % {"type": kind or _("nothing")}
        )
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        polygons = [_polygon_coordinates(coordinates, None)]
    else:
        if not isinstance(coordinates, list) or not coordinates:
            raise GeometryError(_("A MultiPolygon needs a list of polygons in “coordinates”."))
        polygons = [_polygon_coordinates(item, number) for number, item in enumerate(coordinates, start=1)]
    normalized: dict[str, Any] = {"type": kind, "coordinates": polygons[0] if kind == "Polygon" else polygons}
    try:
        geom = shape(normalized)
    except (ValueError, TypeError, shapely.errors.ShapelyError) as exc:
        raise GeometryError(_("The boundary cannot be read as a polygon (%(error)s).") % {"error": exc}) from exc
    if geom.is_empty:
        raise GeometryError(_("The boundary is empty: it encloses no area."))
    if not geom.is_valid:
        raise GeometryError(
            _("The boundary is not a valid polygon: %(reason)s. Check that its edges do not cross each other.")
            % {"reason": explain_validity(geom)}
        )
    return Boundary(geojson=normalized, shape=cast(Polygon | MultiPolygon, geom))


def _polygon_coordinates(coordinates: Any, polygon_number: int | None) -> list[list[list[float]]]:
    where = _("polygon %(n)d, ") % {"n": polygon_number} if polygon_number is not None else ""
    if not isinstance(coordinates, list) or not coordinates:
        raise GeometryError(_("%(where)sthe polygon has no rings of coordinates.") % {"where": where})
    rings = []
    for ring_number, ring in enumerate(coordinates, start=1):
        ring_where = where + (_("ring %(n)d") % {"n": ring_number})
        if not isinstance(ring, list):
            raise GeometryError(
                _("%(where)s: a ring must be a list of [longitude, latitude] points.") % {"where": ring_where}
            )
        points = [_position(point, ring_where, index) for index, point in enumerate(ring, start=1)]
        if len(points) < 4:
            raise GeometryError(
                _(
                    "%(where)s has %(count)d points; a ring needs at least 4 "
                    "(three corners and the first point again at the end)."
                )
                % {"where": ring_where, "count": len(points)}
            )
        if points[0] != points[-1]:
            raise GeometryError(
                _("%(where)s is not closed: its last point must repeat its first point %(first)s.")
                % {"where": ring_where, "first": points[0]}
            )
        rings.append(points)
    return rings


def _position(point: Any, where: str, index: int) -> list[float]:
    if not isinstance(point, list | tuple) or len(point) not in (2, 3):
        raise GeometryError(
            _("%(where)s, point %(index)d: a point must be [longitude, latitude], not %(point)s.")
            % {"where": where, "index": index, "point": _short(point)}
        )
    values = []
    for value in point[:2]:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise GeometryError(
                _("%(where)s, point %(index)d: the coordinates must be numbers, not %(point)s.")
                % {"where": where, "index": index, "point": _short(point)}
            )
        values.append(float(value))
    longitude, latitude = values
    if not -180 <= longitude <= 180 or not -90 <= latitude <= 90:
        raise GeometryError(
            _(
                "%(where)s, point %(index)d: %(point)s is off the map; longitude must lie within −180…180 and "
                "latitude within −90…90 (is it written [latitude, longitude]?)."
            )
            % {"where": where, "index": index, "point": _short(point)}
        )
    return values


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


# --- measuring -------------------------------------------------------------------------------------------


def area_m2(geom: BaseGeometry) -> float:
    """The area of a longitude/latitude shape in square metres."""
    if geom.is_empty:
        return 0.0
    latitude = geom.centroid.y
    scale_x = math.radians(1) * EARTH_RADIUS_M * math.cos(math.radians(latitude))
    scale_y = math.radians(1) * EARTH_RADIUS_M
    return float(geom.area) * scale_x * scale_y


def overlap_m2(a: BaseGeometry, b: BaseGeometry) -> float:
    """The area two shapes have in common, in square metres."""
    if not a.intersects(b):
        return 0.0
    return area_m2(a.intersection(b))


def boundary_overlap_error(geom: BaseGeometry, neighbours: Iterable[Neighbour]) -> str | None:
    """A sentence naming every neighbour that ``geom`` overlaps by more than the tolerance, or None."""
    overlaps = []
    for neighbour in neighbours:
        area = overlap_m2(geom, neighbour.shape)
        if area > OVERLAP_TOLERANCE_M2:
            overlaps.append(_("%(neighbour)s by %(area)s m²") % {"neighbour": neighbour.label, "area": f"{area:,.0f}"})
    if not overlaps:
        return None
    return _(
        "The boundary overlaps the sibling grid %(overlaps)s; grids of one community may share edges but not area."
    ) % {"overlaps": "; ".join(overlaps)}
