"""Test data for the property companies: two estates in 春晖社区 (in its first grid) and one in 秋实社区, a company
registered by 望江街道, staff around them, a resident of 春晖社区 and one of 秋实社区, and a fixed clock
(15 May 2026, in the second quarter)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.estates.models import Estate
from gridwork.people.models import Resident
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree
from gridwork.propertyfirms import creditcode, services
from gridwork.propertyfirms.models import PropertyCompany, ServiceContract
from gridwork.propertyfirms.services import CompanyInput

TODAY = date(2026, 5, 15)  # 2026Q2
CODE = creditcode.with_check("91520102MA6DLX0A0")
CODE2 = creditcode.with_check("91520102MA6DLX0B0")


def make_estate(community: Place, name: str, grids: tuple[Place, ...] = ()) -> Estate:
    estate = Estate.objects.create(name=name, community=community, households=200, buildings=6)
    estate.grids.set(grids)
    return estate


def company_input(registered_in: Place, **changes: Any) -> CompanyInput:
    values: dict[str, Any] = {
        "name": "贵州安居物业服务有限公司",
        "credit_code": CODE,
        "contact_name": "李经理",
        "contact_phone": "13800001111",
        "registered_in": registered_in,
        "address": "望江路8号",
        "party_members": 6,
        "party_members_in_management": 2,
    }
    values.update(changes)
    return CompanyInput(**values)


def make_resident(community_household: Place, phone: str) -> User:
    user = make_resident_user(phone=phone)
    Resident.objects.create(name="王小明", phone=phone, household=community_household, user=user)
    return user


@dataclass
class World:
    tree: CityTree
    estate: Estate  # 春晖社区, first grid
    estate_b: Estate  # 春晖社区, second grid
    estate2: Estate  # 秋实社区
    company: PropertyCompany
    contract: ServiceContract  # company serves estate 2026-01-01 … 2027-12-31
    street: User
    community: User
    community2: User
    grid: User
    other_street: User  # 临川街道: nothing of 望江街道's
    resident: User  # lives in 春晖社区
    resident2: User  # lives in 秋实社区


def make_world(tree: CityTree) -> World:
    street = make_staff(role=Role.STREET_STAFF, place=tree.street, username="wangjiang")
    estate = make_estate(tree.community, "春晖花园", (tree.grid,))
    company = services.company_create(actor=street, values=company_input(tree.street))
    community = make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="chunhui")
    contract = services.contract_create(
        actor=community, company=company, estate=estate, starts_on=date(2026, 1, 1), ends_on=date(2027, 12, 31)
    )
    household2 = Place.objects.filter(path__startswith=tree.community2.path).order_by("-path").first()
    assert household2 is not None
    return World(
        tree=tree,
        estate=estate,
        estate_b=make_estate(tree.community, "春晖小区", (tree.grid2,)),
        estate2=make_estate(tree.community2, "秋实苑"),
        company=company,
        contract=contract,
        street=street,
        community=community,
        community2=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community2, username="qiushi"),
        grid=make_staff(role=Role.GRID_WORKER, place=tree.grid, username="gridworker"),
        other_street=make_staff(role=Role.STREET_STAFF, place=tree.street2, username="linchuan"),
        resident=make_resident(tree.household, "13900000001"),
        resident2=make_resident(household2, "13900000002"),
    )
