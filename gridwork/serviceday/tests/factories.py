"""Test data for the service day: cycles brought to a stage through the services on a fixed clock, verified residents,
registered members and units of a community, and ``service_day_at`` for the scope matrix's world."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time
from typing import Any

from django.db import models
from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.party.models import MemberRegistration, RegistrationState
from gridwork.people.models import Resident, ResidentUnit, ResidentUnitKind
from gridwork.places.codes import CODE_SHAPES
from gridwork.places.models import CHILD_LEVEL, Place
from gridwork.places.tests.factories import make_place
from gridwork.serviceday.calendar import cycle_dates, previous_month
from gridwork.serviceday.models import CycleState, Item, Opinion, OpinionSource, ServiceCycle, Topic
from gridwork.serviceday.services.cycles import cycle_complete_stage, cycle_open
from gridwork.serviceday.services.items import ItemInput, item_create, item_record_result

_sequence = itertools.count(1)

# The month most tests run: March 2026 (collect 1–15 Mar, sort 16–25, serve 26 Mar–5 Apr, evaluate 6–10 Apr,
# summary 11–15 Apr).
YEAR, MONTH = 2026, 3


def at(day: date, hour: int = 10) -> datetime:
    """A moment of ``day`` in the platform's time zone."""
    return timezone.make_aware(datetime.combine(day, time(hour)))


def household_in(place: Place) -> Place:
    """A new household under ``place`` (a community, a grid…), making the levels in between."""
    current = place
    while current.level != "household":
        level = CHILD_LEVEL[current.level]
        assert level is not None
        shape = CODE_SHAPES[level]
        taken = [
            int(code[shape.inherited : shape.inherited + shape.own])
            for code in Place.objects.filter(parent=current).values_list("code", flat=True)
        ]
        number = max(taken, default=0) + 1
        current = make_place(level, current, number, f"{current.name}/{level}{number}")
    return current


def verified_resident(community: Place, *, phone: str = "") -> User:
    """A resident's account linked to a registered resident of a household in ``community``."""
    user = make_resident_user(phone=phone or f"137{next(_sequence):08d}", full_name="居民")
    Resident.objects.create(name="王小明", phone=user.phone or "", household=household_in(community), user=user)
    return user


def registered_member(community: Place, *, name: str = "李志愿") -> MemberRegistration:
    """A confirmed 双报到 registration of a party member living in a building of ``community``."""
    household = household_in(community)
    building = household.parent
    assert building is not None
    phone = f"139{next(_sequence):08d}"
    return MemberRegistration.objects.create(
        user=make_resident_user(phone=phone),
        name=name,
        phone=phone,
        employer="某单位",
        employer_party_organisation="某单位党支部",
        community=community,
        building=building,
        state=RegistrationState.CONFIRMED,
    )


def resident_unit(place: Place, name: str = "某某小学") -> ResidentUnit:
    return ResidentUnit.objects.create(
        credit_code=f"91{next(_sequence):016d}"[:18], name=name, kind=ResidentUnitKind.SCHOOL, place=place
    )


def community_staff(community: Place, username: str = "") -> User:
    return make_staff(role=Role.COMMUNITY_STAFF, place=community, username=username or f"cs{next(_sequence)}")


def open_cycle(community: Place, year: int = YEAR, month: int = MONTH) -> ServiceCycle:
    cycle, _created = cycle_open(community=community, year=year, month=month, at=at(date(year, month, 1), 1))
    return cycle


def staff_opinion(cycle: ServiceCycle, text: str = "希望提供义诊服务", **fields: Any) -> Opinion:
    return Opinion.objects.create(
        cycle=cycle,
        source=OpinionSource.STAFF,
        topic=Topic.HEALTH,
        text=text,
        created_at=at(cycle_dates(cycle).opens),
        **fields,
    )


def complete(cycle: ServiceCycle, actor: User, text: str = "", on: date | None = None) -> ServiceCycle:
    """Complete the cycle's current stage on its due day (on time) or on ``on``."""
    cycle.refresh_from_db()
    day = on or cycle_dates(cycle).window(cycle.state).due
    return cycle_complete_stage(actor=actor, cycle=cycle, expected_version=cycle.version, text=text, at=at(day))


def cycle_at(community: Place, actor: User, state: str, *, items: int = 1) -> ServiceCycle:
    """A cycle of March 2026 brought on time to ``state``: an opinion, ``items`` items taking it up, their results
    (done) once past the service day, the feedback and the summary."""
    cycle = open_cycle(community)
    opinion = staff_opinion(cycle)
    order = list(CycleState.values)
    target = order.index(state)
    if target >= order.index(CycleState.SORT):
        complete(cycle, actor, "收集完毕")
        for number in range(items):
            item_create(
                actor=actor,
                cycle=cycle,
                data=ItemInput(
                    title=f"义诊{number + 1}", topic=Topic.HEALTH, opinions=[opinion] if number == 0 else []
                ),
                at=at(date(YEAR, MONTH, 20)),
            )
    if target >= order.index(CycleState.SERVE):
        complete(cycle, actor)
    if target >= order.index(CycleState.EVALUATE):
        service_day = cycle_dates(cycle).service_day
        for item in Item.objects.filter(cycle=cycle):
            item_record_result(
                actor=actor,
                item=item,
                expected_version=item.version,
                done=True,
                note="顺利完成",
                at=at(service_day, 15),
            )
        complete(cycle, actor)
    if target >= order.index(CycleState.SUMMARY):
        complete(cycle, actor, "义诊服务居民三十余人，大家满意。")
    if target >= order.index(CycleState.CLOSED):
        complete(cycle, actor, "下月继续开展。")
    cycle.refresh_from_db()
    return cycle


def service_day_at(community: Place, mark: str) -> dict[str, models.Model]:
    """For the scope matrix's world: a cycle of ``community`` sorting its opinions, with an opinion (its contact named
    after ``mark``) and a planned item named after ``mark``, made by a staff member of the community made here. Each
    call makes a new cycle (March 2026, or the month before the community's earliest one)."""
    year, month = YEAR, MONTH
    while ServiceCycle.objects.filter(community=community, year=year, month=month).exists():
        year, month = previous_month(year, month)
    staff = make_staff(role=Role.COMMUNITY_STAFF, place=community, username=f"sd{next(_sequence)}-{community.code}")
    cycle, _created = cycle_open(community=community, year=year, month=month, at=at(date(year, month, 1), 1))
    opinion = Opinion.objects.create(
        cycle=cycle,
        source=OpinionSource.STAFF,
        topic=Topic.HEALTH,
        text=f"{mark} opinion",
        name=f"{mark} contact",
        phone="13800001234",
        created_at=at(date(year, month, 2)),
    )
    cycle_complete_stage(actor=staff, cycle=cycle, expected_version=cycle.version, at=at(date(year, month, 15)))
    item = item_create(
        actor=staff,
        cycle=cycle,
        data=ItemInput(title=f"{mark} item", topic=Topic.HEALTH, opinions=[opinion]),
        at=at(date(year, month, 16)),
    )
    cycle.refresh_from_db()
    return {"service_cycle": cycle, "service_item": item}
