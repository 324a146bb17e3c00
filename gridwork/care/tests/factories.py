"""Test data for households in difficulty: the staff around the city tree (community staff who manage, a grid worker,
street staff who see masked data, a department handler and a dispatcher who see nothing), residents of a household,
registered members of both communities, and records, pairings and visits made through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.care import services
from gridwork.care.models import Difficulty, HouseholdInDifficulty, Pairing, Visit
from gridwork.party.models import MemberRegistration, RegistrationState
from gridwork.people.models import Resident
from gridwork.places.models import Place, PlaceLevel
from gridwork.places.tests.factories import CityTree, make_place

HOUSEHOLDER = "王秀英"
HOUSEHOLDER_PHONE = "13800001234"


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def make_member(
    *, phone: str, community: Place, building: Place, name: str, state: str = RegistrationState.CONFIRMED
) -> MemberRegistration:
    """A registration (双报到) of a new resident account with ``community``, made directly."""
    user = make_resident_user(phone=phone, full_name=name)
    return MemberRegistration.objects.create(
        user=user,
        name=name,
        phone=phone,
        employer="明川市第一中学",
        employer_party_organisation="明川市第一中学党支部",
        community=community,
        building=building,
        state=state,
        confirmed_at=timezone.now() if state == RegistrationState.CONFIRMED else None,
    )


@dataclass
class CareWorld:
    tree: CityTree
    staff: User  # community staff of 春晖社区: VIEW_ and MANAGE_DIFFICULTY, personal data
    staff2: User  # community staff of 秋实社区
    grid_worker: User  # grid worker of the household's grid
    grid2_worker: User  # grid worker of the other grid of the same community
    street: User  # street staff: VIEW_DIFFICULTY without personal data
    department: User  # department handler: no care perms
    dispatcher: User  # dispatch centre: no care perms
    household: Place
    neighbour: Place  # another household of the same building
    household2: Place  # a household of 秋实社区
    building2: Place
    member: MemberRegistration  # confirmed with 春晖社区
    member2: MemberRegistration  # confirmed with 秋实社区


def make_world(tree: CityTree) -> CareWorld:
    grid_c2 = Place.objects.get(parent=tree.community2, level=PlaceLevel.GRID)
    building2 = make_place("microgrid", grid_c2, 1, "8号楼", address="秋实路8号8号楼")
    household2 = make_place("household", building2, 1, "8号楼2单元302", address="秋实路8号8号楼2单元302")
    neighbour = make_place("household", tree.microgrid, 2, "1号楼1单元102", address="春晖路1号1号楼1单元102")
    Resident.objects.create(name=HOUSEHOLDER, phone=HOUSEHOLDER_PHONE, household=tree.household, is_householder=True)
    Resident.objects.create(name="李小宝", household=tree.household)
    return CareWorld(
        tree=tree,
        staff=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="chunhui", full_name="张社工"),
        staff2=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community2, username="qiushi"),
        grid_worker=make_staff(role=Role.GRID_WORKER, place=tree.grid, username="grid1", full_name="刘网格"),
        grid2_worker=make_staff(role=Role.GRID_WORKER, place=tree.grid2, username="grid2"),
        street=make_staff(role=Role.STREET_STAFF, place=tree.street, username="wangjiang", full_name="赵街道"),
        department=make_staff(
            role=Role.DEPARTMENT_HANDLER, place=tree.district, department=tree.department, username="zhujian"
        ),
        dispatcher=make_staff(
            role=Role.DISPATCH_CENTRE, place=tree.city, department=tree.dispatch_centre, username="diaodu"
        ),
        household=tree.household,
        neighbour=neighbour,
        household2=household2,
        building2=building2,
        member=make_member(phone="13900000001", community=tree.community, building=tree.microgrid, name="李明华"),
        member2=make_member(phone="13900000002", community=tree.community2, building=building2, name="陈志远"),
    )


def flag(
    world: CareWorld,
    *,
    household: Place | None = None,
    kinds: list[str] | None = None,
    since: date | None = None,
    actor: User | None = None,
) -> HouseholdInDifficulty:
    return services.household_flag(
        actor=actor or world.staff,
        household=household or world.household,
        kinds=kinds if kinds is not None else [Difficulty.ELDERLY_ALONE, Difficulty.MINIMUM_LIVING],
        since=since or days_ago(400),
        note="独居，子女在外地",
    )


def pair(world: CareWorld, record: HouseholdInDifficulty, **partner: Any) -> Pairing:
    partner = partner or {"member": world.member}
    return services.pairing_create(actor=world.staff, record=record, since=days_ago(300), **partner)


def visit(
    world: CareWorld,
    record: HouseholdInDifficulty,
    *,
    on: date | None = None,
    needs: tuple[str, ...] = (),
    actor: User | None = None,
) -> Visit:
    return services.visit_record(
        actor=actor or world.grid_worker,
        record=record,
        visited_on=on or timezone.localdate(),
        notes="老人身体尚可，冰箱坏了",
        needs=needs,
    )
