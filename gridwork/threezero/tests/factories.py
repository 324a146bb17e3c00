"""Test data for the three-zero units: staff of each level on the tree, a resident unit, incidents and dispute cases
placed by hand (the figures only read them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.mediation.models import CaseSource, CaseState, DisputeCase, DisputeType, ReceivingKind, Referral
from gridwork.people.models import ResidentUnit, ResidentUnitKind
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree
from gridwork.threezero.models import Incident


@dataclass
class World:
    tree: CityTree
    grid_worker: User
    community_staff: User
    community2_staff: User
    street_staff: User
    district_staff: User
    district2_staff: User
    city_staff: User
    unit: ResidentUnit


def make_world(tree: CityTree) -> World:
    return World(
        tree=tree,
        grid_worker=make_staff(role=Role.GRID_WORKER, place=tree.grid, username="grid1"),
        community_staff=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="community1"),
        community2_staff=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community2, username="community2"),
        street_staff=make_staff(role=Role.STREET_STAFF, place=tree.street, username="street1"),
        district_staff=make_staff(role=Role.DISTRICT_STAFF, place=tree.district, username="district1"),
        district2_staff=make_staff(role=Role.DISTRICT_STAFF, place=tree.district2, username="district2"),
        city_staff=make_staff(role=Role.CITY_STAFF, place=tree.city, username="city1"),
        unit=ResidentUnit.objects.create(
            credit_code="91520100MA6DXXXX01",
            name="明川市供电公司",
            kind=ResidentUnitKind.STATE_ENTERPRISE,
            place=tree.community,
        ),
    )


def incident(
    *, place: Place, kind: str, on: date, by: Any, unit: ResidentUnit | None = None, summary: str = "经过"
) -> Incident:
    return Incident.objects.create(kind=kind, place=place, unit=unit, occurred_on=on, summary=summary, recorded_by=by)


_numbers = iter(range(1, 10_000))


def dispute(
    *, place: Place, community: Place, at: datetime, by: Any, referred_at: datetime | None = None
) -> DisputeCase:
    case = DisputeCase.objects.create(
        number=f"调-{at.year}-{next(_numbers):06d}",
        title="邻里噪音纠纷",
        dispute_type=DisputeType.NEIGHBOUR,
        facts="楼上装修噪音",
        place=place,
        community=community,
        source=CaseSource.STAFF,
        registered_by=by,
        registered_at=at,
        state=CaseState.REGISTERED,
    )
    if referred_at is not None:
        Referral.objects.create(
            case=case,
            receiving_kind=ReceivingKind.COURT,
            receiving_body="东湖区人民法院",
            reason="调解不成",
            referred_by=by,
            referred_at=referred_at,
        )
    return case


def aware(year: int, month: int = 6, day: int = 15) -> datetime:
    return timezone.make_aware(datetime(year, month, day, 10, 0))
