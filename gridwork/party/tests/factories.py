"""Test data for the registrations (双报到): buildings in both communities of the tree, a resident unit, a member's
registration submitted (and confirmed) through the services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.party.models import MemberRegistration, UnitContact
from gridwork.party.registrations import registration_confirm, registration_submit
from gridwork.party.skills import Skill
from gridwork.people.models import ResidentUnit, ResidentUnitKind
from gridwork.places.models import Place, PlaceLevel
from gridwork.places.tests.factories import CityTree, make_place


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
