"""Part-time members (兼职委员): appointing a unit's party leader to a 大工委 or 大党委 of the actor's area, the fields
named on a refusal, no two overlapping terms of one person on one organisation (in the service and in the database),
ending early with a reason, renewing once, the lists by status (expiring within 60 days) and the audit rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from gridwork.accounts.models import User
from gridwork.audit.models import AuditEvent
from gridwork.party.models import PartTimeMember, PartyOrganisation, PartyOrgKind, RegistrationState
from gridwork.party.parttime import part_time_appoint, part_time_end, part_time_renew, renewal_defaults
from gridwork.party.parttime_selectors import TermStatus, part_time_list, part_time_units, term_status
from gridwork.party.registrations import unit_registration_confirm, unit_registration_submit
from gridwork.people.models import ResidentUnit
from gridwork.people.tests.factories import Staff, make_staff_of, make_unit
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)


@dataclass
class Committees:
    tree: CityTree
    staff: Staff
    street: PartyOrganisation  # 望江街道大工委
    community: PartyOrganisation  # 春晖社区大党委
    community2: PartyOrganisation  # 秋实社区大党委
    street2: PartyOrganisation  # 临川街道大工委
    branch: PartyOrganisation  # a branch of 春晖社区: takes no part-time members
    unit: ResidentUnit  # sits in 春晖社区
    unit2: ResidentUnit  # sits in 秋实社区


def org(code: str, name: str, kind: str, place: object, parent: PartyOrganisation | None = None) -> PartyOrganisation:
    return PartyOrganisation.objects.create(code=code, name=name, kind=kind, place=place, parent=parent)


def make_committees(tree: CityTree) -> Committees:
    street = org("P-WJ", "望江街道大工委", PartyOrgKind.WORKING_COMMITTEE, tree.street)
    community = org("P-CH", "春晖社区大党委", PartyOrgKind.COMMUNITY_COMMITTEE, tree.community, street)
    return Committees(
        tree=tree,
        staff=make_staff_of(tree),
        street=street,
        community=community,
        community2=org("P-QS", "秋实社区大党委", PartyOrgKind.COMMUNITY_COMMITTEE, tree.community2, street),
        street2=org("P-LC", "临川街道大工委", PartyOrgKind.WORKING_COMMITTEE, tree.street2),
        branch=org("P-CH-1", "春晖社区第一支部", PartyOrgKind.BRANCH, tree.community, community),
        unit=make_unit(tree.community),
        unit2=make_unit(tree.community2, "明川自来水公司"),
    )


@pytest.fixture
def world(tree: CityTree) -> Committees:
    return make_committees(tree)


def appoint(
    world: Committees,
    *,
    actor: User | None = None,
    organisation: PartyOrganisation | None = None,
    unit: ResidentUnit | None = None,
    name: str = "张建国",
    start: date = date(2025, 1, 1),
    end: date = date(2027, 12, 31),
    duties: str = "联系单位在职党员\n协调单位资源进社区",
) -> PartTimeMember:
    return part_time_appoint(
        actor=actor or world.staff.community,
        organisation=organisation or world.community,
        unit=unit or world.unit,
        name=name,
        position="党委书记",
        term_start=start,
        term_end=end,
        duties=duties,
    )


def test_community_staff_appoint_a_units_leader_to_their_community_committee(world: Committees) -> None:
    term = appoint(world, duties="  联系单位在职党员\n\n 协调单位资源进社区 ")
    assert term.duty_list == ["联系单位在职党员", "协调单位资源进社区"]
    assert term.appointed_by == world.staff.community
    event = AuditEvent.objects.get(action="part_time_member.appoint")
    assert event.object_id == str(term.pk)
    assert event.detail["organisation"] == "P-CH"
    assert event.detail["term_end"] == "2027-12-31"


def test_street_staff_appoint_to_the_street_committee_from_any_unit_of_the_street(world: Committees) -> None:
    term = appoint(world, actor=world.staff.street, organisation=world.street, unit=world.unit2)
    assert term.organisation == world.street


def test_each_wrong_field_is_named_and_nothing_is_saved(world: Committees) -> None:
    with pytest.raises(ValidationError) as excinfo:
        part_time_appoint(
            actor=world.staff.community,
            organisation=world.branch,
            unit=None,
            name="",
            position="职" * 61,
            term_start=date(2025, 1, 1),
            term_end=date(2025, 1, 1),
            duties="",
        )
    errors = excinfo.value.message_dict
    assert set(errors) == {"organisation", "unit", "name", "position", "term_end", "duties"}
    assert not PartTimeMember.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="part_time_member").exists()


def test_a_term_lasts_at_most_five_years(world: Committees) -> None:
    with pytest.raises(ValidationError) as excinfo:
        appoint(world, start=date(2025, 1, 1), end=date(2030, 1, 1))
    assert "at most 5 years" in excinfo.value.message_dict["term_end"][0]
    assert appoint(world, start=date(2025, 1, 1), end=date(2029, 12, 31)).pk


def test_an_organisation_outside_the_actors_area_is_refused(world: Committees) -> None:
    for actor, organisation in (
        (world.staff.community2, world.community),  # the sibling community's staff
        (world.staff.community, world.street),  # the community's staff on the street's committee
        (world.staff.street2, world.street),  # another street
        (world.staff.grid, world.community),  # a grid worker manages nothing
    ):
        with pytest.raises(ValidationError) as excinfo:
            appoint(world, actor=actor, organisation=organisation)
        assert "outside" in excinfo.value.message_dict["organisation"][0]
    assert not PartTimeMember.objects.exists()


def test_a_unit_from_elsewhere_needs_a_confirmed_registration_with_the_community(world: Committees) -> None:
    with pytest.raises(ValidationError) as excinfo:
        appoint(world, unit=world.unit2)
    assert "neither sits in the area" in excinfo.value.message_dict["unit"][0]
    assert world.unit2 not in part_time_units(user=world.staff.community)
    registration = unit_registration_submit(actor=world.staff.street, unit=world.unit2, community=world.tree.community)
    assert world.unit2 not in part_time_units(user=world.staff.community)
    unit_registration_confirm(actor=world.staff.community, registration=registration, expected_version=1)
    assert registration.state == RegistrationState.CONFIRMED
    assert world.unit2 in part_time_units(user=world.staff.community)
    assert appoint(world, unit=world.unit2).resident_unit == world.unit2


def test_a_unit_at_the_street_may_sit_on_a_community_committee_of_the_street(world: Committees) -> None:
    street_unit = make_unit(world.tree.street, "望江街道卫生院")
    assert appoint(world, actor=world.staff.street, unit=street_unit).pk


def test_one_person_cannot_hold_two_overlapping_terms_on_one_organisation(world: Committees) -> None:
    first = appoint(world, start=date(2025, 1, 1), end=date(2027, 12, 31))
    for start, end in (
        (date(2027, 12, 31), date(2029, 12, 31)),
        (date(2024, 1, 1), date(2025, 1, 1)),
        (date(2025, 6, 1), date(2025, 7, 1)),
    ):
        with pytest.raises(ValidationError) as excinfo:
            appoint(world, start=start, end=end)
        assert "may not overlap" in excinfo.value.message_dict["term_start"][0]
    assert list(PartTimeMember.objects.all()) == [first]
    # The next day, another organisation, or another person: allowed.
    appoint(world, start=date(2028, 1, 1), end=date(2030, 12, 31))
    appoint(world, actor=world.staff.street, organisation=world.street)
    appoint(world, name="李红")
    assert PartTimeMember.objects.count() == 4


def test_the_database_refuses_an_overlap_that_skips_the_service(world: Committees) -> None:
    first = appoint(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        PartTimeMember.objects.create(
            organisation=world.community,
            name=first.name,
            resident_unit=world.unit,
            term_start=date(2026, 1, 1),
            term_end=date(2026, 12, 31),
        )
    second = PartTimeMember.objects.create(
        organisation=world.community,
        name=first.name,
        resident_unit=world.unit,
        term_start=date(2028, 1, 1),
        term_end=date(2028, 12, 31),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PartTimeMember.objects.filter(pk=second.pk).update(term_start=date(2027, 12, 31))
    # Ending the first early frees the days after it.
    PartTimeMember.objects.filter(pk=first.pk).update(ended_on=date(2026, 6, 30))
    PartTimeMember.objects.create(
        organisation=world.community,
        name=first.name,
        resident_unit=world.unit,
        term_start=date(2026, 7, 1),
        term_end=date(2026, 12, 31),
    )


def test_ending_a_term_early_needs_a_reason_and_a_day_within_the_term(world: Committees) -> None:
    term = appoint(world)
    with pytest.raises(ValidationError) as excinfo:
        part_time_end(actor=world.staff.community, term=term, ended_on=date(2027, 12, 31), reason="")
    assert set(excinfo.value.message_dict) == {"ended_on", "reason"}
    with pytest.raises(ValidationError):
        part_time_end(actor=world.staff.community, term=term, ended_on=date(2024, 12, 31), reason="调离")
    part_time_end(actor=world.staff.community, term=term, ended_on=date(2026, 3, 31), reason="调离本单位")
    term.refresh_from_db()
    assert (term.ended_on, term.end_reason, term.last_day) == (date(2026, 3, 31), "调离本单位", date(2026, 3, 31))
    assert term.term_end == date(2027, 12, 31)
    assert AuditEvent.objects.get(action="part_time_member.end").detail["reason"] == "调离本单位"
    with pytest.raises(ValidationError) as excinfo:
        part_time_end(actor=world.staff.community, term=term, ended_on=date(2026, 4, 1), reason="again")
    assert "already ended" in excinfo.value.message_dict["ended_on"][0]


def test_a_term_outside_the_area_cannot_be_ended_or_renewed(world: Committees) -> None:
    term = appoint(world)
    with pytest.raises(PermissionDenied):
        part_time_end(actor=world.staff.community2, term=term, ended_on=date(2026, 3, 31), reason="x")
    with pytest.raises(PermissionDenied):
        part_time_renew(
            actor=world.staff.street2,
            term=term,
            term_start=date(2028, 1, 1),
            term_end=date(2030, 12, 31),
            position="",
            duties="x",
        )
    term.refresh_from_db()
    assert term.ended_on is None
    assert PartTimeMember.objects.count() == 1


@pytest.mark.parametrize(
    ("term", "renewal"),
    [
        # Five years ending on 29 February 2028: the renewal's default is five years again, and it is allowed.
        ((date(2023, 3, 1), date(2028, 2, 29)), (date(2028, 3, 1), date(2033, 2, 28))),
        # Five years from 1 March 2024 (29 February 2028 inside): the same.
        ((date(2024, 3, 1), date(2029, 2, 28)), (date(2029, 3, 1), date(2034, 2, 28))),
        # One year from 29 February 2024: a year again.
        ((date(2024, 2, 29), date(2025, 2, 27)), (date(2025, 2, 28), date(2026, 2, 27))),
    ],
)
def test_the_default_renewal_of_a_term_lasts_as_many_calendar_years_and_is_allowed(
    world: Committees, term: tuple[date, date], renewal: tuple[date, date]
) -> None:
    first = appoint(world, start=term[0], end=term[1])
    defaults = renewal_defaults(first)
    assert (defaults["term_start"], defaults["term_end"]) == renewal
    renewed = part_time_renew(
        actor=world.staff.community,
        term=first,
        term_start=defaults["term_start"],
        term_end=defaults["term_end"],
        position=defaults["position"],
        duties=defaults["duties"],
    )
    assert (renewed.term_start, renewed.term_end) == renewal


def test_a_term_lasts_five_calendar_years_at_most(world: Committees) -> None:
    assert appoint(world, start=date(2024, 3, 1), end=date(2029, 2, 28)).term_end == date(2029, 2, 28)
    with pytest.raises(ValidationError) as refused:
        appoint(world, name="李四", start=date(2024, 3, 1), end=date(2029, 3, 1))
    assert "term_end" in refused.value.message_dict


def test_a_renewal_follows_the_term_once_and_not_an_early_ended_one(world: Committees) -> None:
    term = appoint(world)
    defaults = renewal_defaults(term)
    assert defaults["term_start"] == date(2028, 1, 1)
    assert defaults["term_end"] == date(2030, 12, 31)  # three calendar years again, though 2028 has 29 February
    with pytest.raises(ValidationError) as excinfo:
        part_time_renew(
            actor=world.staff.community,
            term=term,
            term_start=date(2027, 6, 1),
            term_end=date(2029, 12, 31),
            position="",
            duties="x",
        )
    assert "starts after" in excinfo.value.message_dict["term_start"][0]
    renewal = part_time_renew(
        actor=world.staff.community,
        term=term,
        term_start=date(2028, 1, 1),
        term_end=date(2030, 12, 31),
        position="党委副书记",
        duties="联系单位在职党员",
    )
    assert (renewal.renewed_from, renewal.name, renewal.organisation, renewal.position) == (
        term,
        term.name,
        term.organisation,
        "党委副书记",
    )
    assert AuditEvent.objects.get(action="part_time_member.renew").detail["renews"] == term.pk
    with pytest.raises(ValidationError) as excinfo:
        part_time_renew(
            actor=world.staff.community,
            term=term,
            term_start=date(2031, 1, 1),
            term_end=date(2032, 12, 31),
            position="",
            duties="x",
        )
    assert "already renewed" in excinfo.value.message_dict["term_start"][0]
    part_time_end(actor=world.staff.community, term=renewal, ended_on=date(2029, 1, 1), reason="退休")
    with pytest.raises(ValidationError) as excinfo:
        part_time_renew(
            actor=world.staff.community,
            term=renewal,
            term_start=date(2031, 1, 1),
            term_end=date(2032, 12, 31),
            position="",
            duties="x",
        )
    assert "ended early" in excinfo.value.message_dict["term_start"][0]


def test_the_lists_by_status_and_the_terms_expiring_within_60_days(world: Committees) -> None:
    soon = appoint(world, name="甲", start=date(2024, 1, 1), end=TODAY + timedelta(days=60))
    later = appoint(world, name="乙", start=date(2024, 1, 1), end=TODAY + timedelta(days=61))
    today_last = appoint(world, name="丙", start=date(2024, 1, 1), end=TODAY)
    over = appoint(world, name="丁", start=date(2023, 1, 1), end=TODAY - timedelta(days=1))
    upcoming = appoint(world, name="戊", start=TODAY + timedelta(days=1), end=date(2028, 12, 31))
    ended = appoint(world, name="己", start=date(2024, 1, 1), end=TODAY + timedelta(days=30))
    part_time_end(actor=world.staff.community, term=ended, ended_on=TODAY - timedelta(days=10), reason="调离")
    renewed = appoint(world, name="庚", start=date(2024, 1, 1), end=TODAY + timedelta(days=20))
    part_time_renew(
        actor=world.staff.community,
        term=renewed,
        term_start=TODAY + timedelta(days=21),
        term_end=date(2029, 12, 31),
        position="",
        duties="x",
    )

    def names(status: str) -> set[str]:
        return {t.name for t in part_time_list(user=world.staff.community, status=status, today=TODAY)}

    assert names(TermStatus.EXPIRING) == {"甲", "丙"}  # 庚 is renewed already; 己 ended early
    assert names(TermStatus.CURRENT) == {"甲", "乙", "丙", "庚"}
    assert names(TermStatus.EXPIRED) == {"丁"}
    assert names(TermStatus.ENDED_EARLY) == {"己"}
    assert names(TermStatus.UPCOMING) == {"戊", "庚"}
    assert len(names("all")) == 7
    assert term_status(soon, TODAY) == TermStatus.EXPIRING
    assert term_status(later, TODAY) == TermStatus.CURRENT
    assert term_status(today_last, TODAY) == TermStatus.EXPIRING
    assert term_status(over, TODAY) == TermStatus.EXPIRED
    assert term_status(upcoming, TODAY) == TermStatus.UPCOMING
    ended.refresh_from_db()
    assert term_status(ended, TODAY) == TermStatus.ENDED_EARLY


def test_the_list_is_scoped_to_the_organisations_of_the_area(world: Committees) -> None:
    mine = appoint(world)
    theirs = appoint(world, actor=world.staff.community2, organisation=world.community2, unit=world.unit2)
    street_term = appoint(world, actor=world.staff.street, organisation=world.street)
    assert set(part_time_list(user=world.staff.community, status="all")) == {mine}
    assert set(part_time_list(user=world.staff.community2, status="all")) == {theirs}
    assert set(part_time_list(user=world.staff.street, status="all")) == {mine, theirs, street_term}
    assert not part_time_list(user=world.staff.street2, status="all").exists()
