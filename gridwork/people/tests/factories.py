"""Test data for resident units: valid credit codes made with the check character, and units made directly."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.people.credit_codes import credit_code_check_character
from gridwork.people.models import ResidentUnit, ResidentUnitKind
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree

_numbers = count(1)


def valid_code(number: int | None = None) -> str:
    """A valid code of a market-regulated enterprise (91) of area 520102, numbered ``number``."""
    first17 = f"91520102MA{number if number is not None else next(_numbers):07d}"
    return first17 + credit_code_check_character(first17)


def make_unit(place: Place, name: str = "明川供电公司", **fields: object) -> ResidentUnit:
    values: dict[str, object] = {
        "credit_code": valid_code(),
        "kind": ResidentUnitKind.STATE_ENTERPRISE,
        "contact_name": "张建国",
        "contact_phone": "13812345678",
        "party_organisation_name": "供电公司机关党委",
    }
    values.update(fields)
    return ResidentUnit.objects.create(name=name, place=place, **values)


@dataclass
class Staff:
    community: User  # 春晖社区: MANAGE_PARTY and VIEW_PERSONAL_DATA
    community2: User  # 秋实社区, the sibling community
    street: User  # 望江街道 over both: MANAGE_PARTY, no VIEW_PERSONAL_DATA
    street2: User  # 临川街道, the sibling street
    grid: User  # a grid worker of 春晖社区: sees, manages nothing


def make_staff_of(tree: CityTree) -> Staff:
    return Staff(
        community=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="chunhui"),
        community2=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community2, username="qiushi"),
        street=make_staff(role=Role.STREET_STAFF, place=tree.street, username="wangjiang"),
        street2=make_staff(role=Role.STREET_STAFF, place=tree.street2, username="linchuan"),
        grid=make_staff(role=Role.GRID_WORKER, place=tree.grid, username="grid1"),
    )
