"""Test data for social organisations: staff around the city tree (春晖社区 and 秋实社区 under 望江街道), an incubation
base at the street, and helpers that create organisations and members through the services."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from typing import Any

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree
from gridwork.socialorgs import services
from gridwork.socialorgs.models import (
    FilingStatus,
    IncubationBase,
    Member,
    MemberRole,
    Organisation,
    OrgKind,
    ServiceField,
)
from gridwork.socialorgs.services import BaseInput, MemberInput, OrganisationInput

TODAY = date(2026, 3, 2)
_numbers = itertools.count(1)


@dataclass
class World:
    tree: CityTree
    community: User  # 春晖社区's staff: manages its organisations, sees phones
    community2: User  # 秋实社区's staff
    street: User  # 望江街道's staff: manages everything under the street, sees phones masked
    district: User
    grid: User  # a grid worker of 春晖社区: VIEW_ACTORS at the grid only
    base: IncubationBase  # at 望江街道


def make_world(tree: CityTree) -> World:
    street = make_staff(role=Role.STREET_STAFF, place=tree.street, username="wangjiang")
    return World(
        tree=tree,
        community=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="chunhui"),
        community2=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community2, username="qiushi"),
        street=street,
        district=make_staff(role=Role.DISTRICT_STAFF, place=tree.district, username="donghu"),
        grid=make_staff(role=Role.GRID_WORKER, place=tree.grid, username="grid1"),
        base=services.base_create(
            actor=street, values=BaseInput(name="望江街道社会组织孵化基地", place=tree.street, address="望江路8号")
        ),
    )


def organisation_input(place: Place, **changes: Any) -> OrganisationInput:
    values: dict[str, Any] = {
        "name": f"{place.name}组织{next(_numbers)}",
        "kind": OrgKind.SOCIAL_ORG,
        "service_field": ServiceField.ELDERLY_CARE,
        "place": place,
        "filing": FilingStatus.FILED,
        "contact_name": "张桂兰",
        "contact_phone": "13800001111",
        "founded_on": date(2024, 5, 1),
        "services": "助老陪伴、上门探访",
    }
    values.update(changes)
    return OrganisationInput(**values)


def make_organisation(actor: User, place: Place, **changes: Any) -> Organisation:
    return services.organisation_create(actor=actor, values=organisation_input(place, **changes), today=TODAY)


def make_member(actor: User, organisation: Organisation, **changes: Any) -> Member:
    values: dict[str, Any] = {
        "name": "李明",
        "role": MemberRole.MEMBER,
        "joined_on": date(2025, 1, 10),
        "is_party_member": False,
        "phone": "13900002222",
    }
    values.update(changes)
    return services.member_add(actor=actor, organisation=organisation, values=MemberInput(**values), today=TODAY)
