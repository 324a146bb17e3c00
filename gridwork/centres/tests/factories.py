"""Test data for the centres: a street centre and a community station with rooms, staff around them, residents, and
a fixed clock (Monday 2 March 2026, 09:00 in Asia/Shanghai)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.centres import services
from gridwork.centres.models import BookerKind, Booking, Centre, CentreFunction, CentreKind, Room
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=ZONE)  # a Monday
TUESDAY = datetime(2026, 3, 3, tzinfo=ZONE)
DAY_HOURS = [["08:30", "12:00"], ["14:00", "21:00"]]
HOURS = dict.fromkeys(("mon", "tue", "wed", "thu", "fri", "sat"), DAY_HOURS) | {"sun": []}


def at(hour: float, day: datetime = TUESDAY) -> datetime:
    return day + timedelta(minutes=round(hour * 60))


def make_centre(place: Place, *, name: str = "", kind: str = "", requires_approval: bool = False) -> Centre:
    return Centre.objects.create(
        name=name or f"{place.name}党群服务站",
        kind=kind or CentreKind.COMMUNITY_STATION,
        place=place,
        address=f"{place.name}文化路1号",
        phone="0851-1234567",
        opening_hours=HOURS,
        functions=[CentreFunction.ACTIVITY_VENUE, CentreFunction.CULTURE],
        requires_approval=requires_approval,
    )


def make_room(centre: Centre, name: str = "多功能厅", capacity: int = 30, bookable: bool = True) -> Room:
    return Room.objects.create(centre=centre, name=name, capacity=capacity, equipment=["投影仪"], bookable=bookable)


@dataclass
class World:
    tree: CityTree
    station: Centre  # 春晖社区's station, no approval
    room: Room
    approving: Centre  # 望江街道's centre, approval needed
    hall: Room
    station2: Centre  # 秋实社区's station
    room2: Room
    community: User  # 春晖社区's staff: manages the station
    community2: User  # 秋实社区's staff
    street: User  # 望江街道's staff: manages all three
    grid: User  # a grid worker of 春晖社区: views nothing of the station (it is above the grid)
    resident: User
    resident2: User


def make_world(tree: CityTree) -> World:
    station = make_centre(tree.community)
    approving = make_centre(
        tree.street, name="望江街道党群服务中心", kind=CentreKind.STREET_CENTRE, requires_approval=True
    )
    station2 = make_centre(tree.community2)
    return World(
        tree=tree,
        station=station,
        room=make_room(station),
        approving=approving,
        hall=make_room(approving, "大礼堂", capacity=120),
        station2=station2,
        room2=make_room(station2),
        community=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="chunhui"),
        community2=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community2, username="qiushi"),
        street=make_staff(role=Role.STREET_STAFF, place=tree.street, username="wangjiang"),
        grid=make_staff(role=Role.GRID_WORKER, place=tree.grid, username="grid1"),
        resident=make_resident_user(phone="13900000001", full_name="王小明"),
        resident2=make_resident_user(phone="13900000002", full_name="李红"),
    )


def book(
    actor: Any,
    room: Room,
    starts: datetime,
    ends: datetime,
    *,
    kind: str = BookerKind.RESIDENT,
    now: datetime = NOW,
    **extra: Any,
) -> Booking:
    values: dict[str, Any] = {
        "purpose": "书法兴趣小组活动",
        "attendees": 12,
        "contact_name": "王小明",
        "contact_phone": "13900000001",
    }
    values.update(extra)
    return services.booking_create(
        actor=actor, room=room, starts_at=starts, ends_at=ends, booker_kind=kind, at=now, **values
    )
