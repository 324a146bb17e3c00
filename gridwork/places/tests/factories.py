"""Test data for places: a small tree with siblings at every level, so scope can be checked both ways."""

from __future__ import annotations

from dataclasses import dataclass

from gridwork.places.codes import child_code, place_path
from gridwork.places.models import Department, DepartmentKind, Place

CITY_CODE = "520100000000"


def square(lng: float, lat: float, size: float = 0.01) -> dict[str, object]:
    """A GeoJSON square polygon with its south-west corner at (lng, lat)."""
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def make_place(level: str, parent: Place | None, sequence: int, name: str, **fields: object) -> Place:
    code = child_code(level, parent.code, sequence) if parent is not None else CITY_CODE
    return Place.objects.create(
        code=code,
        name=name,
        level=level,
        parent=parent,
        path=place_path(parent.path if parent else None, code),
        **fields,
    )


@dataclass
class CityTree:
    """city → district(2) → street(2 under district) → community(2 under street) → grid(2) → micro-grid → household.

    ``district``/``street``/``community``/``grid`` are the "own" line; the ``*2`` fields are their siblings.
    """

    city: Place
    district: Place
    district2: Place
    street: Place
    street2: Place
    community: Place
    community2: Place
    grid: Place
    grid2: Place
    microgrid: Place
    household: Place
    department: Department
    dispatch_centre: Department


def make_city_tree() -> CityTree:
    city = make_place("city", None, 1, "明川市")
    district = make_place("district", city, 2, "东湖区")
    district2 = make_place("district", city, 3, "西山区")
    street = make_place("street", district, 1, "望江街道")
    street2 = make_place("street", district, 2, "临川街道")
    make_place("street", district2, 1, "松林街道")
    community = make_place("community", street, 1, "春晖社区", households=2100, population=6000)
    community2 = make_place("community", street, 2, "秋实社区", households=1800, population=5200)
    grid = make_place("grid", community, 1, "春晖社区第一网格", boundary=square(106.70, 26.60), households=320)
    grid2 = make_place("grid", community, 2, "春晖社区第二网格", boundary=square(106.71, 26.60), households=300)
    make_place("grid", community2, 1, "秋实社区第一网格", boundary=square(106.72, 26.60))
    microgrid = make_place("microgrid", grid, 1, "1号楼", households=40, address="春晖路1号1号楼")
    household = make_place("household", microgrid, 1, "1号楼1单元101", address="春晖路1号1号楼1单元101")
    department = Department.objects.create(code="D520102001", name="东湖区住房和城乡建设局", place=district)
    dispatch_centre = Department.objects.create(
        code="D520100999", name="明川市市区联合调度中心", place=city, kind=DepartmentKind.DISPATCH_CENTRE
    )
    return CityTree(
        city=city,
        district=district,
        district2=district2,
        street=street,
        street2=street2,
        community=community,
        community2=community2,
        grid=grid,
        grid2=grid2,
        microgrid=microgrid,
        household=household,
        department=department,
        dispatch_centre=dispatch_centre,
    )
