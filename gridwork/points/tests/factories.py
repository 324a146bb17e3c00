"""Test data for points: confirmed members (made directly, not through the registration pages), rules, rewards,
staff at each level, and a member with points to spend."""

from __future__ import annotations

import datetime
from itertools import count
from typing import Any

from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.party.models import MemberRegistration, RegistrationState
from gridwork.places.models import Place, PlaceLevel
from gridwork.places.tests.factories import CityTree, make_place
from gridwork.points.models import PointBasis, PointRule, Reward
from gridwork.points.services import Source, points_earn

_phones = count(1)
_sources = count(1)


def next_phone() -> str:
    return f"137{next(_phones):08d}"


def building_in(community: Place) -> Place:
    """A building (micro-grid) of ``community``, made with a grid if the community has none."""
    building = Place.objects.filter(level=PlaceLevel.MICROGRID, path__startswith=community.path).first()
    if building is not None:
        return building
    grid = Place.objects.filter(level=PlaceLevel.GRID, parent=community).first()
    if grid is None:
        grid = make_place("grid", community, 9, f"{community.name}第九网格")
    return make_place("microgrid", grid, 9, f"{community.name}9号楼")


def make_member(
    *,
    community: Place,
    name: str = "张建国",
    user: User | None = None,
    state: str = RegistrationState.CONFIRMED,
) -> MemberRegistration:
    """A registration (双报到) of a member with ``community``, confirmed unless ``state`` says otherwise."""
    phone = next_phone()
    user = user or make_resident_user(phone=phone, full_name=name)
    return MemberRegistration.objects.create(
        user=user,
        name=name,
        phone=phone,
        employer="明川市自来水公司",
        employer_party_organisation="自来水公司党委",
        community=community,
        building=building_in(community),
        state=state,
        confirmed_at=timezone.now() if state == RegistrationState.CONFIRMED else None,
    )


def make_rule(
    *,
    basis: str = PointBasis.SERVICE_HOUR,
    points: int = 10,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
) -> PointRule:
    """A rule made directly (the service refuses a start in the past, which tests of old days need)."""
    return PointRule.objects.create(
        basis=basis,
        points=points,
        valid_from=valid_from or timezone.localdate() - datetime.timedelta(days=365),
        valid_to=valid_to,
    )


def make_reward(
    *, place: Place, name: str = "洗衣液一瓶", cost: int = 50, stock: int | None = 10, **fields: Any
) -> Reward:
    return Reward.objects.create(place=place, name=name, cost=cost, stock=stock, **fields)


def give_points(member: MemberRegistration, points: int) -> None:
    """Credit ``points`` through the real earning path: ``points`` activities at one point each, under an open rule
    of the ``activity`` basis (made here unless there is one)."""
    rule = PointRule.objects.filter(basis=PointBasis.ACTIVITY, points=1, valid_to__isnull=True).first() or make_rule(
        basis=PointBasis.ACTIVITY, points=1
    )
    assert rule is not None
    entry = points_earn(
        member=member, basis=PointBasis.ACTIVITY, quantity=points, source=Source("activity", next(_sources)), actor=None
    )
    assert entry is not None
    assert entry.points == points


def community_staff(tree: CityTree, username: str = "community") -> User:
    return make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username=username)


def community2_staff(tree: CityTree, username: str = "community2") -> User:
    return make_staff(role=Role.COMMUNITY_STAFF, place=tree.community2, username=username)


def street_staff(tree: CityTree, username: str = "street") -> User:
    return make_staff(role=Role.STREET_STAFF, place=tree.street, username=username)


def district_staff(tree: CityTree, username: str = "district") -> User:
    return make_staff(role=Role.DISTRICT_STAFF, place=tree.district, username=username)


def city_staff(tree: CityTree, username: str = "city") -> User:
    return make_staff(role=Role.CITY_STAFF, place=tree.city, username=username)


def grid_worker(tree: CityTree, username: str = "grid") -> User:
    return make_staff(role=Role.GRID_WORKER, place=tree.grid, username=username)
