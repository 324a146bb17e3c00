"""Test data for deliberations and 民生实事: a community's staff and grid worker, another community's staff, verified
residents of the community (accounts linked to registered residents), one of the sibling community, and an account
not linked to any resident; and helpers that open, vote and close through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.deliberation import services
from gridwork.deliberation.models import Deliberation, MeetingRecord, Programme, Proposal
from gridwork.people.models import Resident
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree, make_city_tree, make_place


@dataclass
class World:
    tree: CityTree
    staff: User  # community staff of 春晖社区
    street_staff: User
    other_staff: User  # community staff of 秋实社区 (the sibling)
    grid_worker: User
    residents: list[User]  # verified residents of 春晖社区
    outsider: User  # a verified resident of 秋实社区
    unverified: User  # a resident's account linked to no registered resident
    other_household: Place


def resident_account(household: Place, phone: str, name: str) -> User:
    user = make_resident_user(phone=phone, full_name=name)
    Resident.objects.create(name=name, phone=phone, household=household, user=user)
    return user


def make_world(tree: CityTree | None = None) -> World:
    tree = tree or make_city_tree()
    other_grid = Place.objects.get(parent=tree.community2)
    other_building = make_place("microgrid", other_grid, 1, "8号楼", address="秋实路8号")
    other_household = make_place("household", other_building, 1, "8号楼101", address="秋实路8号101")
    household2 = make_place("household", tree.microgrid, 2, "1号楼1单元102", address="春晖路1号1号楼1单元102")
    return World(
        tree=tree,
        staff=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="chunhui-staff"),
        street_staff=make_staff(role=Role.STREET_STAFF, place=tree.street, username="wangjiang-staff"),
        other_staff=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community2, username="qiushi-staff"),
        grid_worker=make_staff(role=Role.GRID_WORKER, place=tree.grid, username="chunhui-grid"),
        residents=[
            resident_account(tree.household, "13800001001", "张桂芳"),
            resident_account(household2, "13800001002", "李建国"),
            resident_account(tree.household, "13800001003", "王秀英"),
        ],
        outsider=resident_account(other_household, "13800002001", "赵丽"),
        unverified=make_resident_user(phone="13800003001", full_name="钱多"),
        other_household=other_household,
    )


def open_deliberation(
    world: World,
    *,
    options: tuple[str, ...] = ("加装电梯", "暂不加装", "再议"),
    at: datetime | None = None,
    days: int = 7,
    community: Place | None = None,
    actor: User | None = None,
) -> Deliberation:
    at = at or timezone.now()
    return services.deliberation_open(
        actor=actor or world.staff,
        community=community or world.tree.community,
        topic="1号楼是否加装电梯",
        background="1号楼建于1995年，共7层，老年住户多，部分居民提出加装电梯。",
        options=list(options),
        opens_at=at - timedelta(minutes=5),
        closes_at=at + timedelta(days=days),
        at=at,
    )


def close_deliberation(
    world: World, deliberation: Deliberation, *, position: int | None = 1, held_on: date | None = None
) -> MeetingRecord:
    deliberation.refresh_from_db()
    option = deliberation.options.get(position=position) if position else None
    return services.deliberation_close(
        actor=world.staff,
        deliberation=deliberation,
        held_on=held_on or timezone.localdate(),
        participants_count=23,
        participants="居民代表18人、社区党委书记、物业公司经理等",
        decision="同意加装电梯，由社区向街道申报，并列入年度民生实事。",
        chosen_option=option,
        expected_version=deliberation.version,
    )


def open_programme(
    world: World, *, votes: int = 2, budget: Decimal | None = None, place: Place | None = None
) -> Programme:
    return services.programme_open(
        actor=world.staff if place is None or place == world.tree.community else world.street_staff,
        place=place or world.tree.community,
        year=timezone.localdate().year,
        title="春晖社区年度民生实事",
        budget=budget,
        votes_per_resident=votes,
        max_chosen=2,
    )


def propose(world: World, programme: Programme, user: User, title: str, cost: str = "20000") -> Proposal:
    return services.proposal_submit(
        actor=user,
        programme=programme,
        title=title,
        description=f"{title}：居民反映强烈，建议今年实施。",
        estimated_cost=cost,
        location="春晖路1号",
    )


def fresh(obj: object) -> object:
    obj.refresh_from_db()  # type: ignore[attr-defined]
    return obj
