"""The demo city's plan: every place with its code, name, counts and geometry, worked out before any write.

Planning touches no database, so it is quick to test and the same seed always gives the same plan. The
build (``gridwork.demo.build``) writes the plan and draws the people that live in it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

import shapely

from gridwork.demo import names
from gridwork.demo.geometry import (
    Cell,
    Lattice,
    anchor_point,
    apportion,
    gilbert_curve,
    runs,
    split_sizes,
    to_geojson,
    union_of,
)
from gridwork.places.codes import child_code, place_path

DEFAULT_SEED = 20261121
CITY_CODE = "520100000000"
CENTRE_LAT = 26.6
CENTRE_LNG = 106.7
ROOMS_PER_FLOOR = 2
FLOORS_PER_UNIT = 6


@dataclass(frozen=True)
class Scale:
    """How big the demo city is. The lattice has columns × rows cells, one grid each; both must be even."""

    name: str
    columns: int
    rows: int
    spacing_m: float
    districts: int
    streets: int
    communities: int
    spread: float  # how much sibling sizes may differ from their mean, as a fraction
    microgrids_per_grid: tuple[int, int]
    households_per_microgrid: tuple[int, int]
    # Households and residents exist only under showcase grids: the first grids of the first communities of
    # each street (None: all of them).
    showcase_communities_per_street: int | None
    showcase_grids_per_community: int | None
    resident_units_per_street: int
    party_members_per_branch: tuple[int, int]
    party_groups_per_showcase_grid: int

    @property
    def grids(self) -> int:
        return self.columns * self.rows


SCALES: dict[str, Scale] = {
    "small": Scale(
        name="small",
        columns=6,
        rows=4,
        spacing_m=400,
        districts=2,
        streets=4,
        communities=8,
        spread=0.0,
        microgrids_per_grid=(2, 2),
        households_per_microgrid=(3, 3),
        showcase_communities_per_street=None,
        showcase_grids_per_community=None,
        resident_units_per_street=2,
        party_members_per_branch=(2, 2),
        party_groups_per_showcase_grid=1,
    ),
    "city": Scale(
        name="city",
        columns=72,
        rows=70,
        spacing_m=500,
        districts=6,
        streets=70,
        communities=700,
        spread=0.25,
        microgrids_per_grid=(6, 10),
        households_per_microgrid=(30, 50),
        showcase_communities_per_street=1,
        showcase_grids_per_community=3,
        resident_units_per_street=5,
        party_members_per_branch=(3, 6),
        party_groups_per_showcase_grid=2,
    ),
}


@dataclass(eq=False, slots=True)
class PlannedPlace:
    """One place of the plan. ``pk`` is filled in when the place is written."""

    code: str
    name: str
    level: str
    parent: PlannedPlace | None
    path: str
    sequence: int
    children: list[PlannedPlace] = field(default_factory=list)
    households: int = 0
    population: int = 0
    address: str = ""
    boundary: dict[str, Any] | None = None
    longitude: float | None = None
    latitude: float | None = None
    resident_count: int = 0  # households only: how many residents the build draws for it
    showcase: bool = False  # grids and micro-grids with households under them
    pk: int | None = None

    @property
    def saved_pk(self) -> int:
        """The primary key once the place is written."""
        if self.pk is None:
            raise LookupError(f"{self.code} has not been written yet.")
        return self.pk

    def ancestor(self, level: str) -> PlannedPlace:
        place: PlannedPlace | None = self
        while place is not None and place.level != level:
            place = place.parent
        if place is None:
            raise LookupError(f"{self.code} has no {level} above it.")
        return place

    @property
    def root(self) -> str:
        """The name without its level word: 春晖社区 → 春晖, 东湖区 → 东湖, 望江街道 → 望江."""
        for suffix in ("街道", "社区", "区", "市"):
            if self.name.endswith(suffix):
                return self.name[: -len(suffix)]
        return self.name


@dataclass
class CityPlan:
    scale: Scale
    seed: int
    city: PlannedPlace
    lattice: Lattice
    by_level: dict[str, list[PlannedPlace]]

    def places(self, level: str) -> list[PlannedPlace]:
        return self.by_level.get(level, [])


def _child(parent: PlannedPlace, level: str, sequence: int, name: str) -> PlannedPlace:
    code = child_code(level, parent.code, sequence)
    place = PlannedPlace(
        code=code, name=name, level=level, parent=parent, path=place_path(parent.path, code), sequence=sequence
    )
    parent.children.append(place)
    return place


def plan_city(scale: Scale, seed: int = DEFAULT_SEED) -> CityPlan:
    """The whole city: tree, names, counts and boundaries, from the scale and the seed alone."""
    if scale.columns % 2 or scale.rows % 2:
        raise ValueError("The lattice needs an even number of columns and rows, so the curve never steps diagonally.")
    map_rng = random.Random(f"{seed}:map")
    tree_rng = random.Random(f"{seed}:tree")
    count_rng = random.Random(f"{seed}:counts")
    lattice = Lattice.build(
        columns=scale.columns,
        rows=scale.rows,
        spacing_m=scale.spacing_m,
        centre_lat=CENTRE_LAT,
        centre_lng=CENTRE_LNG,
        rng=map_rng,
    )
    cells = gilbert_curve(scale.columns, scale.rows)

    city = PlannedPlace(
        code=CITY_CODE, name=names.CITY_NAME, level="city", parent=None, path=place_path(None, CITY_CODE), sequence=1
    )
    street_names = names.two_character_names(names.STREET_FIRST, names.STREET_SECOND, tree_rng)
    community_names = names.two_character_names(names.COMMUNITY_FIRST, names.COMMUNITY_SECOND, tree_rng)
    cell_of: dict[str, Cell] = {}
    grids_per_community = scale.grids / scale.communities

    district_cells = runs(cells, split_sizes(len(cells), scale.districts, tree_rng, spread=scale.spread / 2))
    streets_per_district = _counts_by_size([len(run) for run in district_cells], scale.streets)
    for d, (own_cells, street_count) in enumerate(zip(district_cells, streets_per_district, strict=True), start=1):
        district = _child(city, "district", d, names.district_name(d))
        street_cells = runs(own_cells, split_sizes(len(own_cells), street_count, tree_rng, spread=scale.spread))
        for s, street_run in enumerate(street_cells, start=1):
            street = _child(district, "street", s, f"{next(street_names)}街道")
            community_count = max(1, round(len(street_run) / grids_per_community))
            community_runs = runs(
                street_run, split_sizes(len(street_run), community_count, tree_rng, spread=scale.spread, minimum=3)
            )
            for c, community_run in enumerate(community_runs, start=1):
                community = _child(street, "community", c, f"{next(community_names)}社区")
                for g, cell in enumerate(community_run, start=1):
                    grid = _child(community, "grid", g, f"{community.name}第{names.chinese_number(g)}网格")
                    cell_of[grid.code] = cell
                    grid.showcase = _is_showcase(scale, community_sequence=c, grid_sequence=g)

    by_level = _levels(city)
    _plan_microgrids_and_households(scale, by_level, lattice, cell_of, count_rng)
    by_level = _levels(city)
    _roll_up_counts(city)
    _plan_boundaries(by_level, lattice, cell_of)
    return CityPlan(scale=scale, seed=seed, city=city, lattice=lattice, by_level=by_level)


def _counts_by_size(sizes: list[int], total: int) -> list[int]:
    """Split ``total`` children among parents in proportion to their sizes, at least one each."""
    return apportion(total - len(sizes), [float(size) for size in sizes], base=1)


def _is_showcase(scale: Scale, *, community_sequence: int, grid_sequence: int) -> bool:
    communities = scale.showcase_communities_per_street
    grids = scale.showcase_grids_per_community
    return (communities is None or community_sequence <= communities) and (grids is None or grid_sequence <= grids)


def _levels(city: PlannedPlace) -> dict[str, list[PlannedPlace]]:
    by_level: dict[str, list[PlannedPlace]] = {}
    stack = [city]
    while stack:
        place = stack.pop()
        by_level.setdefault(place.level, []).append(place)
        stack.extend(reversed(place.children))
    for places in by_level.values():
        places.sort(key=lambda place: place.code)
    return by_level


def _plan_microgrids_and_households(
    scale: Scale,
    by_level: dict[str, list[PlannedPlace]],
    lattice: Lattice,
    cell_of: dict[str, Cell],
    rng: random.Random,
) -> None:
    for grid in by_level["grid"]:
        community = grid.ancestor("community")
        district = grid.ancestor("district")
        street = grid.ancestor("street")
        road = f"{community.root}路{grid.sequence * 2 - 1}号"
        base_address = f"{names.CITY_NAME}{district.name}{street.name}{road}"
        count = rng.randint(*scale.microgrids_per_grid)
        columns = math.ceil(math.sqrt(count))
        rows = math.ceil(count / columns)
        for m in range(1, count + 1):
            building = _child(grid, "microgrid", m, f"{m}号楼")
            building.address = f"{base_address}{m}号楼"
            row, column = divmod(m - 1, columns)
            u = (column + 0.5 + rng.uniform(-0.2, 0.2)) / columns
            v = (row + 0.5 + rng.uniform(-0.2, 0.2)) / rows
            building.longitude, building.latitude = lattice.point_in(cell_of[grid.code], u, v)
            households = rng.randint(*scale.households_per_microgrid)
            building.households = households
            if not grid.showcase:
                building.population = round(households * rng.uniform(2.3, 3.0))
                continue
            building.showcase = True
            for h in range(1, households + 1):
                room = _room_name(h)
                household = _child(building, "household", h, f"{building.name}{room}")
                household.address = f"{building.address}{room}"
                household.longitude, household.latitude = building.longitude, building.latitude
                household.resident_count = rng.choices((1, 2, 3, 4, 5), weights=(14, 30, 30, 18, 8))[0]


def _room_name(sequence: int) -> str:
    """1单元101, 1单元102, 1单元201 … for the ``sequence``-th household of a building."""
    per_unit = ROOMS_PER_FLOOR * FLOORS_PER_UNIT
    unit, within = divmod(sequence - 1, per_unit)
    floor, room = divmod(within, ROOMS_PER_FLOOR)
    return f"{unit + 1}单元{floor + 1}{room + 1:02d}"


def _roll_up_counts(place: PlannedPlace) -> None:
    """Households and population of every place from the bottom up; households count one each."""
    if place.level == "household":
        place.households = 1
        place.population = place.resident_count
        return
    if not place.children:
        return
    for child in place.children:
        _roll_up_counts(child)
    if place.level == "microgrid" and not place.showcase:
        return
    place.households = sum(child.households for child in place.children)
    place.population = sum(child.population for child in place.children)


def _plan_boundaries(by_level: dict[str, list[PlannedPlace]], lattice: Lattice, cell_of: dict[str, Cell]) -> None:
    shapes: dict[str, shapely.Geometry] = {}
    for grid in by_level["grid"]:
        shapes[grid.code] = lattice.polygon(cell_of[grid.code])
    for level in ("community", "street", "district", "city"):
        for place in by_level[level]:
            shapes[place.code] = union_of([shapes[child.code] for child in place.children])
    for level in ("grid", "community", "street", "district", "city"):
        for place in by_level[level]:
            shape = shapes[place.code]
            place.boundary = to_geojson(shape)
            place.longitude, place.latitude = anchor_point(shape)
