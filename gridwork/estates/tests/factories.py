"""Test data for the estates: two estates in 春晖社区, one in 秋实社区, staff around them, and committees made through
the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.estates import services
from gridwork.estates.models import Committee, CommitteeMember, Estate, EstateKind
from gridwork.estates.services import CommitteeInput, MemberInput
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree

TERM_START = date(2024, 1, 1)
TERM_END = date(2027, 1, 1)


def make_estate(community: Place, name: str, *, kind: str = EstateKind.COMMERCIAL, **extra: Any) -> Estate:
    return Estate.objects.create(community=community, name=name, kind=kind, households=300, **extra)


@dataclass
class World:
    tree: CityTree
    estate: Estate  # 春晖社区
    estate_b: Estate  # 春晖社区
    estate2: Estate  # 秋实社区
    community: User  # 春晖社区's staff: manages
    community2: User  # 秋实社区's staff
    street: User  # 望江街道's staff: manages both communities, no personal data
    grid: User  # a grid worker of 春晖社区: views, does not manage


def make_world(tree: CityTree) -> World:
    return World(
        tree=tree,
        estate=make_estate(tree.community, "锦绣花园"),
        estate_b=make_estate(tree.community, "和平里", kind=EstateKind.OLD),
        estate2=make_estate(tree.community2, "翠湖苑"),
        community=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="chunhui", full_name="春晖书记"),
        community2=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community2, username="qiushi"),
        street=make_staff(role=Role.STREET_STAFF, place=tree.street, username="wangjiang"),
        grid=make_staff(role=Role.GRID_WORKER, place=tree.grid, username="grid1"),
    )


def committee(
    actor: User,
    estate: Estate,
    *,
    elected: bool = True,
    term_start: date | None = TERM_START,
    term_end: date | None = TERM_END,
    **values: Any,
) -> Committee:
    return services.committee_create(
        actor=actor,
        estate=estate,
        elected=elected,
        values=CommitteeInput(term_start=term_start, term_end=term_end, **values),
    )


def member(actor: User, of: Committee, name: str = "王明", **values: Any) -> CommitteeMember:
    values.setdefault("phone", "13912345678")
    return services.member_add(actor=actor, committee=of, values=MemberInput(name=name, **values))
