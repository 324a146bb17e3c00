"""Reading places: every query is narrowed to the user's scope first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from gridwork.accounts.roles import Perm
from gridwork.places.models import Department, Place, PlaceLevel


def place_list(
    *, user: Any, level: str | None = None, search: str = "", parent: Place | None = None
) -> QuerySet[Place]:
    places = Place.objects.restrict(user, Perm.VIEW_PLACES)
    if level:
        places = places.filter(level=level)
    if parent is not None:
        places = places.filter(parent=parent)
    if search:
        places = places.filter(Q(name__icontains=search) | Q(code__startswith=search))
    return places.order_by("code")


def place_get(*, user: Any, code: str) -> Place:
    """The place with this code, if it lies in the user's scope; 404 otherwise (never 403: no probing)."""
    place = Place.objects.restrict(user, Perm.VIEW_PLACES).filter(code=code).select_related("parent").first()
    if place is None:
        raise Http404
    return place


def building_by_code(code: str) -> Place | None:
    """The building (micro-grid) with this code, with its grid and community: where a matter is filed. Not scoped:
    anyone filing may name any building of the city, as on the map."""
    code = code.strip()
    if not code:
        return None
    return Place.objects.select_related("parent__parent").filter(code=code, level=PlaceLevel.MICROGRID).first()


def place_ancestors(place: Place) -> list[Place]:
    """The place's ancestors from the city down, in one query."""
    codes = place.ancestor_codes()
    by_code = {p.code: p for p in Place.objects.filter(code__in=codes)}
    return [by_code[code] for code in codes if code in by_code]


def place_visible_codes(*, user: Any, codes: list[str]) -> set[str]:
    """Which of these codes the user may open (used to link only the breadcrumbs they can follow)."""
    return set(Place.objects.restrict(user, Perm.VIEW_PLACES).filter(code__in=codes).values_list("code", flat=True))


@dataclass(frozen=True)
class PlaceCounts:
    children: int
    grids: int
    households: int
    population: int


def place_counts(place: Place) -> PlaceCounts:
    """Figures of a place's subtree: direct children, grids, households and population (from the place's own counts)."""
    grids = (
        1
        if place.level == PlaceLevel.GRID
        else Place.objects.filter(level=PlaceLevel.GRID, path__startswith=place.path).count()
    )
    return PlaceCounts(
        children=place.children.count(),
        grids=grids,
        households=place.households,
        population=place.population,
    )


def department_list(*, user: Any, place: Place | None = None) -> QuerySet[Department]:
    departments = Department.objects.restrict(user, Perm.VIEW_PLACES).select_related("place")
    if place is not None:
        departments = departments.filter(place=place)
    return departments.order_by("code")
