"""Fixtures for the accounts tests: an empty SMS outbox and a few staff members in the city tree."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.sms import MemorySmsBackend, SmsMessage
from gridwork.accounts.tests.factories import make_staff
from gridwork.places.tests.factories import CityTree


@pytest.fixture(autouse=True)
def outbox() -> Iterator[list[SmsMessage]]:
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


@dataclass
class Staff:
    city: User
    system_admin: User
    audit_admin: User
    district: User
    street: User
    street2: User
    community: User
    community2: User
    grid: User


@pytest.fixture
def staff(tree: CityTree) -> Staff:
    return Staff(
        city=make_staff(role=Role.CITY_STAFF, place=tree.city, username="city"),
        system_admin=make_staff(role=Role.SYSTEM_ADMIN, place=tree.city, username="sysadmin"),
        audit_admin=make_staff(role=Role.AUDIT_ADMIN, place=tree.city, username="auditor"),
        district=make_staff(role=Role.DISTRICT_STAFF, place=tree.district, username="district"),
        street=make_staff(role=Role.STREET_STAFF, place=tree.street, username="street"),
        street2=make_staff(role=Role.STREET_STAFF, place=tree.street2, username="street2"),
        community=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="community"),
        community2=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community2, username="community2"),
        grid=make_staff(role=Role.GRID_WORKER, place=tree.grid, username="gridworker"),
    )
