"""Test data for the registrations (双报到): buildings in both communities of the tree, a resident unit, a member's
registration submitted (and confirmed) through the services; and the rows a community performance record is made of
(completed orders, claimed wishes, points earned), at moments of China time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.party.models import MemberRegistration, UnitContact
from gridwork.party.registrations import registration_confirm, registration_submit
from gridwork.party.skills import Skill
from gridwork.people.models import ResidentUnit, ResidentUnitKind
from gridwork.places.models import Place, PlaceLevel
from gridwork.places.tests.factories import CityTree, make_place
from gridwork.points.models import PointBasis, PointEntry, PointRule
from gridwork.points.services import Source, points_earn
from gridwork.volunteers.models import OrderState, ServiceOrder
from gridwork.wishes.models import Wish, WishState


@dataclass
class World:
    tree: CityTree
    building: Place  # 春晖社区 1号楼 (tree.microgrid)
    building_b: Place  # 春晖社区, the second grid
    building2: Place  # 秋实社区 (tree.community2)
    staff: User  # community staff of 春晖社区
    staff2: User  # community staff of 秋实社区
    street_staff: User  # street staff over both (MANAGE_PARTY, no VIEW_PERSONAL_DATA)
    member: User  # a resident account
    unit: ResidentUnit
    unit2: ResidentUnit


def make_unit(place: Place, name: str, credit_code: str) -> ResidentUnit:
    return ResidentUnit.objects.create(
        credit_code=credit_code, name=name, kind=ResidentUnitKind.STATE_ENTERPRISE, place=place
    )


def make_world(tree: CityTree) -> World:
    grid2_of_community2 = Place.objects.get(parent=tree.community2, level=PlaceLevel.GRID)
    return World(
        tree=tree,
        building=tree.microgrid,
        building_b=make_place("microgrid", tree.grid2, 1, "5号楼"),
        building2=make_place("microgrid", grid2_of_community2, 1, "秋实8号楼"),
        staff=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="chunhui"),
        staff2=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community2, username="qiushi"),
        street_staff=make_staff(role=Role.STREET_STAFF, place=tree.street, username="wangjiang"),
        member=make_resident_user(phone="13900001111", full_name="李明华"),
        unit=make_unit(tree.community, "明川供电公司", "91520100MA6DL0001X"),
        unit2=make_unit(tree.community2, "明川自来水公司", "91520100MA6DL0002X"),
    )


def contact_of(unit: ResidentUnit, phone: str) -> User:
    user = make_resident_user(phone=phone)
    UnitContact.objects.create(unit=unit, user=user)
    return user


def submit(
    world: World,
    *,
    user: User | None = None,
    community: Place | None = None,
    building: Place | None = None,
    **values: Any,
) -> MemberRegistration:
    fields: dict[str, Any] = {
        "name": "李明华",
        "phone": "139 0000 1111",
        "employer": "明川供电公司",
        "employer_party_organisation": "供电公司机关第一党支部",
        "employer_unit": world.unit,
        "skills": [Skill.TUTORING, Skill.IT_HELP],
    }
    fields.update(values)
    return registration_submit(
        actor=user or world.member,
        community=community or world.tree.community,
        building=building or world.building,
        **fields,
    )


def confirmed(world: World, *, user: User | None = None, **values: Any) -> MemberRegistration:
    """A registration of ``user`` with 春晖社区 (or ``community``), confirmed by its staff."""
    registration = submit(world, user=user, **values)
    community = registration.community
    staff = world.staff if community.pk == world.tree.community.pk else world.staff2
    return registration_confirm(actor=staff, registration=registration, expected_version=registration.version)


# --- rows of a community performance record (社区表现档案) ----------------------------------------------------------

ZONE = ZoneInfo(settings.TIME_ZONE)
_numbers = count(1)


def at(text: str) -> datetime:
    """A moment in China time, e.g. ``at("2025-06-30 23:30")``."""
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


def _resident() -> User:
    return make_resident_user(phone=f"136{next(_numbers):08d}")


def done_order(
    member: MemberRegistration,
    *,
    completed_at: datetime,
    hours: str = "1.5",
    rating: int | None = None,
    state: str | None = None,
) -> ServiceOrder:
    """A volunteer order ``member`` took and completed at ``completed_at`` (rated when ``rating`` is given), made
    directly as a row."""
    rated = rating is not None
    return ServiceOrder.objects.create(
        ordered_by=_resident(),
        for_name="王大爷",
        for_phone="13812345678",
        community=member.community,
        building=member.building,
        text="帮忙换个灯泡",
        wanted_on=completed_at.date(),
        state=state or (OrderState.RATED if rated else OrderState.COMPLETED),
        taker=member,
        hours=Decimal(hours),
        rating=rating,
        taken_at=completed_at - timedelta(hours=3),
        completed_at=completed_at,
        rated_at=completed_at + timedelta(hours=1) if rated else None,
    )


def claimed_wish(
    member: MemberRegistration,
    *,
    fulfilled_at: datetime | None = None,
    confirmed_at: datetime | None = None,
) -> Wish:
    """A micro-wish ``member`` claimed; fulfilled at ``fulfilled_at`` and confirmed at ``confirmed_at`` if given."""
    state = WishState.CONFIRMED if confirmed_at else WishState.FULFILLED if fulfilled_at else WishState.CLAIMED
    return Wish.objects.create(
        title="一台助听器",
        value=Decimal("300"),
        beneficiary_name="张桂兰",
        community=member.community,
        building=member.building,
        posted_by=_resident(),
        state=state,
        claimant_member=member,
        published_at=(fulfilled_at or timezone.now()) - timedelta(days=5),
        claimed_at=(fulfilled_at or timezone.now()) - timedelta(days=3),
        fulfilled_at=fulfilled_at,
        confirmed_at=confirmed_at,
    )


def point_rules() -> None:
    """Rules of every basis from 2020 on: 10 points an hour, 20 a wish, 5 an activity."""
    for basis, points in ((PointBasis.SERVICE_HOUR, 10), (PointBasis.WISH, 20), (PointBasis.ACTIVITY, 5)):
        PointRule.objects.create(basis=basis, points=points, valid_from=date(2020, 1, 1))


def earn(member: MemberRegistration, *, basis: str, quantity: Any, source: Source, on: date) -> PointEntry:
    """Points earned through the real earning path, counted for the day ``on``."""
    entry = points_earn(member=member, basis=basis, quantity=quantity, source=source, actor=None, on=on)
    assert entry is not None
    return entry


def registered_since(registration: MemberRegistration, moment: datetime) -> MemberRegistration:
    """Move a registration's confirmation back in time (test data of past periods)."""
    MemberRegistration.objects.filter(pk=registration.pk).update(confirmed_at=moment)
    registration.refresh_from_db()
    return registration
