"""Test data for supervision: a fixed Beijing-time clock, staff for every supervising post, and moves on it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.matters.models import Matter
from gridwork.matters.services import matter_transition
from gridwork.matters.tests.factories import LoopStaff, file_in_building
from gridwork.matters.workflow import Action, MatterKind
from gridwork.places.models import Department, DepartmentKind
from gridwork.places.tests.factories import CityTree

ZONE = ZoneInfo(settings.TIME_ZONE)


def at(text: str) -> datetime:
    """A moment of the platform's zone (Beijing time), e.g. ``at("2026-09-30 16:00")``."""
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


def filed(tree: CityTree, *, now: datetime | None = None, **options: Any) -> Matter:
    return Matter.objects.get(pk=file_in_building(tree, now=now, **options).matter_id)


def move(
    actor: Any,
    matter: Matter,
    action: str,
    data: dict[str, Any] | None = None,
    *,
    note: str = "",
    now: datetime | None = None,
    expected_version: int | None = None,
) -> Matter:
    return matter_transition(
        actor=actor,
        matter_id=matter.pk,
        action=action,
        data=data or {},
        note=note,
        now=now,
        expected_version=expected_version,
    )


def fresh(matter: Matter) -> Matter:
    return Matter.objects.get(pk=matter.pk)


def make_departments(tree: CityTree, count: int = 3) -> list[Department]:
    """The tree's district department and more of the same district, each with a handler ``h-<code>``."""
    found = [tree.department]
    for n in range(2, count + 1):
        found.append(Department.objects.create(code=f"D52010200{n}", name=f"东湖区第{n}局", place=tree.district))
    for department in found:
        make_staff(
            role=Role.DEPARTMENT_HANDLER, place=tree.district, department=department, username=f"h-{department.code}"
        )
    return found


def handler_of(department: Department) -> User:
    return User.objects.get(username=f"h-{department.code}")


def make_district_centre(tree: CityTree) -> User:
    """A dispatch-centre seat of the tree's district (not the city's)."""
    centre = Department.objects.create(
        code="D520102999", name="东湖区联合调度中心", place=tree.district, kind=DepartmentKind.DISPATCH_CENTRE
    )
    return make_staff(role=Role.DISPATCH_CENTRE, place=tree.district, department=centre, username="districtcentre")


T0 = at("2026-10-12 09:00")  # a Monday


def led_by_the_community(tree: CityTree, staff: LoopStaff, **options: Any) -> Matter:
    """Dispatched by the street to the tree's community, accepted: in progress."""
    kind = options.pop("kind", MatterKind.PROFESSIONAL)
    matter = filed(tree, now=T0 - timedelta(minutes=30), kind=kind, **options)
    move(staff.dispatcher, matter, Action.DISPATCH, {"kind": kind, "lead_place_id": tree.community.pk}, now=T0)
    return move(staff.community, matter, Action.ACCEPT, now=T0 + timedelta(minutes=10))
