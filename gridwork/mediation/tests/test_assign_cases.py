"""Mediators for a case: the platform's suggestions (type, place, load; full ones last; recused ones never), assigning
and replacing, a party's request for another mediator (reason required), and two assignments at once."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.tests.racing import race
from gridwork.mediation.models import (
    Assignment,
    AssignmentEnd,
    CaseEvent,
    CaseState,
    DisputeCase,
    DisputeType,
    MediatorKind,
)
from gridwork.mediation.services.cases import mediator_assign, mediator_recuse, mediator_suggestions
from gridwork.mediation.tests.factories import (
    CaseWorld,
    assigned_case,
    case_world,
    fresh,
    make_mediator,
    mediating_case,
    party,
    register_case,
)
from gridwork.places.tests.factories import CityTree


@pytest.fixture
def world(tree: CityTree) -> CaseWorld:
    return case_world(tree)


def names(case: DisputeCase) -> list[str]:
    return [s.mediator.name for s in mediator_suggestions(case)]


@pytest.mark.django_db
def test_suggestions_rank_by_type_then_place_then_load(world: CaseWorld) -> None:
    labour = make_mediator(
        world.tree.community, "劳动调解员", communities=(world.tree.community,), dispute_types=[DisputeType.LABOUR]
    )
    district_wide = make_mediator(world.tree.district, "区法律援助律师", kind=MediatorKind.LAWYER)
    case = register_case(world)  # a neighbour dispute in grid 1 of the community
    suggestions = mediator_suggestions(case, limit=None)
    assert [s.mediator for s in suggestions] == [world.mediator, world.lawyer, labour, district_wide]
    # the type named + the community + room (30 + 20 + 10), any type + the street (15 + 10 + 10), another type + the
    # community (0 + 20 + 10), any type + the district (15 + 5 + 10); equal scores: fewer open cases, then the name
    assert [s.score for s in suggestions] == [60, 35, 30, 30]
    assert "Serves this community" in suggestions[0].reasons
    assert any("Neighbour dispute" in reason for reason in suggestions[0].reasons)
    # not available, or serving another community: never suggested
    assert world.away_mediator not in [s.mediator for s in suggestions]
    assert world.far_mediator not in [s.mediator for s in suggestions]
    assert len(mediator_suggestions(case, limit=2)) == 2


@pytest.mark.django_db
def test_the_busier_mediator_ranks_lower_and_a_full_one_comes_last_marked(world: CaseWorld) -> None:
    second = make_mediator(
        world.tree.community, "调解员老孙", communities=(world.tree.community,), dispute_types=[DisputeType.NEIGHBOUR]
    )
    assigned_case(world, mediator=world.mediator)
    case = register_case(world)
    suggestions = mediator_suggestions(case)
    assert [s.mediator for s in suggestions[:2]] == [second, world.mediator]  # 1 of 5 open: 58 < 60
    assert suggestions[1].open_cases == 1
    world.mediator.max_open_cases = 1
    world.mediator.save()
    suggestions = mediator_suggestions(case)
    assert suggestions[-1].mediator == world.mediator
    assert suggestions[-1].full
    assert not suggestions[0].full
    assert any("Full" in reason for reason in suggestions[-1].reasons)


@pytest.mark.django_db
def test_assigning_opens_one_assignment_and_replacing_ends_the_old_one(world: CaseWorld) -> None:
    case = register_case(world)
    case = mediator_assign(
        actor=world.staff, case=case, mediator=world.mediator, expected_version=case.version, suggested=True
    )
    assert case.state == CaseState.ASSIGNED
    assert fresh(case).mediator == world.mediator
    assert Assignment.objects.get(case=case).suggested
    case = mediator_assign(actor=world.staff, case=fresh(case), mediator=world.lawyer, expected_version=case.version)
    assert fresh(case).state == CaseState.ASSIGNED
    assert fresh(case).mediator == world.lawyer
    old, new = Assignment.objects.filter(case=case).order_by("id")
    assert old.end == AssignmentEnd.REPLACED
    assert old.ended_at is not None
    assert new.ended_at is None
    assert list(CaseEvent.objects.filter(subject=case).values_list("action", flat=True)) == [
        "create",
        "assign",
        "reassign",
    ]
    # while mediating, replacing keeps the state
    case = mediating_case(world)
    case = mediator_assign(actor=world.staff, case=case, mediator=world.lawyer, expected_version=case.version)
    assert fresh(case).state == CaseState.MEDIATING


@pytest.mark.django_db
def test_assigning_refuses_a_mediator_who_cannot_take_the_case(world: CaseWorld) -> None:
    case = register_case(world)
    for mediator in (world.far_mediator, world.away_mediator):
        with pytest.raises(ValidationError) as error:
            mediator_assign(actor=world.staff, case=case, mediator=mediator, expected_version=case.version)
        assert "mediator" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        mediator_assign(actor=world.staff2, case=case, mediator=world.mediator, expected_version=case.version)
    with pytest.raises(PermissionDenied):
        mediator_assign(actor=world.grid_worker, case=case, mediator=world.mediator, expected_version=case.version)
    assert not Assignment.objects.filter(case=case).exists()
    assert fresh(case).state == CaseState.REGISTERED


@pytest.mark.django_db
def test_recusal_needs_a_reason_and_excludes_the_mediator(world: CaseWorld) -> None:
    case = assigned_case(world)
    respondent = party(case, "respondent")
    with pytest.raises(ValidationError) as error:
        mediator_recuse(actor=world.staff, case=case, party=respondent, reason="  ", expected_version=case.version)
    assert "reason" in error.value.message_dict
    assert fresh(case).state == CaseState.ASSIGNED
    other_case = register_case(world)
    with pytest.raises(ValidationError) as error:
        mediator_recuse(
            actor=world.staff, case=case, party=party(other_case), reason="亲属", expected_version=case.version
        )
    assert "party" in error.value.message_dict
    case = mediator_recuse(
        actor=world.staff, case=case, party=respondent, reason="调解员是申请人的亲戚", expected_version=case.version
    )
    case = fresh(case)
    assert case.state == CaseState.REGISTERED
    assert case.mediator is None
    assignment = Assignment.objects.get(case=case)
    assert assignment.end == AssignmentEnd.RECUSED
    assert assignment.end_reason == "调解员是申请人的亲戚"
    assert assignment.requested_by_party == respondent
    assert world.mediator not in [s.mediator for s in mediator_suggestions(case, limit=None)]
    # …still suggested for other cases
    assert world.mediator in [s.mediator for s in mediator_suggestions(other_case)]
    with pytest.raises(ValidationError) as error:
        mediator_assign(actor=world.staff, case=case, mediator=world.mediator, expected_version=case.version)
    assert "mediator" in error.value.message_dict
    mediator_assign(actor=world.staff, case=case, mediator=world.lawyer, expected_version=case.version)


@pytest.mark.django_db
def test_recusal_needs_a_mediator_on_the_case(world: CaseWorld) -> None:
    case = register_case(world)
    with pytest.raises(MoveRefused):
        mediator_recuse(actor=world.staff, case=case, party=party(case), reason="x", expected_version=case.version)


@pytest.mark.django_db
def test_the_database_refuses_a_recusal_without_a_reason_and_two_open_assignments(world: CaseWorld) -> None:
    case = assigned_case(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.filter(case=case).update(end=AssignmentEnd.RECUSED, ended_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(case=case, mediator=world.lawyer, assigned_by=world.staff, assigned_at=timezone.now())


@pytest.mark.django_db(transaction=True)
def test_two_assignments_at_once_one_wins(tree: CityTree) -> None:
    world = case_world(tree)
    case = register_case(world)
    mediators = [world.mediator, world.lawyer]
    actors = [world.staff, world.street_staff]

    def work(i: int, loaded: DisputeCase) -> DisputeCase:
        return mediator_assign(actor=actors[i], case=loaded, mediator=mediators[i], expected_version=loaded.version)

    outcomes = race(work, lambda i: fresh(case), threads=2)
    wins = [o for o in outcomes if isinstance(o, DisputeCase)]
    losses = [o for o in outcomes if isinstance(o, StaleState)]
    assert len(wins) == 1, outcomes
    assert len(losses) == 1, outcomes
    case = fresh(case)
    assert case.state == CaseState.ASSIGNED
    assert case.version == 2
    assert Assignment.objects.filter(case=case).count() == 1
    assert Assignment.objects.get(case=case).mediator == case.mediator
    assert CaseEvent.objects.filter(subject=case, action="assign").count() == 1


@pytest.mark.django_db(transaction=True)
def test_registrations_at_once_get_consecutive_numbers(tree: CityTree) -> None:
    world = case_world(tree)
    actors = [world.staff, world.street_staff, world.district_staff]
    outcomes = race(lambda i, _: register_case(world, actor=actors[i]), threads=3)
    assert all(isinstance(o, DisputeCase) for o in outcomes), outcomes
    year = timezone.localtime().year
    assert sorted(DisputeCase.objects.values_list("number", flat=True)) == [
        f"调-{year}-000001",
        f"调-{year}-000002",
        f"调-{year}-000003",
    ]
