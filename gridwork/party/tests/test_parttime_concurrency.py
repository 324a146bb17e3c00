"""Real threads racing on committed data: the same appointment sent by several staff at once makes one term, and
two renewals of one term at once make one renewal. Passes on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from gridwork.accounts.models import User
from gridwork.audit.models import AuditEvent
from gridwork.common.tests.racing import race
from gridwork.party.models import PartTimeMember, PartyOrganisation
from gridwork.party.parttime import part_time_appoint, part_time_renew
from gridwork.party.tests.test_parttime import Committees, make_committees
from gridwork.people.models import ResidentUnit
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 6


@pytest.fixture
def world(tree: CityTree) -> Committees:
    return make_committees(tree)


def test_one_appointment_sent_several_times_at_once_makes_one_term(world: Committees) -> None:
    def send(i: int, _prepared: None) -> Any:
        return part_time_appoint(
            actor=User.objects.get(pk=world.staff.community.pk),
            organisation=PartyOrganisation.objects.get(pk=world.community.pk),
            unit=ResidentUnit.objects.get(pk=world.unit.pk),
            name="张建国",
            term_start=date(2025 + i % 2, 1, 1),  # overlapping terms, not all the same
            term_end=date(2027, 12, 31),
            duties="联系单位在职党员",
        )

    outcomes = race(send, threads=THREADS)
    assert sum(isinstance(o, PartTimeMember) for o in outcomes) == 1
    assert all(isinstance(o, ValidationError) for o in outcomes if not isinstance(o, PartTimeMember))
    assert PartTimeMember.objects.count() == 1
    assert AuditEvent.objects.filter(action="part_time_member.appoint").count() == 1


def test_two_renewals_of_one_term_at_once_make_one(world: Committees) -> None:
    term = part_time_appoint(
        actor=world.staff.community,
        organisation=world.community,
        unit=world.unit,
        name="张建国",
        term_start=date(2025, 1, 1),
        term_end=date(2027, 12, 31),
        duties="联系单位在职党员",
    )

    def renew(i: int, _prepared: None) -> Any:
        return part_time_renew(
            actor=User.objects.get(pk=world.staff.street.pk if i else world.staff.community.pk),
            term=PartTimeMember.objects.get(pk=term.pk),
            term_start=date(2028, 1, 1),
            term_end=date(2030, 12, 31 - i),
            position="",
            duties="联系单位在职党员",
        )

    outcomes = race(renew, threads=4)
    assert sum(isinstance(o, PartTimeMember) for o in outcomes) == 1
    assert all(isinstance(o, ValidationError) for o in outcomes if not isinstance(o, PartTimeMember))
    assert PartTimeMember.objects.filter(renewed_from=term).count() == 1
