"""The services: who may write, the filing rules (a registered organisation has a unique number), dissolving (kept,
never changes again, an open incubation withdrawn), members leaving, and the incubation flow (one open stay per
organisation — also in the database — compare-and-set moves with their history)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from gridwork.audit.models import AuditEvent
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.places.tests.factories import CityTree
from gridwork.socialorgs import services
from gridwork.socialorgs.flows import IncubationAction
from gridwork.socialorgs.models import (
    FilingStatus,
    Incubation,
    IncubationEvent,
    IncubationState,
    Member,
    Organisation,
)
from gridwork.socialorgs.services import MemberInput
from gridwork.socialorgs.tests.factories import (
    TODAY,
    World,
    make_member,
    make_organisation,
    make_world,
    organisation_input,
)

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def field_errors(excinfo: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(excinfo.value.message_dict)


class TestOrganisations:
    def test_created_and_audited(self, world: World) -> None:
        org = make_organisation(world.community, world.tree.community, name=" 春晖助老服务社 ")
        assert org.name == "春晖助老服务社"
        assert AuditEvent.objects.filter(action="socialorgs.organisation_create", object_id=str(org.pk)).exists()

    def test_a_registered_organisation_needs_its_number_and_it_is_unique(self, world: World) -> None:
        with pytest.raises(ValidationError) as missing:
            make_organisation(world.community, world.tree.community, filing=FilingStatus.REGISTERED)
        assert field_errors(missing) == {"registration_number"}
        make_organisation(
            world.community, world.tree.community, filing=FilingStatus.REGISTERED, registration_number="5201A"
        )
        with pytest.raises(ValidationError) as taken:
            make_organisation(
                world.street, world.tree.community2, filing=FilingStatus.REGISTERED, registration_number="5201A"
            )
        assert field_errors(taken) == {"registration_number"}

    def test_the_database_holds_the_number_unique_and_present(self, world: World) -> None:
        org = make_organisation(
            world.community, world.tree.community, filing=FilingStatus.REGISTERED, registration_number="5201B"
        )
        other = make_organisation(world.community, world.tree.community)
        with pytest.raises(IntegrityError), transaction.atomic():
            Organisation.objects.filter(pk=other.pk).update(
                filing=FilingStatus.REGISTERED, registration_number=org.registration_number
            )
        with pytest.raises(IntegrityError), transaction.atomic():
            Organisation.objects.filter(pk=other.pk).update(filing=FilingStatus.REGISTERED)

    def test_a_number_is_dropped_when_not_registered(self, world: World) -> None:
        org = make_organisation(world.community, world.tree.community, registration_number="IGNORED")
        assert org.registration_number == ""

    def test_outside_the_actors_units_is_refused(self, world: World) -> None:
        with pytest.raises(ValidationError) as outside:
            make_organisation(world.community2, world.tree.community)
        assert field_errors(outside) == {"place"}
        with pytest.raises(ValidationError) as level:
            make_organisation(world.street, world.tree.grid)
        assert field_errors(level) == {"place"}
        org = make_organisation(world.community, world.tree.community)
        with pytest.raises(PermissionDenied):
            services.organisation_update(
                actor=world.community2, organisation=org, values=organisation_input(world.tree.community2)
            )
        with pytest.raises(PermissionDenied):
            services.organisation_dissolve(actor=world.grid, organisation=org, dissolved_on=TODAY, reason="x")

    def test_fields_are_checked(self, world: World) -> None:
        with pytest.raises(ValidationError) as bad:
            make_organisation(
                world.community,
                world.tree.community,
                name="",
                contact_phone="call me",
                founded_on=date(2027, 1, 1),
                kind="club",
            )
        assert field_errors(bad) >= {"name", "contact_phone", "founded_on", "kind"}

    def test_an_active_name_is_used_once_per_place(self, world: World) -> None:
        org = make_organisation(world.community, world.tree.community, name="春晖合唱团")
        with pytest.raises(ValidationError) as taken:
            make_organisation(world.community, world.tree.community, name="春晖合唱团")
        assert field_errors(taken) == {"name"}
        services.organisation_dissolve(
            actor=world.community, organisation=org, dissolved_on=date(2026, 1, 1), reason="成员流失", at=NOW
        )
        assert make_organisation(world.community, world.tree.community, name="春晖合唱团").pk != org.pk

    def test_update_saves_the_changed_fields(self, world: World) -> None:
        org = make_organisation(world.community, world.tree.community)
        values = organisation_input(world.tree.community, name=org.name, services="四点半课堂")
        services.organisation_update(actor=world.community, organisation=org, values=values, today=TODAY)
        org.refresh_from_db()
        assert org.services == "四点半课堂"
        event = AuditEvent.objects.get(action="socialorgs.organisation_update")
        assert event.detail == {"fields": ["services"]}

    def test_dissolved_is_kept_and_no_longer_changes(self, world: World) -> None:
        org = make_organisation(world.community, world.tree.community)
        member = make_member(world.community, org)
        services.organisation_dissolve(
            actor=world.community, organisation=org, dissolved_on=date(2026, 2, 1), reason="负责人迁出", at=NOW
        )
        org.refresh_from_db()
        assert (org.dissolved_on, org.dissolution_reason) == (date(2026, 2, 1), "负责人迁出")
        with pytest.raises(ValidationError):
            services.organisation_dissolve(
                actor=world.community, organisation=org, dissolved_on=date(2026, 2, 1), reason="again", at=NOW
            )
        with pytest.raises(ValidationError):
            services.organisation_update(
                actor=world.community, organisation=org, values=organisation_input(world.tree.community)
            )
        with pytest.raises(ValidationError):
            make_member(world.community, org)
        with pytest.raises(ValidationError):
            services.incubation_enter(
                actor=world.community, organisation=org, base=world.base, entered_on=TODAY, at=NOW
            )
        assert Member.objects.filter(pk=member.pk).exists()

    def test_dissolving_needs_a_reason_and_a_sensible_date(self, world: World) -> None:
        org = make_organisation(world.community, world.tree.community, founded_on=date(2025, 1, 1))
        with pytest.raises(ValidationError) as bad:
            services.organisation_dissolve(
                actor=world.community, organisation=org, dissolved_on=date(2024, 1, 1), reason=" ", at=NOW
            )
        assert field_errors(bad) == {"reason", "dissolved_on"}


class TestMembers:
    def test_add_edit_leave(self, world: World) -> None:
        org = make_organisation(world.community, world.tree.community)
        member = make_member(world.community, org, is_party_member=True)
        services.member_update(
            actor=world.community,
            member=member,
            values=MemberInput(name="李明", role="leader", joined_on=date(2025, 1, 10), is_party_member=True),
            today=TODAY,
        )
        member.refresh_from_db()
        assert (member.role, member.phone) == ("leader", "")
        services.member_leave(actor=world.community, member=member, left_on=date(2026, 1, 31), today=TODAY)
        with pytest.raises(ValidationError):
            services.member_leave(actor=world.community, member=member, left_on=date(2026, 2, 1), today=TODAY)
        member.refresh_from_db()
        assert member.left_on == date(2026, 1, 31)

    def test_leaving_before_joining_is_refused(self, world: World) -> None:
        member = make_member(world.community, make_organisation(world.community, world.tree.community))
        with pytest.raises(ValidationError) as bad:
            services.member_leave(actor=world.community, member=member, left_on=date(2024, 1, 1), today=TODAY)
        assert field_errors(bad) == {"left_on"}

    def test_another_communitys_staff_may_not(self, world: World) -> None:
        org = make_organisation(world.community, world.tree.community)
        with pytest.raises(PermissionDenied):
            make_member(world.community2, org)


class TestIncubation:
    def enter(self, world: World, org: Organisation, **extra: object) -> Incubation:
        return services.incubation_enter(
            actor=world.community, organisation=org, base=world.base, entered_on=date(2026, 1, 5), at=NOW, **extra
        )

    def test_entered_mentored_graduated_with_history(self, world: World) -> None:
        org = make_organisation(world.community, world.tree.community)
        incubation = self.enter(world, org, notes="首期")
        assert incubation.state == IncubationState.ENTERED
        services.incubation_move(
            actor=world.community,
            incubation=incubation,
            action=IncubationAction.MENTOR,
            on=date(2026, 1, 10),
            mentor="王老师",
            expected_version=1,
            at=NOW,
        )
        services.incubation_move(
            actor=world.street,
            incubation=incubation,
            action=IncubationAction.GRADUATE,
            on=date(2026, 3, 1),
            note="评估合格",
            at=NOW,
        )
        incubation.refresh_from_db()
        assert (incubation.state, incubation.mentor, incubation.mentoring_from, incubation.ended_on) == (
            IncubationState.GRADUATED,
            "王老师",
            date(2026, 1, 10),
            date(2026, 3, 1),
        )
        history = list(IncubationEvent.objects.filter(subject=incubation).values_list("action", "to_state"))
        assert history == [("create", "entered"), ("mentor", "mentoring"), ("graduate", "graduated")]

    def test_moves_outside_the_table_are_refused(self, world: World) -> None:
        incubation = self.enter(world, make_organisation(world.community, world.tree.community))
        with pytest.raises(MoveRefused):
            services.incubation_move(
                actor=world.community, incubation=incubation, action=IncubationAction.GRADUATE, on=TODAY, at=NOW
            )
        services.incubation_move(
            actor=world.community, incubation=incubation, action=IncubationAction.WITHDRAW, on=TODAY, at=NOW
        )
        with pytest.raises(MoveRefused):
            services.incubation_move(
                actor=world.community, incubation=incubation, action=IncubationAction.WITHDRAW, on=TODAY, at=NOW
            )

    def test_a_stale_page_is_refused(self, world: World) -> None:
        incubation = self.enter(world, make_organisation(world.community, world.tree.community))
        stale = Incubation.objects.get(pk=incubation.pk)
        services.incubation_move(
            actor=world.community, incubation=incubation, action=IncubationAction.WITHDRAW, on=TODAY, at=NOW
        )
        with pytest.raises(StaleState):
            services.incubation_move(
                actor=world.community,
                incubation=stale,
                action=IncubationAction.MENTOR,
                on=TODAY,
                mentor="王老师",
                at=NOW,
            )
        with pytest.raises(StaleState):
            services.incubation_move(
                actor=world.community,
                incubation=incubation,
                action=IncubationAction.WITHDRAW,
                on=TODAY,
                expected_version=1,
                at=NOW,
            )

    def test_mentoring_needs_a_mentor_and_dates_in_order(self, world: World) -> None:
        incubation = self.enter(world, make_organisation(world.community, world.tree.community))
        with pytest.raises(ValidationError) as bad:
            services.incubation_move(
                actor=world.community,
                incubation=incubation,
                action=IncubationAction.MENTOR,
                on=date(2025, 12, 1),
                at=NOW,
            )
        assert field_errors(bad) == {"mentor", "on"}

    def test_one_open_incubation_per_organisation(self, world: World) -> None:
        org = make_organisation(world.community, world.tree.community)
        first = self.enter(world, org)
        with pytest.raises(ValidationError) as again:
            self.enter(world, org)
        assert field_errors(again) == {"base"}
        with pytest.raises(IntegrityError), transaction.atomic():
            Incubation.objects.create(
                organisation=org, base=world.base, state=IncubationState.MENTORING, entered_on=TODAY
            )
        services.incubation_move(
            actor=world.community, incubation=first, action=IncubationAction.WITHDRAW, on=TODAY, at=NOW
        )
        assert self.enter(world, org).state == IncubationState.ENTERED

    def test_a_base_serves_only_the_organisations_below_it(self, world: World) -> None:
        other_street = services.base_create(
            actor=world.district,
            values=services.BaseInput(name="临川街道孵化基地", place=world.tree.street2, address="临川路1号"),
        )
        org = make_organisation(world.community, world.tree.community)
        with pytest.raises(ValidationError) as bad:
            services.incubation_enter(
                actor=world.community, organisation=org, base=other_street, entered_on=TODAY, at=NOW
            )
        assert field_errors(bad) == {"base"}

    def test_dissolving_withdraws_the_open_incubation(self, world: World) -> None:
        org = make_organisation(world.community, world.tree.community)
        incubation = self.enter(world, org)
        services.organisation_dissolve(
            actor=world.community, organisation=org, dissolved_on=date(2026, 2, 1), reason="解散", at=NOW
        )
        incubation.refresh_from_db()
        assert (incubation.state, incubation.ended_on) == (IncubationState.WITHDRAWN, date(2026, 2, 1))

    def test_the_history_is_append_only(self, world: World) -> None:
        incubation = self.enter(world, make_organisation(world.community, world.tree.community))
        with pytest.raises(Exception), transaction.atomic():  # noqa: B017, PT011 — the trigger's error differs by vendor
            IncubationEvent.objects.filter(subject=incubation).update(note="rewritten")


class TestBases:
    def test_a_base_belongs_to_a_street_district_or_city_the_actor_manages(self, world: World) -> None:
        with pytest.raises(ValidationError) as community:
            services.base_create(
                actor=world.community,
                values=services.BaseInput(name="社区基地", place=world.tree.community, address="春晖路"),
            )
        assert field_errors(community) == {"place"}
        with pytest.raises(ValidationError) as taken:
            services.base_create(
                actor=world.street,
                values=services.BaseInput(name=world.base.name, place=world.tree.street, address="望江路"),
            )
        assert field_errors(taken) == {"name"}
        with pytest.raises(PermissionDenied):
            services.base_update(
                actor=world.community,
                base=world.base,
                values=services.BaseInput(name="x", place=world.tree.street, address="y"),
            )
