"""The benchmark's city: 12 districts, 150 streets, 1,500 communities, 7,500 grids and 300 departments, with fixed
ids, so that the generated matters (written once, loaded into each database) point at the same rows everywhere.

No Django here: the rows are plain tuples that ``load`` writes into ``places_place`` and ``places_department``.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

CITY_CODE = "520100000000"
DISTRICTS = 12
STREETS = 150
COMMUNITIES_PER_STREET = 10
GRIDS_PER_COMMUNITY = 5
CITY_DEPARTMENTS = 40  # functional bureaus of the city (市直部门)
PUBLIC_SERVICES = 20  # water, power, gas, telecoms… (公共服务企业), also at the city
DISTRICT_DEPARTMENTS = 20  # bureaus of each district (区直部门)
CENTRE_LAT, CENTRE_LNG = 26.6, 106.7
GRID_DEGREES = 0.0045  # about 500 m
CREATED = "2024-12-01 00:00:00"


@dataclass
class Grid:
    id: int
    community_id: int
    street_id: int
    district_id: int
    path: str
    weight: float


@dataclass
class City:
    """Rows for places_place and places_department, and what the generator needs to draw a matter's place."""

    places: list[tuple[object, ...]] = field(default_factory=list)
    departments: list[tuple[object, ...]] = field(default_factory=list)
    grids: list[Grid] = field(default_factory=list)
    city_id: int = 1
    district_ids: list[int] = field(default_factory=list)
    street_ids: list[int] = field(default_factory=list)
    city_departments: list[int] = field(default_factory=list)
    public_services: list[int] = field(default_factory=list)
    district_departments: dict[int, list[int]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)  # department id → name


PLACE_COLUMNS = (
    "id",
    "code",
    "name",
    "level",
    "path",
    "households",
    "population",
    "address",
    "boundary",
    "latitude",
    "longitude",
    "created_at",
    "updated_at",
    "parent_id",
)
DEPARTMENT_COLUMNS = ("id", "code", "name", "kind", "is_active", "place_id")

BUREAUS = (
    "城管局",
    "住建局",
    "生态环境局",
    "交通运输局",
    "公安分局",
    "市场监管局",
    "卫健局",
    "教育局",
    "人社局",
    "民政局",
    "水务局",
    "自然资源局",
    "应急管理局",
    "商务局",
    "文旅局",
    "农业农村局",
    "税务局",
    "司法局",
    "医保局",
    "信访局",
)
SERVICES = ("供水公司", "供电局", "燃气公司", "通信公司", "公交集团", "热力公司", "排水公司", "环卫集团")


def _square(lat: float, lng: float) -> str:
    half = GRID_DEGREES / 2
    ring = [
        [round(lng - half, 6), round(lat - half, 6)],
        [round(lng + half, 6), round(lat - half, 6)],
        [round(lng + half, 6), round(lat + half, 6)],
        [round(lng - half, 6), round(lat + half, 6)],
        [round(lng - half, 6), round(lat - half, 6)],
    ]
    return '{"type": "Polygon", "coordinates": [' + str(ring) + "]}"


def build_city(seed: int) -> City:
    """The same city for the same seed: sizes (how many matters each grid sees) vary as in a real city."""
    rng = random.Random(f"{seed}:city")
    city = City()
    next_id = 1

    def place(code: str, name: str, level: str, parent: tuple[int, str] | None, **extra: object) -> tuple[int, str]:
        nonlocal next_id
        pk = next_id
        next_id += 1
        path = f"{parent[1] if parent else '/'}{code}/"
        city.places.append(
            (
                pk,
                code,
                name,
                level,
                path,
                extra.get("households", 0),
                extra.get("population", 0),
                "",
                extra.get("boundary"),
                extra.get("latitude"),
                extra.get("longitude"),
                CREATED,
                CREATED,
                parent[0] if parent else None,
            )
        )
        return pk, path

    root = place(CITY_CODE, "筑城市", "city", None)
    city.city_id = root[0]
    streets_left = STREETS
    columns = math.ceil(math.sqrt(STREETS * COMMUNITIES_PER_STREET * GRIDS_PER_COMMUNITY))
    cell = 0
    for d in range(1, DISTRICTS + 1):
        district_streets = streets_left // (DISTRICTS - d + 1)
        streets_left -= district_streets
        district = place(f"5201{d:02d}000000", f"第{d}区", "district", root)
        city.district_ids.append(district[0])
        # Central districts are busier: a district's weight, then each grid's own.
        district_weight = rng.lognormvariate(0, 0.35)
        for s in range(1, district_streets + 1):
            street_code = f"5201{d:02d}{s:03d}000"
            street = place(street_code, f"第{d}区第{s}街道", "street", district)
            city.street_ids.append(street[0])
            for c in range(1, COMMUNITIES_PER_STREET + 1):
                community_code = f"{street_code[:9]}{c:03d}"
                community = place(community_code, f"第{d}区第{s}街道第{c}社区", "community", street)
                for g in range(1, GRIDS_PER_COMMUNITY + 1):
                    row, column = divmod(cell, columns)
                    cell += 1
                    lat = CENTRE_LAT + (row - columns / 2) * GRID_DEGREES
                    lng = CENTRE_LNG + (column - columns / 2) * GRID_DEGREES
                    households = rng.randint(250, 450)
                    grid = place(
                        f"{community_code}{g:03d}",
                        f"第{c}社区第{g}网格",
                        "grid",
                        community,
                        households=households,
                        population=round(households * 2.6),
                        boundary=_square(lat, lng),
                        latitude=round(lat, 6),
                        longitude=round(lng, 6),
                    )
                    city.grids.append(
                        Grid(
                            id=grid[0],
                            community_id=community[0],
                            street_id=street[0],
                            district_id=district[0],
                            path=grid[1],
                            weight=district_weight * rng.lognormvariate(0, 0.6),
                        )
                    )
    next_department = 1

    def department(code: str, name: str, kind: str, place_id: int) -> int:
        nonlocal next_department
        pk = next_department
        next_department += 1
        city.departments.append((pk, code, name, kind, True, place_id))
        city.names[pk] = name
        return pk

    for b in range(CITY_DEPARTMENTS):
        name = f"市{BUREAUS[b % len(BUREAUS)]}" + ("" if b < len(BUREAUS) else f"{b // len(BUREAUS) + 1}处")
        city.city_departments.append(department(f"C{b + 1:03d}", name, "functional", city.city_id))
    for p in range(PUBLIC_SERVICES):
        name = SERVICES[p % len(SERVICES)] + ("" if p < len(SERVICES) else f"{p // len(SERVICES) + 1}分公司")
        city.public_services.append(department(f"P{p + 1:03d}", name, "public_service", city.city_id))
    for d, district_id in enumerate(city.district_ids, start=1):
        city.district_departments[district_id] = [
            department(f"D{d:02d}{b + 1:02d}", f"第{d}区{BUREAUS[b]}", "functional", district_id)
            for b in range(DISTRICT_DEPARTMENTS)
        ]
    return city
