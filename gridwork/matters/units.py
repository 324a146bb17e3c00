"""Handling units: a place (grid, community, street, district) or a department, and who acts for one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from gridwork.accounts.roles import ROLE_PERMISSIONS, Perm
from gridwork.places.models import Department, Place, PlaceLevel

HANDLING_LEVELS = (PlaceLevel.GRID, PlaceLevel.COMMUNITY, PlaceLevel.STREET, PlaceLevel.DISTRICT)


@dataclass(frozen=True)
class Unit:
    place_id: int | None = None
    department_id: int | None = None

    def as_pair(self) -> tuple[int | None, int | None]:
        return (self.place_id, self.department_id)


def user_acts_for(user: Any, unit: Unit, perm: str = Perm.HANDLE_MATTERS) -> bool:
    """Whether the user holds ``perm`` in a post of this unit (a department's post, or a post at the place)."""
    for post in getattr(user, "active_posts", []):
        if perm not in ROLE_PERMISSIONS[post.role]:
            continue
        if unit.department_id is not None and post.department_id == unit.department_id:
            return True
        if unit.place_id is not None and post.department_id is None and post.place_id == unit.place_id:
            return True
    return False


def lead_place_choices(grid: Place) -> QuerySet[Place]:
    """The place units that may lead a matter located in ``grid``: the grid and its community, street and district."""
    return Place.objects.filter(code__in=[*grid.ancestor_codes(), grid.code], level__in=HANDLING_LEVELS).order_by(
        "path"
    )


def department_choices(grid: Place) -> QuerySet[Department]:
    """Active departments whose jurisdiction covers ``grid``."""
    return (
        Department.objects.filter(is_active=True, place__code__in=[*grid.ancestor_codes(), grid.code])
        .select_related("place")
        .order_by("place__path", "code")
    )


def unit_label(place: Place | None, department: Department | None) -> str:
    if department is not None:
        return department.name
    return place.name if place is not None else ""
