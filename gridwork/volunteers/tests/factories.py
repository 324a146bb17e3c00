"""Test data for volunteer orders: buildings around the tree's, confirmed members, menu items, orders, hour rules."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from itertools import count
from typing import Any

from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.party.models import MemberRegistration, RegistrationState
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree, make_place
from gridwork.points.models import PointBasis, PointRule
from gridwork.volunteers import services
from gridwork.volunteers.models import ServiceItem, ServiceOrder

_phones = count(1)


def next_phone() -> str:
    return f"139{next(_phones):08d}"


@dataclass
class Buildings:
    """Buildings at every distance from the tree's ``microgrid`` (building 1 of grid 1 of the community)."""

    home: Place  # the tree's microgrid
    same_grid: Place  # another building of grid 1
    same_community: Place  # a building of grid 2
    sister_community: Place  # a building of community 2, same street
    other_street: Place  # a building of street 2
    community2: Place
    street2_community: Place


def make_buildings(tree: CityTree) -> Buildings:
    same_grid = make_place("microgrid", tree.grid, 2, "2号楼", address="春晖路1号2号楼")
    same_community = make_place("microgrid", tree.grid2, 1, "8号楼", address="春晖路3号8号楼")
    grid_c2 = Place.objects.get(parent=tree.community2, level="grid")
    sister = make_place("microgrid", grid_c2, 1, "秋实1号楼")
    street2_community = make_place("community", tree.street2, 1, "临川社区")
    street2_grid = make_place("grid", street2_community, 1, "临川第一网格")
    other = make_place("microgrid", street2_grid, 1, "临川1号楼")
    return Buildings(
        home=tree.microgrid,
        same_grid=same_grid,
        same_community=same_community,
        sister_community=sister,
        other_street=other,
        community2=tree.community2,
        street2_community=street2_community,
    )


def community_of(building: Place) -> Place:
    return building.parent.parent  # type: ignore[union-attr,return-value]


def make_member(
    *,
    building: Place,
    skills: list[str] | None = None,
    name: str = "李党员",
    user: User | None = None,
) -> MemberRegistration:
    """A confirmed registration (双报到) of a new member account at ``building``."""
    phone = next_phone()
    user = user or make_resident_user(phone=phone, full_name=name)
    return MemberRegistration.objects.create(
        user=user,
        name=name,
        phone=phone,
        employer="明川市供电公司",
        employer_party_organisation="供电公司党委",
        community=community_of(building),
        building=building,
        skills=list(skills or []),
        state=RegistrationState.CONFIRMED,
        confirmed_at=timezone.now(),
    )


def make_item(*, place: Place, name: str = "辅导作业", skill: str = "tutoring", **fields: Any) -> ServiceItem:
    return ServiceItem.objects.create(place=place, name=name, skill=skill, **fields)


def make_community_staff(tree: CityTree, username: str = "community") -> User:
    return make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username=username)


def place_order(
    *,
    resident: User,
    building: Place,
    item: ServiceItem | None = None,
    text: str = "",
    wanted_on: datetime.date | None = None,
) -> ServiceOrder:
    return services.order_place(
        actor=resident,
        building=building,
        item=item,
        text=text or ("" if item else "帮忙换个灯泡"),
        for_name="王大爷",
        for_phone="13812345678",
        wanted_on=wanted_on or timezone.localdate() + datetime.timedelta(days=2),
    )


def issued_order(
    *, resident: User, staff: User, building: Place, members: list[MemberRegistration], item: ServiceItem | None = None
) -> ServiceOrder:
    order = place_order(resident=resident, building=building, item=item)
    services.order_issue(actor=staff, order=order, members=members, expected_version=order.version)
    return order


def hour_rule(points: int = 10) -> PointRule:
    return PointRule.objects.create(
        basis=PointBasis.SERVICE_HOUR, points=points, valid_from=timezone.localdate() - datetime.timedelta(days=30)
    )


HOURS = Decimal("1.5")
