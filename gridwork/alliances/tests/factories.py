"""Test data for alliances: a world of staff and resident units around the city tree, with a second street that has
a community of its own (the far side of the scope tests), and alliances formed through the services."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.alliances import services
from gridwork.alliances.models import Alliance, AllianceMember
from gridwork.people.models import ResidentUnit, ResidentUnitKind
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree, make_place

MINUTES = "一、通报上半年共建项目进展；二、讨论老旧小区加装电梯协调事项。"


@dataclass
class AllianceWorld:
    tree: CityTree
    community3: Place  # a community of street2: outside the street staff's area
    street_staff: User  # MANAGE_PARTY over the street (both communities)
    community_staff: User  # MANAGE_PARTY over community (春晖)
    community2_staff: User  # MANAGE_PARTY over community2 (秋实)
    far_staff: User  # MANAGE_PARTY over street2 only
    grid_worker: User  # VIEW_PARTY over a grid of community, no MANAGE_PARTY
    unit: ResidentUnit  # sits in community
    unit2: ResidentUnit  # sits in community2
    far_unit: ResidentUnit  # sits in community3


def make_unit(*, place: Place, name: str, credit_code: str) -> ResidentUnit:
    return ResidentUnit.objects.create(
        credit_code=credit_code, name=name, kind=ResidentUnitKind.STATE_ENTERPRISE, place=place
    )


def make_world(tree: CityTree) -> AllianceWorld:
    community3 = make_place("community", tree.street2, 1, "临川社区")
    return AllianceWorld(
        tree=tree,
        community3=community3,
        street_staff=make_staff(role=Role.STREET_STAFF, place=tree.street, username="street"),
        community_staff=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="community"),
        community2_staff=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community2, username="community2"),
        far_staff=make_staff(role=Role.STREET_STAFF, place=tree.street2, username="far"),
        grid_worker=make_staff(role=Role.GRID_WORKER, place=tree.grid, username="grid"),
        unit=make_unit(place=tree.community, name="明川市供电公司", credit_code="91520100MA6DXXXX01"),
        unit2=make_unit(place=tree.community2, name="明川市第一中学", credit_code="12520100MA6DXXXX02"),
        far_unit=make_unit(place=community3, name="临川医院", credit_code="12520100MA6DXXXX03"),
    )


def form_alliance(
    world: AllianceWorld,
    *,
    started_on: date = date(2023, 1, 1),
    term_months: int = 6,
    communities: Sequence[Place] | None = None,
    units: Sequence[ResidentUnit] | None = None,
    name: str = "望江街道党建联盟",
    place: Place | None = None,
) -> Alliance:
    """An alliance of the street, by the street's staff: by default 春晖, 秋实 and the power company, in that order."""
    return services.alliance_create(
        actor=world.street_staff,
        name=name,
        purpose="共商共建共治：联席会议、资源共享、项目共建。",
        place=place or world.tree.street,
        started_on=started_on,
        term_months=term_months,
        communities=[world.tree.community, world.tree.community2] if communities is None else communities,
        units=[world.unit] if units is None else units,
    )


def member_of(alliance: Alliance, target: Place | ResidentUnit) -> AllianceMember:
    """The current membership of a community or unit."""
    lookup = {"unit": target} if isinstance(target, ResidentUnit) else {"community": target}
    return AllianceMember.objects.get(alliance=alliance, left_on__isnull=True, **lookup)


def meet(
    world: AllianceWorld, alliance: Alliance, *, held_on: date, attendees: Sequence[AllianceMember] | None = None
) -> None:
    members = list(alliance.members.filter(left_on__isnull=True)) if attendees is None else attendees
    services.alliance_meeting_record(
        actor=world.street_staff,
        alliance=alliance,
        held_on=held_on,
        venue="望江街道党群服务中心",
        topic="联席会议",
        attendees=members,
        minutes=MINUTES,
    )
