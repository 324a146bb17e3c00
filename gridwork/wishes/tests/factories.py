"""Test data for micro-wishes: a world of staff, residents, registered members (双报到 rows made directly, already
confirmed) and a registered resident unit around the city tree; the ``wish`` rule of points; photos; and wishes moved
along their flow by the services."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.party.models import MemberRegistration, RegistrationState, UnitContact, UnitRegistration
from gridwork.people.models import Resident, ResidentUnit, ResidentUnitKind
from gridwork.places.models import Place, PlaceLevel
from gridwork.places.tests.factories import CityTree, make_place
from gridwork.points.models import PointBasis, PointRule
from gridwork.wishes import services
from gridwork.wishes.models import Wish

ZONE = ZoneInfo(settings.TIME_ZONE)
RULE_POINTS = 20


def at(text: str) -> datetime:
    """A moment of the platform's zone (Beijing time), e.g. ``at("2026-05-01 09:00")``."""
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


def make_member(
    user: User, *, community: Place, building: Place, name: str = "李明华", phone: str = "13900000001"
) -> MemberRegistration:
    """A confirmed registration (双报到) of ``user`` with ``community``, made directly."""
    return MemberRegistration.objects.create(
        user=user,
        name=name,
        phone=phone,
        employer="明川市第一中学",
        employer_party_organisation="明川市第一中学党支部",
        community=community,
        building=building,
        state=RegistrationState.CONFIRMED,
        confirmed_at=timezone.now(),
    )


def make_member_user(*, phone: str, community: Place, building: Place, name: str = "李明华") -> User:
    user = make_resident_user(phone=phone, full_name=name)
    make_member(user, community=community, building=building, name=name, phone=phone)
    return user


def make_unit(*, place: Place, name: str = "明川市供电公司", credit_code: str = "91520100MA6DXXXX01") -> ResidentUnit:
    return ResidentUnit.objects.create(
        credit_code=credit_code, name=name, kind=ResidentUnitKind.STATE_ENTERPRISE, place=place
    )


def make_unit_contact(
    unit: ResidentUnit, *, phone: str, community: Place | None, state: str = RegistrationState.CONFIRMED
) -> User:
    """A user who speaks for ``unit``; the unit registered (单位报到) with ``community`` in ``state``."""
    user = make_resident_user(phone=phone, full_name="王联络")
    UnitContact.objects.create(unit=unit, user=user)
    if community is not None:
        UnitRegistration.objects.create(unit=unit, community=community, state=state)
    return user


def make_wish_rule(points: int = RULE_POINTS) -> PointRule:
    return PointRule.objects.create(basis=PointBasis.WISH, points=points, valid_from=date(2020, 1, 1))


def jpeg(name: str = "done.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@dataclass
class WishWorld:
    """The tree and the people around a wish of ``tree.community`` (street ``tree.street``):

    - ``staff`` community staff of the wish's community; ``staff2`` of its sibling ``community2``; ``street_staff``
      (MANAGE_PARTY, no VIEW_PERSONAL_DATA); ``grid_worker`` (VIEW_PARTY only); ``city_staff``;
    - ``resident`` living in ``tree.household`` (linked), ``other_resident`` not linked;
    - ``member`` registered with the community, ``member2`` with ``community2`` (same street), ``far_member`` with
      ``far_community`` in ``street2``;
    - ``unit`` registered (confirmed) with the community, spoken for by ``unit_user``.
    """

    tree: CityTree
    building2: Place
    far_community: Place
    far_building: Place
    staff: User
    staff2: User
    street_staff: User
    grid_worker: User
    city_staff: User
    resident: User
    other_resident: User
    member: User
    member2: User
    far_member: User
    unit: ResidentUnit
    unit_user: User


def make_world(tree: CityTree) -> WishWorld:
    grid2 = Place.objects.get(parent=tree.community2, level=PlaceLevel.GRID)
    building2 = make_place("microgrid", grid2, 1, "秋实1号楼")
    far_community = make_place("community", tree.street2, 1, "东风社区")
    far_grid = make_place("grid", far_community, 1, "东风社区第一网格")
    far_building = make_place("microgrid", far_grid, 1, "东风1号楼")
    resident = make_resident_user(phone="13800000001", full_name="张桂兰")
    Resident.objects.create(name="张桂兰", phone="13800000001", household=tree.household, user=resident)
    unit = make_unit(place=tree.community)
    return WishWorld(
        tree=tree,
        building2=building2,
        far_community=far_community,
        far_building=far_building,
        staff=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="community", full_name="社区小刘"),
        staff2=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community2, username="community2"),
        street_staff=make_staff(role=Role.STREET_STAFF, place=tree.street, username="street"),
        grid_worker=make_staff(role=Role.GRID_WORKER, place=tree.grid, username="gridworker"),
        city_staff=make_staff(role=Role.CITY_STAFF, place=tree.city, username="city"),
        resident=resident,
        other_resident=make_resident_user(phone="13800000002", full_name="赵大爷"),
        member=make_member_user(phone="13900000001", community=tree.community, building=tree.microgrid),
        member2=make_member_user(phone="13900000002", community=tree.community2, building=building2, name="陈秋实"),
        far_member=make_member_user(phone="13900000003", community=far_community, building=far_building, name="刘东风"),
        unit=unit,
        unit_user=make_unit_contact(unit, phone="13700000001", community=tree.community),
    )


def post(world: WishWorld, *, actor: User | None = None, now: datetime | None = None, **fields: Any) -> Wish:
    """A wish of the world's community, posted by the resident (or ``actor``)."""
    values: dict[str, Any] = {
        "title": "一台助听器",
        "description": "耳朵不好，想要一台助听器。",
        "value": Decimal("300"),
        "beneficiary_name": "张桂兰",
        "beneficiary_phone": "13800000001",
        "community": world.tree.community,
        "building": world.tree.microgrid,
        "on_behalf": False,
    }
    values.update(fields)
    return services.wish_post(actor=actor or world.resident, now=now, **values)


def published(world: WishWorld, *, now: datetime | None = None, **fields: Any) -> Wish:
    wish = post(world, now=now, **fields)
    return services.wish_review(
        actor=world.staff, wish=wish, publish=True, reason="", expected_version=wish.version, now=now
    )


def claimed(world: WishWorld, *, by: User | None = None, now: datetime | None = None, **fields: Any) -> Wish:
    wish = published(world, now=now, **fields)
    return services.wish_claim(actor=by or world.member, wish=wish, expected_version=wish.version, now=now)


def fulfilled(world: WishWorld, *, by: User | None = None, now: datetime | None = None, **fields: Any) -> Wish:
    wish = claimed(world, by=by, now=now, **fields)
    return services.wish_fulfil(actor=by or world.member, wish=wish, photo=jpeg(), note="已送到", now=now)


def fresh(wish: Wish) -> Wish:
    return Wish.objects.get(pk=wish.pk)
