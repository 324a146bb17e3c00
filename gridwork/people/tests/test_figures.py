"""The units' figures for the co-construction page: units by kind at the end of the period and new in it, units with
a confirmed registration, part-time members in office during the period and on its last day, within the user's
scope and the place asked for."""

from __future__ import annotations

from datetime import date, datetime
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from gridwork.party.models import PartTimeMember, PartyOrganisation, PartyOrgKind
from gridwork.party.registrations import unit_registration_confirm, unit_registration_submit
from gridwork.people.figures import units_figures
from gridwork.people.models import ResidentUnit, ResidentUnitKind
from gridwork.people.tests.factories import Staff, make_staff_of, make_unit
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo(settings.TIME_ZONE)


@pytest.fixture
def staff(tree: CityTree) -> Staff:
    return make_staff_of(tree)


def created_at(unit: ResidentUnit, day: date) -> None:
    ResidentUnit.objects.filter(pk=unit.pk).update(created_at=datetime(day.year, day.month, day.day, 12, tzinfo=ZONE))


def test_units_figures(tree: CityTree, staff: Staff) -> None:
    school = make_unit(tree.community, "春晖小学", kind=ResidentUnitKind.SCHOOL)
    hospital = make_unit(tree.community, "春晖医院", kind=ResidentUnitKind.HOSPITAL)
    late = make_unit(tree.community, "新来的公司", kind=ResidentUnitKind.PRIVATE_ENTERPRISE)
    elsewhere = make_unit(tree.community2, "秋实小学", kind=ResidentUnitKind.SCHOOL)
    created_at(school, date(2025, 3, 1))
    created_at(hospital, date(2026, 2, 1))
    created_at(late, date(2027, 1, 5))
    created_at(elsewhere, date(2026, 2, 1))
    registration = unit_registration_submit(actor=staff.community, unit=school, community=tree.community)
    with patch("django.utils.timezone.now", return_value=datetime(2026, 3, 1, 10, tzinfo=ZONE)):
        unit_registration_confirm(actor=staff.community, registration=registration, expected_version=1)
    pending = unit_registration_submit(actor=staff.community, unit=hospital, community=tree.community)
    assert pending.state == "pending"
    committee = PartyOrganisation.objects.create(
        code="P-CH", name="春晖社区大党委", kind=PartyOrgKind.COMMUNITY_COMMITTEE, place=tree.community
    )
    for name, start, end in (
        ("甲", date(2024, 1, 1), date(2026, 12, 31)),  # in office all year and on its last day
        ("乙", date(2024, 1, 1), date(2026, 3, 31)),  # in office part of the year
        ("丙", date(2021, 1, 1), date(2025, 12, 31)),  # before the year
        ("丁", date(2027, 1, 1), date(2028, 12, 31)),  # after it
    ):
        PartTimeMember.objects.create(
            organisation=committee, name=name, resident_unit=school, term_start=start, term_end=end
        )

    figures = units_figures(user=staff.community, place=tree.community, start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert figures["units"] == 2
    assert figures["units_new"] == 1
    assert figures["units_by_kind"][ResidentUnitKind.SCHOOL] == 1
    assert figures["units_by_kind"][ResidentUnitKind.HOSPITAL] == 1
    assert figures["units_by_kind"][ResidentUnitKind.GOVERNMENT] == 0
    assert set(figures["units_by_kind"]) == set(ResidentUnitKind.values)
    assert figures["units_registered"] == 1
    assert figures["part_time_members"] == 2
    assert figures["part_time_members_at_end"] == 1

    before = units_figures(user=staff.community, place=tree.community, start=date(2025, 1, 1), end=date(2025, 12, 31))
    assert before["units"] == 1
    assert before["units_registered"] == 0  # confirmed only in March 2026
    assert before["part_time_members"] == 3

    street = units_figures(user=staff.street, place=tree.street, start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert street["units"] == 3
    # Another community's staff asking about my community see nothing of it.
    outsider = units_figures(
        user=staff.community2, place=tree.community, start=date(2026, 1, 1), end=date(2026, 12, 31)
    )
    assert outsider["units"] == 0
    assert outsider["part_time_members"] == 0
    assert outsider["units_registered"] == 0
