"""The estates' services: estates with grids of their community only, one current committee per estate (in the
database too), status moves by compare-and-set with their history, members (a staff account only for a community
leader of the community), meetings and decisions, duty notices; everything refused outside the actor's units."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gridwork.audit.models import AuditEvent
from gridwork.common.flows import StaleState
from gridwork.estates import services
from gridwork.estates.models import Committee, CommitteeEvent, CommitteeStatus, Estate
from gridwork.estates.services import CommitteeInput, DecisionInput, EstateInput, MeetingInput
from gridwork.estates.tests.factories import World, committee, make_world, member
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def fields_of(error: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(error.value.message_dict)


class TestEstates:
    def test_create_with_grids_of_its_community(self, world: World) -> None:
        estate = services.estate_create(
            actor=world.community,
            values=EstateInput(name="新城", community=world.tree.community, grids=[world.tree.grid, world.tree.grid2]),
        )
        assert set(estate.grids.all()) == {world.tree.grid, world.tree.grid2}
        assert AuditEvent.objects.filter(action="estates.estate_create").count() == 1

    def test_a_grid_of_another_community_is_refused(self, world: World) -> None:
        other_grid = Place.objects.get(name="秋实社区第一网格")
        with pytest.raises(ValidationError) as error:
            services.estate_create(
                actor=world.community,
                values=EstateInput(name="新城", community=world.tree.community, grids=[other_grid]),
            )
        assert fields_of(error) == {"grids"}
        assert not Estate.objects.filter(name="新城").exists()

    def test_another_communitys_estate_is_refused(self, world: World) -> None:
        with pytest.raises(ValidationError) as error:
            services.estate_create(actor=world.community, values=EstateInput(name="x", community=world.tree.community2))
        assert fields_of(error) == {"community"}
        with pytest.raises(PermissionDenied):
            services.estate_update(
                actor=world.community,
                estate=world.estate2,
                values=EstateInput(name="y", community=world.tree.community2),
            )

    def test_duplicate_name_in_the_community(self, world: World) -> None:
        with pytest.raises(ValidationError) as error:
            services.estate_create(
                actor=world.street, values=EstateInput(name="锦绣花园", community=world.tree.community)
            )
        assert fields_of(error) == {"name"}


class TestCommittees:
    def test_next_election_defaults_to_the_term_end(self, world: World) -> None:
        made = committee(world.community, world.estate)
        assert made.state == CommitteeStatus.ACTIVE
        assert made.next_election_date == made.term_end
        later = committee(world.community, world.estate_b, next_election_date=date(2027, 3, 1))
        assert later.next_election_date == date(2027, 3, 1)

    def test_one_current_committee_per_estate(self, world: World) -> None:
        committee(world.community, world.estate, elected=False)
        with pytest.raises(ValidationError) as error:
            committee(world.community, world.estate)
        assert fields_of(error) == {"estate"}
        assert Committee.objects.filter(estate=world.estate).count() == 1

    def test_the_database_refuses_a_second_current_committee(self, world: World) -> None:
        committee(world.community, world.estate)
        with pytest.raises(IntegrityError), transaction.atomic():
            Committee.objects.create(estate=world.estate, state=CommitteeStatus.FORMING)

    def test_the_databases_refusal_becomes_the_same_field_error(
        self, world: World, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Two recording at once both pass the check; the database refuses the second, reported on ``estate``."""
        committee(world.community, world.estate)
        monkeypatch.setattr(services, "has_current_committee", lambda estate: False)
        with pytest.raises(ValidationError) as error:
            committee(world.street, world.estate, elected=False)
        assert fields_of(error) == {"estate"}
        assert Committee.objects.filter(estate=world.estate).count() == 1

    def test_after_the_term_ends_a_new_one_may_form(self, world: World) -> None:
        first = committee(world.community, world.estate)
        services.committee_move(actor=world.community, committee=first, action="end_term", expected_version=1)
        second = committee(world.community, world.estate, elected=False)
        assert second.state == CommitteeStatus.FORMING
        assert [e.action for e in CommitteeEvent.objects.filter(subject=first)] == ["create", "end_term"]

    def test_an_elected_committee_needs_its_term(self, world: World) -> None:
        with pytest.raises(ValidationError) as error:
            committee(world.community, world.estate, term_end=None)
        assert fields_of(error) == {"term_end"}
        with pytest.raises(ValidationError) as error:
            committee(world.community, world.estate, term_end=date(2023, 1, 1))
        assert fields_of(error) == {"term_end"}
        forming = committee(world.community, world.estate, elected=False, term_start=None, term_end=None)
        with pytest.raises(ValidationError) as error:
            services.committee_move(actor=world.community, committee=forming, action="activate", expected_version=1)
        assert fields_of(error) == {"action"}

    def test_moves_are_compare_and_set(self, world: World) -> None:
        made = committee(world.community, world.estate)
        stale = Committee.objects.get(pk=made.pk)
        services.committee_move(actor=world.community, committee=made, action="dissolve", expected_version=1)
        with pytest.raises(StaleState):
            services.committee_move(actor=world.street, committee=stale, action="end_term", expected_version=1)
        with pytest.raises(ValidationError) as error:
            services.committee_move(actor=world.community, committee=made, action="activate", expected_version=2)
        assert fields_of(error) == {"action"}
        assert Committee.objects.get(pk=made.pk).state == CommitteeStatus.DISSOLVED

    def test_outside_the_actors_units(self, world: World) -> None:
        with pytest.raises(PermissionDenied):
            committee(world.community2, world.estate)
        with pytest.raises(PermissionDenied):
            committee(world.grid, world.estate)

    def test_party_organisation_of_another_community_refused(self, world: World) -> None:
        from gridwork.party.models import PartyOrganisation

        elsewhere = PartyOrganisation.objects.create(
            code="P2", name="秋实社区党委", kind="community_committee", place=world.tree.community2
        )
        with pytest.raises(ValidationError) as error:
            committee(world.community, world.estate, party_organisation=elsewhere)
        assert fields_of(error) == {"party_organisation"}


class TestMembersMeetingsNotices:
    def test_a_staff_account_only_for_a_community_leader_of_the_community(self, world: World) -> None:
        made = committee(world.community, world.estate)
        leader = member(world.community, made, is_community_leader=True, staff_user=world.community)
        assert leader.staff_user == world.community
        assert leader.term_end == made.term_end
        with pytest.raises(ValidationError) as error:
            member(world.community, made, staff_user=world.community)
        assert fields_of(error) == {"staff_user"}
        with pytest.raises(ValidationError) as error:
            member(world.community, made, is_community_leader=True, staff_user=world.community2)
        assert fields_of(error) == {"staff_user"}
        with pytest.raises(ValidationError) as error:
            member(world.community, made, name=" ", phone="abc")
        assert fields_of(error) == {"name", "phone"}

    def test_leaving_once(self, world: World) -> None:
        made = committee(world.community, world.estate)
        seat = member(world.community, made)
        services.member_leave(actor=world.community, member=seat)
        with pytest.raises(StaleState):
            services.member_leave(actor=world.community, member=seat)

    def test_nothing_more_on_a_dissolved_committee(self, world: World) -> None:
        made = committee(world.community, world.estate)
        services.committee_move(actor=world.community, committee=made, action="dissolve", expected_version=1)
        with pytest.raises(ValidationError) as error:
            member(world.community, made)
        assert fields_of(error) == {"committee"}

    def test_meeting_with_decisions(self, world: World) -> None:
        made = committee(world.community, world.estate)
        meeting = services.meeting_record(
            actor=world.community,
            committee=made,
            values=MeetingInput(
                held_on=timezone.localdate(),
                topic="停车位划分",
                attendance=7,
                decisions=[DecisionInput(text="同意试行", votes_for=5, votes_against=1, votes_abstain=1)],
            ),
        )
        decision = meeting.decisions.get()
        assert decision.passed
        assert decision.votes_abstain == 1
        with pytest.raises(ValidationError) as error:
            services.meeting_record(
                actor=world.community,
                committee=made,
                values=MeetingInput(held_on=timezone.localdate() + timedelta(days=1), topic=""),
            )
        assert fields_of(error) == {"held_on", "topic"}

    def test_notice_and_withdrawal(self, world: World) -> None:
        made = committee(world.community, world.estate)
        notice = services.notice_publish(actor=world.community, committee=made, title="公示", body="本季度履职情况")
        services.notice_withdraw(actor=world.community, notice=notice)
        with pytest.raises(StaleState):
            services.notice_withdraw(actor=world.community, notice=notice)
        with pytest.raises(ValidationError) as error:
            services.notice_publish(actor=world.community, committee=made, title="", body="")
        assert fields_of(error) == {"title", "body"}

    def test_update_audits_the_fields(self, world: World) -> None:
        made = committee(world.community, world.estate)
        services.committee_update(
            actor=world.community,
            committee=made,
            values=CommitteeInput(term_start=made.term_start, term_end=made.term_end, party_liaison_name="李联络"),
        )
        event = AuditEvent.objects.get(action="estates.committee_update")
        assert event.detail == {"fields": ["party_liaison_name"]}
