"""Test data for the activities: ``activity_world()`` builds the city tree's people around 春晖社区 — staff at each
level, a community station with a room, party organisations (the community's committee, a grid branch with a party
group, a branch of the sibling community), residents linked to households, registered party members (双报到) here and
in the sibling community —, and ``make_activity`` creates an activity through the service.

Times are fixed (``NOW``: 2031-03-10 09:00 China time, a Monday) for the services' tests, which pass ``at=``; the page
tests use times relative to the real clock (``soon``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.activities.models import Activity, ActivityKind, Audience
from gridwork.activities.services.activities import activity_create
from gridwork.centres.models import Centre, CentreKind, Room
from gridwork.party.models import MemberRegistration, PartyMember, PartyOrganisation, PartyOrgKind, RegistrationState
from gridwork.people.models import Resident
from gridwork.places.models import Place, PlaceLevel
from gridwork.places.tests.factories import CityTree, make_city_tree, make_place

ZONE = ZoneInfo(settings.TIME_ZONE)
ALL_DAY = {day: [["07:00", "22:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def local(text: str) -> datetime:
    """A moment in China time, e.g. ``local("2031-03-10 09:00")``."""
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


NOW = local("2031-03-10 09:00")


def soon(days: int = 2, hour: int = 14) -> datetime:
    """A moment ``days`` from today at ``hour`` o'clock, China time (for the page tests, on the real clock)."""
    day = timezone.localdate() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZONE)


@dataclass
class ActivityWorld:
    tree: CityTree
    staff: User  # community staff of 春晖社区 (MANAGE_CENTRES, VIEW_PERSONAL_DATA)
    staff2: User  # community staff of 秋实社区
    street_staff: User  # street staff over both communities (MANAGE_CENTRES, no VIEW_PERSONAL_DATA)
    street2_staff: User  # staff of the sibling street: sees nothing here
    grid_worker: User  # grid worker of 春晖社区第一网格 (VIEW_CENTRES at the grid)
    centre: Centre  # 春晖社区党群服务站, no approval
    room: Room  # its 多功能活动室, 30 people
    small_room: Room  # its 党员活动室, 12 people
    centre2: Centre  # 秋实社区党群服务站
    room2: Room
    committee: PartyOrganisation  # 春晖社区大党委
    branch: PartyOrganisation  # 春晖社区第一网格党支部
    group: PartyOrganisation  # its 1号楼党小组
    branch2: PartyOrganisation  # 秋实社区第一党支部
    resident: User  # lives in 春晖社区 (linked to a household)
    resident2: User  # lives in 秋实社区
    member: User  # registered (双报到) in 春晖社区
    member2: User  # registered in 秋实社区
    party_member: User  # on the roll of the branch's party group (by phone), not otherwise linked
    outsider: User  # a resident account linked to nothing


def make_centre(place: Place, name: str, **fields: Any) -> Centre:
    values: dict[str, Any] = {
        "kind": CentreKind.COMMUNITY_STATION,
        "address": f"{place.name}党群服务站",
        "opening_hours": ALL_DAY,
        "functions": ["activity_venue"],
        "requires_approval": False,
    }
    values.update(fields)
    return Centre.objects.create(name=name, place=place, **values)


def _resident_in(household: Place, *, phone: str, name: str) -> User:
    user = make_resident_user(phone=phone, full_name=name)
    Resident.objects.create(name=name, phone=phone, household=household, user=user)
    return user


def _registered(user: User, *, community: Place, building: Place, name: str) -> MemberRegistration:
    return MemberRegistration.objects.create(
        user=user,
        name=name,
        phone=user.phone or "",
        employer="明川供电公司",
        employer_party_organisation="供电公司机关第一党支部",
        community=community,
        building=building,
        state=RegistrationState.CONFIRMED,
        confirmed_at=timezone.now(),
    )


def activity_world(tree: CityTree | None = None) -> ActivityWorld:
    tree = tree or make_city_tree()
    grid_of_community2 = Place.objects.get(parent=tree.community2, level=PlaceLevel.GRID)
    building2 = make_place("microgrid", grid_of_community2, 1, "秋实8号楼")
    household2 = make_place("household", building2, 1, "秋实8号楼101")
    centre = make_centre(tree.community, "春晖社区党群服务站")
    centre2 = make_centre(tree.community2, "秋实社区党群服务站")
    committee = PartyOrganisation.objects.create(
        code="P-CH", name="春晖社区大党委", kind=PartyOrgKind.COMMUNITY_COMMITTEE, place=tree.community
    )
    branch = PartyOrganisation.objects.create(
        code="P-CH-01", name="春晖社区第一网格党支部", kind=PartyOrgKind.BRANCH, place=tree.grid, parent=committee
    )
    group = PartyOrganisation.objects.create(
        code="P-CH-01-1", name="1号楼党小组", kind=PartyOrgKind.GROUP, place=tree.microgrid, parent=branch
    )
    branch2 = PartyOrganisation.objects.create(
        code="P-QS-01", name="秋实社区第一党支部", kind=PartyOrgKind.BRANCH, place=grid_of_community2
    )
    member = make_resident_user(phone="13900000003", full_name="李明华")
    member2 = make_resident_user(phone="13900000004", full_name="赵卫国")
    _registered(member, community=tree.community, building=tree.microgrid, name="李明华")
    _registered(member2, community=tree.community2, building=building2, name="赵卫国")
    party_member = make_resident_user(phone="13900000005", full_name="孙红梅")
    PartyMember.objects.create(name="孙红梅", phone="13900000005", organisation=group)
    return ActivityWorld(
        tree=tree,
        staff=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="chunhui", full_name="王芳"),
        staff2=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community2, username="qiushi"),
        street_staff=make_staff(role=Role.STREET_STAFF, place=tree.street, username="wangjiang"),
        street2_staff=make_staff(role=Role.STREET_STAFF, place=tree.street2, username="linchuan"),
        grid_worker=make_staff(role=Role.GRID_WORKER, place=tree.grid, username="grid1"),
        centre=centre,
        room=Room.objects.create(centre=centre, name="多功能活动室", capacity=30),
        small_room=Room.objects.create(centre=centre, name="党员活动室", capacity=12),
        centre2=centre2,
        room2=Room.objects.create(centre=centre2, name="活动室", capacity=20),
        committee=committee,
        branch=branch,
        group=group,
        branch2=branch2,
        resident=_resident_in(tree.household, phone="13900000001", name="张桂芳"),
        resident2=_resident_in(household2, phone="13900000002", name="钱多多"),
        member=member,
        member2=member2,
        party_member=party_member,
        outsider=make_resident_user(phone="13900000009", full_name="路人甲"),
    )


def make_activity(
    world: ActivityWorld,
    *,
    actor: User | None = None,
    starts_at: datetime | None = None,
    hours: float = 2,
    at: datetime | None = None,
    **values: Any,
) -> Activity:
    """An activity of 春晖社区 (a cultural event open to the community, held in the square unless ``room`` is given),
    created through the service; ``at`` defaults to ``NOW`` and the start to two days later at 14:00."""
    at = at or NOW
    starts_at = starts_at or at.replace(hour=14, minute=0) + timedelta(days=2)
    fields: dict[str, Any] = {
        "place": world.tree.community,
        "title": "邻里文化节",
        "kind": ActivityKind.CULTURAL,
        "audience": Audience.COMMUNITY,
        "location": "春晖小区中心广场",
    }
    fields.update(values)
    if fields.get("room") is not None and "location" not in values:
        fields["location"] = ""
    if fields.get("room") is not None:
        fields.setdefault("attendees", 20)
        fields.setdefault("contact_phone", "13800001234")
    return activity_create(
        actor=actor or world.staff,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        at=at,
        **fields,
    )


def party_meeting(
    world: ActivityWorld,
    kind: str,
    *,
    starts_at: datetime,
    organiser: PartyOrganisation | None = None,
    held: bool = True,
) -> Activity:
    """A party meeting of the branch (or ``organiser``) at ``starts_at``, its minutes recorded when ``held``."""
    from gridwork.activities.services.activities import activity_record_minutes

    organiser = organiser or world.branch
    elsewhere = organiser.place.path.startswith(world.tree.community2.path)
    actor = world.staff2 if elsewhere else world.staff
    activity = make_activity(
        world,
        actor=actor,
        place=world.tree.community2 if elsewhere else world.tree.community,
        kind=kind,
        title=str(ActivityKind(kind).label),
        organiser=organiser,
        audience=Audience.PARTY_MEMBERS,
        starts_at=starts_at,
        at=starts_at - timedelta(days=1),
    )
    if held:
        activity_record_minutes(
            actor=actor,
            activity=activity,
            minutes="学习会议精神，讨论支部工作。",
            expected_version=activity.version,
            at=starts_at + timedelta(hours=1),
        )
    return activity


def fresh(activity: Activity) -> Activity:
    return Activity.objects.get(pk=activity.pk)


def day(text: str) -> date:
    return date.fromisoformat(text)
