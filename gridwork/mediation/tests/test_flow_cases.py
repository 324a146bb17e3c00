"""The case flow (registered → assigned → mediating → concluded → closed; referred and back), its events, the
outcome a closed case needs (the flow and the database), stale pages, numbering, registering's checks."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gridwork.common.flows import MoveRefused, StaleState
from gridwork.mediation.flows import CASE_FLOW, CaseAction, case_target
from gridwork.mediation.models import (
    Assignment,
    AssignmentEnd,
    CaseEvent,
    CaseSource,
    CaseState,
    DisputeCase,
    DisputeType,
    Outcome,
    PartyRole,
    ReferralResult,
)
from gridwork.mediation.services.cases import PartyInput, case_close, case_conclude, case_move, session_record
from gridwork.mediation.tests.factories import (
    CaseWorld,
    assigned_case,
    case_world,
    concluded_case,
    fresh,
    mediating_case,
    register_case,
    two_parties,
)
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> CaseWorld:
    return case_world(tree)


def actions(case: DisputeCase) -> list[str]:
    return list(CaseEvent.objects.filter(subject=case).order_by("sequence").values_list("action", flat=True))


def test_the_table_says_where_each_move_goes() -> None:
    assert case_target(CaseState.REGISTERED, CaseAction.ASSIGN) == CaseState.ASSIGNED
    assert case_target(CaseState.MEDIATING, CaseAction.REASSIGN) == CaseState.MEDIATING
    assert case_target(CaseState.ASSIGNED, CaseAction.REASSIGN) == CaseState.ASSIGNED
    assert case_target(CaseState.MEDIATING, CaseAction.RECUSE) == CaseState.REGISTERED
    assert case_target(CaseState.CLOSED, CaseAction.FOLLOW_UP) == CaseState.CLOSED
    assert case_target(CaseState.CONCLUDED, CaseAction.FOLLOW_UP) == CaseState.CONCLUDED
    assert case_target(CaseState.REFERRED, CaseAction.REFERRAL_RESULT, {"result": "settled"}) == CaseState.CLOSED
    assert case_target(CaseState.REFERRED, CaseAction.REFERRAL_RESULT, {"result": "refused"}) == CaseState.REGISTERED
    for state, action in [
        (CaseState.REGISTERED, CaseAction.HOLD_SESSION),
        (CaseState.REGISTERED, CaseAction.CONCLUDE),
        (CaseState.ASSIGNED, CaseAction.CONCLUDE),
        (CaseState.MEDIATING, CaseAction.CLOSE),
        (CaseState.REGISTERED, CaseAction.CLOSE),
        (CaseState.CLOSED, CaseAction.REFER),
        (CaseState.REFERRED, CaseAction.REFER),
        (CaseState.REGISTERED, CaseAction.FOLLOW_UP),
    ]:
        with pytest.raises(MoveRefused):
            case_target(state, action)
    assert set(CASE_FLOW.allowed(CaseState.CONCLUDED)) == {
        CaseAction.REFER,
        CaseAction.CLOSE,
        CaseAction.FOLLOW_UP,
        CaseAction.EDIT,
    }


def test_the_whole_way_with_its_events(world: CaseWorld) -> None:
    case = concluded_case(world, outcome=Outcome.WITHDRAWN)
    assert case.state == CaseState.CONCLUDED
    assert case.outcome == Outcome.WITHDRAWN
    assert case.concluded_at is not None
    case = case_close(actor=world.staff, case=fresh(case), expected_version=case.version)
    case = fresh(case)
    assert case.state == CaseState.CLOSED
    assert case.closed_at is not None
    assert actions(case) == ["create", "assign", "hold_session", "conclude", "close"]
    assert case.version == 5
    assignment = Assignment.objects.get(case=case)
    assert assignment.end == AssignmentEnd.FINISHED
    assert assignment.ended_at is not None
    event = CaseEvent.objects.get(subject=case, action="conclude")
    assert event.actor == world.staff
    assert event.from_state == CaseState.MEDIATING
    assert event.data == {"outcome": "withdrawn"}


def test_a_case_cannot_close_without_an_outcome_flow(world: CaseWorld) -> None:
    case = mediating_case(world)
    with pytest.raises(MoveRefused):
        case_close(actor=world.staff, case=case, expected_version=case.version)
    with pytest.raises(MoveRefused):
        case_move(actor=world.staff, case=case, action=CaseAction.CLOSE, expected_version=case.version)
    assert fresh(case).state == CaseState.MEDIATING


def test_a_case_cannot_close_without_an_outcome_database(world: CaseWorld) -> None:
    case = mediating_case(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        DisputeCase.objects.filter(pk=case.pk).update(state=CaseState.CLOSED)
    with pytest.raises(IntegrityError), transaction.atomic():
        DisputeCase.objects.filter(pk=case.pk).update(state=CaseState.CONCLUDED)
    # referred cases close with the receiving body's result instead
    DisputeCase.objects.filter(pk=case.pk).update(state=CaseState.CLOSED, referred=True)


def test_failed_needs_a_note_and_agreement_needs_an_agreement(world: CaseWorld) -> None:
    case = mediating_case(world)
    with pytest.raises(ValidationError) as error:
        case_conclude(actor=world.staff, case=case, outcome=Outcome.FAILED, note=" ", expected_version=case.version)
    assert "note" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        case_conclude(actor=world.staff, case=case, outcome=Outcome.AGREEMENT, note="", expected_version=case.version)
    assert "outcome" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        case_conclude(actor=world.staff, case=case, outcome="nonsense", note="x", expected_version=case.version)
    assert "outcome" in error.value.message_dict
    assert fresh(case).state == CaseState.MEDIATING
    assert fresh(case).outcome == ""


def test_a_stale_version_is_refused_and_nothing_is_saved(world: CaseWorld) -> None:
    case = assigned_case(world)
    stale = case.version - 1
    with pytest.raises(StaleState):
        session_record(
            actor=world.staff,
            case=case,
            held_at=timezone.now(),
            location="调解室",
            participants="双方",
            notes="x",
            expected_version=stale,
        )
    assert fresh(case).state == CaseState.ASSIGNED
    assert not fresh(case).sessions.exists()
    # a copy read before someone else moved the case loses the compare-and-set
    old_copy = fresh(case)
    session_record(
        actor=world.staff,
        case=case,
        held_at=timezone.now(),
        location="调解室",
        participants="双方",
        notes="x",
        expected_version=case.version,
    )
    with pytest.raises(StaleState):
        session_record(
            actor=world.staff,
            case=old_copy,
            held_at=timezone.now(),
            location="调解室",
            participants="双方",
            notes="again",
            expected_version=old_copy.version,
        )
    assert fresh(case).sessions.count() == 1
    # a page showing an older version is stale, whichever move it asks for
    with pytest.raises(StaleState):
        case_conclude(actor=world.staff, case=fresh(case), outcome=Outcome.FAILED, note="x", expected_version=stale)


def test_referral_moves_and_its_result(world: CaseWorld) -> None:
    case = concluded_case(world)
    case = case_move(actor=world.staff, case=case, action=CaseAction.REFER, expected_version=case.version, note="起诉")
    assert fresh(case).state == CaseState.REFERRED
    assert fresh(case).referred
    case = case_move(
        actor=world.staff,
        case=fresh(case),
        action=CaseAction.REFERRAL_RESULT,
        expected_version=case.version,
        data={"result": ReferralResult.SETTLED},
    )
    case = fresh(case)
    assert case.state == CaseState.CLOSED
    assert case.closed_at is not None
    case = case_move(actor=world.staff, case=case, action=CaseAction.FOLLOW_UP, expected_version=case.version)
    assert fresh(case).state == CaseState.CLOSED
    assert actions(case)[-3:] == ["refer", "referral_result", "follow_up"]


def test_a_refused_referral_gives_the_case_back_to_the_community(world: CaseWorld) -> None:
    case = mediating_case(world)
    case = case_move(actor=world.staff, case=case, action=CaseAction.REFER, expected_version=case.version)
    case = case_move(
        actor=world.staff,
        case=case,
        action=CaseAction.REFERRAL_RESULT,
        expected_version=case.version,
        data={"result": ReferralResult.REFUSED},
    )
    case = fresh(case)
    assert case.state == CaseState.REGISTERED
    assert case.mediator is None
    assert case.referred
    assert not Assignment.objects.filter(case=case, ended_at__isnull=True).exists()
    # the community may assign again
    from gridwork.mediation.services.cases import mediator_assign

    mediator_assign(actor=world.staff, case=case, mediator=world.lawyer, expected_version=case.version)
    assert fresh(case).state == CaseState.ASSIGNED


def test_case_move_refuses_the_moves_with_their_own_service(world: CaseWorld) -> None:
    case = register_case(world)
    with pytest.raises(ValueError, match="does not make the move"):
        case_move(actor=world.staff, case=case, action=CaseAction.ASSIGN, expected_version=case.version)


def test_moves_need_manage_disputes_over_the_case(world: CaseWorld) -> None:
    case = mediating_case(world)
    for outsider in (world.staff2, world.street2_staff, world.grid_worker):
        with pytest.raises(PermissionDenied):
            case_conclude(actor=outsider, case=case, outcome=Outcome.FAILED, note="x", expected_version=case.version)
        with pytest.raises(PermissionDenied):
            case_move(actor=outsider, case=case, action=CaseAction.REFER, expected_version=case.version)
    # the street and the district above may act
    case_conclude(actor=world.street_staff, case=case, outcome=Outcome.FAILED, note="x", expected_version=case.version)


def test_numbers_run_per_year_without_gaps(world: CaseWorld) -> None:
    first = register_case(world, at=timezone.make_aware(datetime(2025, 12, 31, 12)))
    second = register_case(world, at=timezone.make_aware(datetime(2026, 1, 2, 9)))
    third = register_case(world, at=timezone.make_aware(datetime(2026, 1, 3, 9)))
    assert [first.number, second.number, third.number] == ["调-2025-000001", "调-2026-000001", "调-2026-000002"]


def test_registering_checks_what_was_typed(world: CaseWorld) -> None:
    with pytest.raises(ValidationError) as error:
        register_case(world, title="", facts="", dispute_type="x", parties=[])
    assert {"title", "facts", "dispute_type", "parties"} <= set(error.value.message_dict)
    one_side = [PartyInput(PartyRole.APPLICANT, "王建国")]
    with pytest.raises(ValidationError) as error:
        register_case(world, parties=one_side)
    assert "two sides" in str(error.value.message_dict["parties"])
    bad_phone = [PartyInput(PartyRole.APPLICANT, "王建国", phone="abc"), PartyInput(PartyRole.RESPONDENT, "李秀英")]
    with pytest.raises(ValidationError) as error:
        register_case(world, parties=bad_phone)
    assert "Party 1" in str(error.value.message_dict["parties"])
    # "other" disputes may have one party
    case = register_case(world, dispute_type=DisputeType.OTHER, parties=one_side)
    assert case.parties.count() == 1
    assert not DisputeCase.objects.filter(title="").exists()


def test_registering_places_the_case_in_its_grid_and_community(world: CaseWorld) -> None:
    case = register_case(world, place=world.tree.household)
    assert case.place == world.tree.grid
    assert case.community == world.tree.community
    case = register_case(world, place=world.tree.community)
    assert case.place == world.tree.community
    assert case.community == world.tree.community
    with pytest.raises(ValidationError) as error:
        register_case(world, actor=world.street_staff, place=world.tree.street)
    assert "place" in error.value.message_dict


def test_registering_is_refused_out_of_scope_and_to_grid_workers(world: CaseWorld) -> None:
    with pytest.raises(PermissionDenied):
        register_case(world, actor=world.grid_worker)
    with pytest.raises(PermissionDenied):
        register_case(world, actor=world.staff2)
    with pytest.raises(PermissionDenied):
        register_case(world, actor=world.street2_staff)
    assert not DisputeCase.objects.exists()
    assert register_case(world, actor=world.city_staff).source == CaseSource.STAFF


def test_register_from_a_screening_entry_marks_it_registered_once(world: CaseWorld) -> None:
    from gridwork.screening.models import EntryStatus, RiskEntry, Screening

    screening = Screening.objects.create(
        grid=world.tree.grid,
        month=timezone.localdate().replace(day=1),
        screened_on=timezone.localdate(),
        households_visited=30,
        screened_by=world.grid_worker,
    )
    entry = RiskEntry.objects.create(
        screening=screening,
        dispute_type=DisputeType.NEIGHBOUR,
        summary="楼上漏水",
        parties="王、李",
        location="1号楼",
        found_on=timezone.localdate(),
        recorded_by=world.grid_worker,
    )
    case = register_case(world, place=None, risk_entry=entry, source=CaseSource.SCREENING)
    assert case.place == world.tree.grid
    assert case.risk_entry == entry
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REGISTERED
    with pytest.raises(ValidationError):
        register_case(world, place=None, risk_entry=entry, source=CaseSource.SCREENING)
    assert DisputeCase.objects.count() == 1


def test_the_events_cannot_be_changed(world: CaseWorld) -> None:
    case = register_case(world)
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017, PT011 — the trigger's error differs per database
        CaseEvent.objects.filter(subject=case).update(note="rewritten")


def test_a_session_in_the_future_is_refused(world: CaseWorld) -> None:
    case = assigned_case(world)
    with pytest.raises(ValidationError) as error:
        session_record(
            actor=world.staff,
            case=case,
            held_at=timezone.now() + timedelta(days=1),
            location="调解室",
            participants="双方",
            notes="x",
            expected_version=case.version,
        )
    assert "held_at" in error.value.message_dict


def test_two_parties_helper_gives_both_sides() -> None:
    assert {p.role for p in two_parties()} == {PartyRole.APPLICANT, PartyRole.RESPONDENT}
