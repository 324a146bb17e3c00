"""Visit coverage (走访覆盖率) of each grid per month, rolled up by community and street.

Definition: for a grid and a calendar month, **households visited** is the number of distinct household places under
the grid with at least one visit dated in that month (a household visited three times counts once); **households** is
the number of household places under the grid (the platform's household records, not the grid's declared household
count); **coverage** = households visited ÷ households. A community's and a street's coverage add up the numerators
and the denominators of their grids (never an average of rates). A grid without household records has no coverage
("—"), and counts 0 in the sums.

Both figures place a household by where it lies now (its path), not by the grid a visit recorded: a household moved
to another grid counts in the new grid's numerator and denominator alike, so no rate exceeds 100%.

Only the grids under the units where the user holds VIEW_GRID_VISITS are counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from gridwork.accounts.roles import Perm
from gridwork.gridvisits.models import GridVisit
from gridwork.places.models import Place, PlaceLevel

DEFINITION = _(
    "Coverage = households visited ÷ households. Households visited: the distinct household records under the grid "
    "with at least one visit dated in the month. Households: the household records under the grid. A community's "
    "and a street's figures add up their grids' numerators and denominators."
)


@dataclass
class Coverage:
    """One line of the table: a grid, or the sum of a community's or a street's grids."""

    place: Place
    visited: int = 0
    households: int = 0
    grids: list[Coverage] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return self.visited / self.households if self.households else None

    @property
    def percent(self) -> str:
        rate = self.rate
        return "—" if rate is None else f"{rate * 100:.1f}%"


@dataclass
class Street:
    total: Coverage
    communities: list[Coverage]


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """The first day of the month and the first day of the next."""
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return first, following


def roll_up(
    grids: Iterable[Place],
    places: Mapping[int, Place],
    households: Mapping[int, int],
    visited: Mapping[int, int],
) -> list[Street]:
    """The streets, their communities and their grids with the figures: ``households`` and ``visited`` are counted
    per grid id; ``places`` holds the grids' communities and streets by id. Pure: tests give it hand-made figures."""
    streets: dict[int, Street] = {}
    communities: dict[int, Coverage] = {}
    for grid in sorted(grids, key=lambda place: place.path):
        line = Coverage(place=grid, visited=visited.get(grid.pk, 0), households=households.get(grid.pk, 0))
        community = places[grid.parent_id] if grid.parent_id is not None else grid
        if community.pk not in communities:
            communities[community.pk] = Coverage(place=community)
            street_place = places.get(community.parent_id or 0, community)
            streets.setdefault(street_place.pk, Street(total=Coverage(place=street_place), communities=[]))
            streets[street_place.pk].communities.append(communities[community.pk])
        total = communities[community.pk]
        total.grids.append(line)
        total.visited += line.visited
        total.households += line.households
    for street in streets.values():
        street.total.visited = sum(community.visited for community in street.communities)
        street.total.households = sum(community.households for community in street.communities)
    return sorted(streets.values(), key=lambda street: street.total.place.path)


def grid_of_path(path: str) -> str:
    """The code of the grid in a household's path (/city/district/street/community/grid/…)."""
    codes = [code for code in path.split("/") if code]
    return codes[4] if len(codes) > 4 else ""


def coverage(*, user: Any, year: int, month: int) -> list[Street]:
    """The coverage of the month for the grids under the units where the user holds VIEW_GRID_VISITS."""
    grids = list(Place.objects.restrict(user, Perm.VIEW_GRID_VISITS).filter(level=PlaceLevel.GRID))
    by_code = {grid.code: grid.pk for grid in grids}
    counted: Counter[int] = Counter()
    paths = Place.objects.restrict(user, Perm.VIEW_GRID_VISITS).filter(level=PlaceLevel.HOUSEHOLD)
    for path in paths.values_list("path", flat=True).iterator():
        grid_pk = by_code.get(grid_of_path(path))
        if grid_pk is not None:
            counted[grid_pk] += 1
    first, following = month_bounds(year, month)
    visited: Counter[int] = Counter()
    visited_paths = (
        GridVisit.objects.restrict(user, Perm.VIEW_GRID_VISITS)
        .filter(visited_on__gte=first, visited_on__lt=following)
        .order_by()
        .values_list("household__path", flat=True)
        .distinct()
    )
    for path in visited_paths:
        grid_pk = by_code.get(grid_of_path(path))
        if grid_pk is not None:
            visited[grid_pk] += 1
    parent_ids = {grid.parent_id for grid in grids if grid.parent_id is not None}
    parents = {place.pk: place for place in Place.objects.filter(pk__in=parent_ids)}
    streets = {
        place.pk: place
        for place in Place.objects.filter(pk__in={p.parent_id for p in parents.values() if p.parent_id is not None})
    }
    return roll_up(grids, {**parents, **streets}, counted, visited)
