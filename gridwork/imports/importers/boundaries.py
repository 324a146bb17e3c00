"""Importing boundaries from a GeoJSON FeatureCollection: ``properties.code`` names an existing place.

A problem's row is the feature's number in the collection (the first is 1). The geometry rules are those of
``places.services.boundary_set``: a valid Polygon or MultiPolygon, and grids of one community not overlapping
each other, whether the other grid is in this file or already drawn on the platform.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.common.tabular import ImportProblem
from gridwork.imports.checks import by_code, duplicates, in_scope_ids, rows_phrase
from gridwork.imports.plan import ImportContext, Plan
from gridwork.places.geometry import (
    NON_OVERLAPPING_LEVELS,
    Boundary,
    GeometryError,
    Neighbour,
    boundary_overlap_error,
    boundary_validate,
)
from gridwork.places.locating import boundaries_changed
from gridwork.places.models import Place
from gridwork.places.services import boundary_neighbours

MAX_FEATURES = 50_000
CODE = "properties.code"
GEOMETRY = "geometry"


@dataclass
class Feature:
    number: int
    code: str
    boundary: Boundary | None
    place: Place | None = None


def boundaries_plan(context: ImportContext) -> Plan:
    problems: list[ImportProblem] = []

    def problem(number: int | None, column: str, reason: str) -> None:
        problems.append(ImportProblem(context.file_name, number, column, reason))

    collection = _load(context, problem)
    if collection is None:
        return Plan(problems=problems)
    features: list[Feature] = []
    for number, item in enumerate(collection, start=1):
        if not isinstance(item, dict) or item.get("type") != "Feature":
            problem(number, "", _("Each item of “features” must be a GeoJSON Feature."))
            continue
        properties = item.get("properties")
        if not isinstance(properties, dict):
            properties = {}
        raw = properties.get("code", properties.get("编码"))
        code = str(raw).strip() if isinstance(raw, str | int) and not isinstance(raw, bool) else ""
        if not code:
            problem(number, CODE, _("The feature has no properties.code naming its place."))
        try:
            boundary: Boundary | None = boundary_validate(item.get("geometry"))
        except GeometryError as exc:
            problem(number, GEOMETRY, str(exc))
            boundary = None
        features.append(Feature(number=number, code=code, boundary=boundary))

    doubled = duplicates((feature.code, feature.number) for feature in features if feature.code)
    places = by_code(Place.objects.all(), (feature.code for feature in features))
    allowed = in_scope_ids(context.actor, Place.objects.all(), (place.pk for place in places.values()))
    for feature in features:
        if feature.code in doubled:
            others = [n for n in doubled[feature.code] if n != feature.number]
            problem(
                feature.number,
                CODE,
                _("The code %(code)s is also on %(rows)s.") % {"code": feature.code, "rows": rows_phrase(others)},
            )
        place = places.get(feature.code)
        if feature.code and place is None:
            problem(
                feature.number, CODE, _("No place with code %(code)s exists on the platform.") % {"code": feature.code}
            )
        elif place is not None and place.pk not in allowed:
            problem(
                feature.number,
                CODE,
                _("%(name)s (%(code)s) is outside the places you may import into.")
                % {"name": place.name, "code": place.code},
            )
        else:
            feature.place = place
    for feature, error in _overlaps(features):
        problem(feature.number, GEOMETRY, error)
    if problems:
        return Plan(problems=problems)
    return Plan(write=lambda: _write(features))


def _load(context: ImportContext, problem: Any) -> list[Any] | None:
    try:
        document = json.loads(context.data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        problem(None, "", _("A GeoJSON file must be UTF-8 text."))
        return None
    except json.JSONDecodeError as exc:
        problem(
            None,
            "",
            _("This is not valid JSON: %(error)s at line %(line)d, column %(column)d.")
            % {"error": exc.msg, "line": exc.lineno, "column": exc.colno},
        )
        return None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        problem(None, "", _("The file must hold a GeoJSON FeatureCollection."))
        return None
    features = document.get("features")
    if not isinstance(features, list) or not features:
        problem(None, "", _("The FeatureCollection has no features."))
        return None
    if len(features) > MAX_FEATURES:
        problem(None, "", _("The file has more than %(max)d features; split it.") % {"max": MAX_FEATURES})
        return None
    return features


def _overlaps(features: list[Feature]) -> list[tuple[Feature, str]]:
    """Each grid against its siblings: those drawn on the platform (unless redrawn here) and the earlier features."""
    checked = [f for f in features if f.place is not None and f.boundary is not None]
    redrawn = {f.place.pk for f in checked if f.place is not None}
    found: list[tuple[Feature, str]] = []
    for level in NON_OVERLAPPING_LEVELS:
        of_level = [f for f in checked if f.place is not None and f.place.level == level and f.place.parent_id]
        on_platform = boundary_neighbours(
            parent_ids=(f.place.parent_id for f in of_level if f.place and f.place.parent_id), level=level
        )
        earlier: dict[int, list[Neighbour]] = defaultdict(list)
        for feature in of_level:
            assert feature.place is not None
            assert feature.boundary is not None
            parent_id = feature.place.parent_id
            assert parent_id is not None
            neighbours = [n for place_id, n in on_platform.get(parent_id, []) if place_id not in redrawn]
            error = boundary_overlap_error(feature.boundary.shape, [*neighbours, *earlier[parent_id]])
            if error:
                found.append((feature, error))
            label = _("%(name)s (%(code)s, feature %(number)d)") % {
                "name": feature.place.name,
                "code": feature.code,
                "number": feature.number,
            }
            earlier[parent_id].append(Neighbour(label=label, shape=feature.boundary.shape))
    return found


def _write(features: list[Feature]) -> int:
    now = timezone.now()
    places = []
    for feature in features:
        assert feature.place is not None
        assert feature.boundary is not None
        feature.place.boundary = feature.boundary.geojson
        feature.place.updated_at = now
        places.append(feature.place)
    Place.objects.bulk_update(places, ["boundary", "updated_at"], batch_size=500)
    boundaries_changed()
    return len(places)
