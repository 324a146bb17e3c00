"""The layers of the 民情图 (the community's map of residents' conditions), as GeoJSON, each narrowed to the user:

- **visited**: the households with a visit dated in the chosen month (VIEW_GRID_VISITS over them);
- **open needs**: the households with a need found on a visit and not yet turned into anything (VIEW_GRID_VISITS);
- **in difficulty**: the households with an open record of ``care.HouseholdInDifficulty``, only those over which the
  user holds VIEW_DIFFICULTY (and VIEW_GRID_VISITS: the map is the visits' map). A user without VIEW_DIFFICULTY
  anywhere is refused (403). The layer carries no name, no address and no kind of difficulty: only points and how
  many such households each point stands for; every load is audited.

Position: a household has no coordinates of its own as a rule. Each household is drawn at its own latitude and
longitude if it has them, otherwise at those of its nearest ancestor that has them (its building, then its grid,
community, street…); a household without any positioned ancestor is left off the map (the list beside it still
names the visited ones). Several households at one position are one feature with their count. The layer of
households in difficulty never uses a household's own coordinates, only its ancestors'.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.urls import reverse

from gridwork.accounts.roles import Perm
from gridwork.care.models import HouseholdInDifficulty
from gridwork.gridvisits.coverage import month_bounds
from gridwork.gridvisits.models import GridVisit
from gridwork.gridvisits.selectors import household_label, open_needs, personal_data_paths
from gridwork.places.models import Place, PlaceLevel

Position = tuple[float, float]  # latitude, longitude


def positions(households: Iterable[Place], *, own: bool = True) -> dict[int, Position]:
    """Where each household is drawn: its own coordinates (unless ``own`` is false), or its nearest positioned
    ancestor's."""
    households = list(households)
    codes = {code for household in households for code in household.ancestor_codes()}
    known: dict[str, Position] = {}
    rows = Place.objects.filter(code__in=codes, latitude__isnull=False, longitude__isnull=False)
    for code, latitude, longitude in rows.values_list("code", "latitude", "longitude"):
        if latitude is not None and longitude is not None:
            known[code] = (latitude, longitude)
    found: dict[int, Position] = {}
    for household in households:
        latitude, longitude = household.latitude, household.longitude
        if own and latitude is not None and longitude is not None:
            found[household.pk] = (latitude, longitude)
            continue
        for code in reversed(household.ancestor_codes()):
            if code in known:
                found[household.pk] = known[code]
                break
    return found


def _point(position: Position, properties: dict[str, Any]) -> dict[str, Any]:
    latitude, longitude = position
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
        "properties": properties,
    }


def collection(features: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features, **extra}


def _scoped_households(user: Any) -> Any:
    return Place.objects.restrict(user, Perm.VIEW_GRID_VISITS).filter(level=PlaceLevel.HOUSEHOLD)


def visited_households(*, user: Any, year: int, month: int) -> list[dict[str, Any]]:
    """The households visited in the month, with their visit count and last visit, for the layer and the list."""
    first, following = month_bounds(year, month)
    visits = GridVisit.objects.restrict(user, Perm.VIEW_GRID_VISITS).filter(
        visited_on__gte=first, visited_on__lt=following
    )
    counts: dict[int, int] = defaultdict(int)
    last: dict[int, date] = {}
    for household_id, visited_on in visits.values_list("household_id", "visited_on"):
        counts[household_id] += 1
        last[household_id] = max(last.get(household_id, visited_on), visited_on)
    households = list(_scoped_households(user).filter(pk__in=counts).select_related("parent").order_by("path"))
    where = positions(households)
    paths = personal_data_paths(user)
    return [
        {
            "id": household.pk,
            "code": household.code,
            "label": household_label(household, paths=paths),
            "visits": counts[household.pk],
            "last_visit": last[household.pk].isoformat(),
            "url": reverse("gridvisits:household", args=[household.pk]),
            "position": where.get(household.pk),
        }
        for household in households
    ]


def visited_layer(rows: list[dict[str, Any]]) -> dict[str, Any]:
    features = [
        _point(row["position"], {key: value for key, value in row.items() if key != "position"})
        for row in rows
        if row["position"] is not None
    ]
    return collection(features, unpositioned=sum(1 for row in rows if row["position"] is None))


def open_needs_layer(*, user: Any) -> dict[str, Any]:
    """The households with needs not yet turned into anything, with how many."""
    counts: dict[int, int] = defaultdict(int)
    for household_id in open_needs(user=user).values_list("visit__household_id", flat=True):
        counts[household_id] += 1
    households = list(_scoped_households(user).filter(pk__in=counts).select_related("parent").order_by("path"))
    where = positions(households)
    paths = personal_data_paths(user)
    features = [
        _point(
            where[household.pk],
            {
                "id": household.pk,
                "code": household.code,
                "label": household_label(household, paths=paths),
                "open_needs": counts[household.pk],
                "url": reverse("gridvisits:household", args=[household.pk]),
            },
        )
        for household in households
        if household.pk in where
    ]
    return collection(features)


def difficulty_layer(*, user: Any) -> tuple[dict[str, Any], int]:
    """The positions of the open households in difficulty over which the user holds VIEW_DIFFICULTY (and
    VIEW_GRID_VISITS), each with how many households it stands for; and the number of households.

    A household is drawn at its building (or a higher unit), never at its own coordinates: a point on one door marked
    "in difficulty" would name the household as surely as its code."""
    household_ids = HouseholdInDifficulty.objects.restrict(user, Perm.VIEW_DIFFICULTY).filter(ended_on__isnull=True)
    households = list(_scoped_households(user).filter(pk__in=household_ids.values("household_id")))
    where = positions(households, own=False)
    counts: dict[Position, int] = defaultdict(int)
    for household in households:
        if household.pk in where:
            counts[where[household.pk]] += 1
    features = [_point(position, {"households": count}) for position, count in sorted(counts.items())]
    return collection(features), len(households)
