"""The units a user may analyse: the areas under their posts (city down to grid) and, for a department's handler, that
department only. The scope rule of the rest of the platform, for figures instead of rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from gridwork.accounts.roles import DEPARTMENT_SCOPED_ROLES, ROLE_PERMISSIONS, Perm
from gridwork.analytics.models import UnitKind
from gridwork.common.scope import minimal_paths, paths_q
from gridwork.places.models import CHILD_LEVEL, Department, Place, PlaceLevel

ANALYSED_LEVELS = (PlaceLevel.CITY, PlaceLevel.DISTRICT, PlaceLevel.STREET, PlaceLevel.COMMUNITY, PlaceLevel.GRID)
DEPARTMENT_PREFIX = "dept-"


class AreaNotFound(Exception):
    """No such unit, or one outside the user's scope (both answer 404)."""


@dataclass(frozen=True)
class Area:
    """A unit of the rollup with what pages show of it."""

    unit_kind: str
    unit_id: int
    name: str
    code: str
    place: Place | None = None
    department: Department | None = None

    @property
    def is_department(self) -> bool:
        return self.department is not None

    @property
    def child_level(self) -> str | None:
        if self.place is None:
            return None
        child = CHILD_LEVEL.get(self.place.level)
        return child if child in ANALYSED_LEVELS else None

    def children(self) -> list[Area]:
        """The next level down (districts of the city … grids of a community); none for a grid or a department."""
        if self.child_level is None or self.place is None:
            return []
        return [area_of_place(p) for p in Place.objects.filter(parent=self.place).order_by("code")]

    def ancestors(self) -> list[Area]:
        """From the city down to the parent, for the breadcrumb of a drill-down."""
        if self.place is None:
            return []
        codes = self.place.ancestor_codes()
        by_code = {p.code: p for p in Place.objects.filter(code__in=codes)}
        return [area_of_place(by_code[code]) for code in codes if code in by_code]


def area_of_place(place: Place) -> Area:
    unit_id = 0 if place.level == PlaceLevel.CITY else place.pk
    return Area(unit_kind=str(place.level), unit_id=unit_id, name=place.name, code=place.code, place=place)


def area_of_department(department: Department) -> Area:
    return Area(
        unit_kind=UnitKind.DEPARTMENT,
        unit_id=department.pk,
        name=department.name,
        code=f"{DEPARTMENT_PREFIX}{department.code}",
        department=department,
    )


def _posts(user: Any) -> list[Any]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [p for p in getattr(user, "active_posts", []) if Perm.VIEW_MATTERS in ROLE_PERMISSIONS[p.role]]


def place_paths(user: Any) -> list[str]:
    """The place paths under which ``user`` sees every matter's figures (not a department handler's posts)."""
    return minimal_paths(p.place.path for p in _posts(user) if p.role not in DEPARTMENT_SCOPED_ROLES)


def own_departments(user: Any) -> list[Department]:
    return [p.department for p in _posts(user) if p.role in DEPARTMENT_SCOPED_ROLES and p.department is not None]


def root_areas(user: Any) -> list[Area]:
    """The top units the user may open: the places of their posts, then their departments."""
    paths = place_paths(user)
    places = sorted(Place.objects.filter(path__in=paths), key=lambda p: p.path)
    found = [area_of_place(p) for p in places if p.level in ANALYSED_LEVELS]
    found.extend(area_of_department(d) for d in own_departments(user))
    return found


def visible_departments(user: Any) -> list[Department]:
    """Departments whose figures ``user`` may see: those of their own posts, and those placed under their areas."""
    paths = place_paths(user)
    condition = paths_q("place__path", paths) | Q(pk__in=[d.pk for d in own_departments(user)])
    return list(Department.objects.filter(condition).select_related("place").order_by("place__path", "code"))


def area_for(user: Any, code: str | None) -> Area:
    """The unit with ``code`` if ``user`` may see it; with no code, their first root unit."""
    if not code:
        roots = root_areas(user)
        if not roots:
            raise AreaNotFound
        return roots[0]
    if code.startswith(DEPARTMENT_PREFIX):
        department = next(
            (d for d in visible_departments(user) if d.code == code[len(DEPARTMENT_PREFIX) :]),
            None,
        )
        if department is None:
            raise AreaNotFound
        return area_of_department(department)
    place = Place.objects.filter(code=code, level__in=ANALYSED_LEVELS).first()
    if place is None or not any(place.path.startswith(path) for path in place_paths(user)):
        raise AreaNotFound
    return area_of_place(place)
