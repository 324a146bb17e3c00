"""Test data for the three lists: resident units at every distance from the tree's community, their contacts, staff,
and needs, resources, matches and projects made through the services."""

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
from gridwork.cobuild import services
from gridwork.cobuild.categories import ServiceField
from gridwork.cobuild.models import Match, Need, NeedSource, Project, Resource, ResourceKind
from gridwork.party.models import UnitContact
from gridwork.people.models import ResidentUnit, ResidentUnitKind
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree, make_place

_codes = count(1)
_phones = count(1)


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def make_unit(place: Place, name: str, *, kind: str = ResidentUnitKind.STATE_ENTERPRISE) -> ResidentUnit:
    return ResidentUnit.objects.create(
        credit_code=f"91520100MA6C{next(_codes):05d}X"[:18], name=name, kind=kind, place=place
    )


def make_contact(unit: ResidentUnit, *, phone: str = "") -> User:
    user = make_resident_user(phone=phone or f"135{next(_phones):08d}")
    UnitContact.objects.create(unit=unit, user=user)
    return user


@dataclass
class World:
    tree: CityTree
    staff: User  # community staff of 春晖社区 (tree.community)
    staff2: User  # community staff of 秋实社区 (tree.community2), the same street
    street_staff: User  # street staff over both communities
    grid_worker: User  # VIEW_PARTY only, no MANAGE_PARTY
    unit: ResidentUnit  # sits in 春晖社区
    unit_street: ResidentUnit  # sits in 秋实社区, the same street
    unit_district: ResidentUnit  # sits in 临川街道 (street2), the same district
    unit_city: ResidentUnit  # sits in the other district
    contact: User  # speaks for ``unit``
    contact2: User  # speaks for ``unit_street``


def make_world(tree: CityTree) -> World:
    street3 = Place.objects.get(parent=tree.district2, level="street")
    far_community = make_place("community", street3, 1, "松林社区")
    unit = make_unit(tree.community, "明川供电公司")
    unit_street = make_unit(tree.community2, "明川第二中学", kind=ResidentUnitKind.SCHOOL)
    return World(
        tree=tree,
        staff=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="chunhui"),
        staff2=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community2, username="qiushi"),
        street_staff=make_staff(role=Role.STREET_STAFF, place=tree.street, username="wangjiang"),
        grid_worker=make_staff(role=Role.GRID_WORKER, place=tree.grid, username="gridworker"),
        unit=unit,
        unit_street=unit_street,
        unit_district=make_unit(tree.street2, "临川人民医院", kind=ResidentUnitKind.HOSPITAL),
        unit_city=make_unit(far_community, "松林律师事务所", kind=ResidentUnitKind.PRIVATE_ENTERPRISE),
        contact=make_contact(unit),
        contact2=make_contact(unit_street),
    )


def publish_need(world: World, **values: Any) -> Need:
    fields: dict[str, Any] = {
        "community": world.tree.community,
        "title": "老年人助餐服务",
        "description": "社区独居老年人多，需要每天中午为老年人送餐、助餐。",
        "field": ServiceField.ELDERLY,
        "source": NeedSource.MEETING,
        "quantity": Decimal(30),
        "quantity_unit": "份",
        "wanted_by": days(30),
    }
    fields.update(values)
    actor = fields.pop("actor", world.staff)
    return services.need_publish(actor=actor, **fields)


def publish_resource(world: World, **values: Any) -> Resource:
    fields: dict[str, Any] = {
        "unit": world.unit,
        "kind": ResourceKind.PEOPLE,
        "field": ServiceField.ELDERLY,
        "title": "为社区老年人提供助餐服务",
        "description": "单位食堂每天中午可为老年人助餐、送餐。",
        "quantity": Decimal(50),
        "quantity_unit": "份",
        "available_from": today(),
        "available_to": days(90),
    }
    fields.update(values)
    actor = fields.pop("actor", None) or contact_for(fields["unit"])
    return services.resource_publish(actor=actor, **fields)


def contact_for(unit: ResidentUnit) -> User:
    """A contact of ``unit``: its first, or a new one."""
    contact = UnitContact.objects.filter(unit=unit).select_related("user").order_by("id").first()
    return contact.user if contact is not None else make_contact(unit)


def make_match(world: World, need: Need, resource: Resource, actor: User | None = None) -> Match:
    return services.match_make(actor=actor or world.staff, need=need, resource=resource, expected_version=need.version)


def make_project(world: World, **values: Any) -> Project:
    fields: dict[str, Any] = {
        "community": world.tree.community,
        "title": "幸福食堂",
        "goal": "为独居老人每天提供午餐。",
        "field": ServiceField.ELDERLY,
        "units": [world.unit],
        "budget": Decimal("12000.00"),
        "starts_on": today(),
        "ends_on": days(60),
    }
    fields.update(values)
    actor = fields.pop("actor", world.staff)
    return services.project_create(actor=actor, **fields)
