"""Test data for matters: staff at every post of the loop, and a matter filed in the tree's first building."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.matters.services import FilingReceipt, matter_file
from gridwork.matters.workflow import MatterKind
from gridwork.places.tests.factories import CityTree

TEXT = "春晖路1号楼下的路灯坏了一个星期，晚上出行很不安全，请尽快维修。"


@dataclass
class LoopStaff:
    dispatcher: User  # street staff over the tree's street
    community: User  # community staff at the tree's community
    grid_worker: User
    department: User  # handler of the tree's district department
    other_community: User  # community staff at the sibling community
    operator: User  # the city dispatch centre (hotline seat and call-back)


def make_loop_staff(tree: CityTree) -> LoopStaff:
    return LoopStaff(
        dispatcher=make_staff(role=Role.STREET_STAFF, place=tree.street, username="dispatcher"),
        community=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="community"),
        grid_worker=make_staff(role=Role.GRID_WORKER, place=tree.grid, username="gridworker"),
        department=make_staff(
            role=Role.DEPARTMENT_HANDLER, place=tree.district, department=tree.department, username="handler"
        ),
        other_community=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community2, username="othercommunity"),
        operator=make_staff(
            role=Role.DISPATCH_CENTRE, place=tree.city, department=tree.dispatch_centre, username="operator"
        ),
    )


def file_in_building(tree: CityTree, *, actor: Any = None, text: str = TEXT, **options: Any) -> FilingReceipt:
    options.setdefault("channel", "resident_web")
    options.setdefault("kind", MatterKind.PROFESSIONAL)
    return matter_file(actor=actor, text=text, building=tree.microgrid, **options)
