"""Real threads, each with its own connection, racing on committed data: two staff confirming one registration, a
member sending the same registration from several tabs at once, a move confirmed while the member withdraws the old
registration, two staff grading one member at once, a grade changed while the community sends. Passes on SQLite and
PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from gridwork.accounts.models import User
from gridwork.audit.models import AuditEvent
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.tests.racing import race
from gridwork.party.evaluations import EvaluationFinal, evaluations_send, member_evaluate
from gridwork.party.models import (
    EvaluationGrade,
    MemberEvaluation,
    MemberRegistration,
    RegistrationEvent,
    RegistrationState,
)
from gridwork.party.periods import Period, PeriodKind
from gridwork.party.registrations import registration_confirm, registration_withdraw
from gridwork.party.tests.factories import World, at, confirmed, make_world, registered_since, submit
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 6


def _fresh(user: User) -> User:
    fresh = User.objects.get(pk=user.pk)
    fresh.active_posts  # noqa: B018  (read the posts now, on this thread's connection)
    return fresh


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def test_two_staff_confirming_at_once_one_wins(world: World) -> None:
    registration = submit(world)

    def confirm(i: int, _prepared: None) -> Any:
        actor = _fresh(world.staff if i % 2 else world.street_staff)
        mine = MemberRegistration.objects.get(pk=registration.pk)
        return registration_confirm(actor=actor, registration=mine, expected_version=1)

    outcomes = race(confirm, threads=THREADS)
    assert sum(isinstance(o, MemberRegistration) for o in outcomes) == 1
    assert all(isinstance(o, StaleState) for o in outcomes if not isinstance(o, MemberRegistration))
    stored = MemberRegistration.objects.get(pk=registration.pk)
    assert (stored.state, stored.version) == (RegistrationState.CONFIRMED, 2)
    assert list(RegistrationEvent.objects.filter(subject=stored).values_list("sequence", flat=True)) == [1, 2]


def test_one_registration_from_several_tabs_at_once(world: World) -> None:
    def send(i: int, _prepared: None) -> Any:
        return submit(world, user=_fresh(world.member))

    outcomes = race(send, threads=THREADS)
    assert sum(isinstance(o, MemberRegistration) for o in outcomes) == 1
    assert all(isinstance(o, ValidationError) for o in outcomes if not isinstance(o, MemberRegistration))
    assert MemberRegistration.objects.filter(user=world.member).count() == 1


def test_a_move_confirmed_while_the_member_withdraws_the_old_registration_stays_consistent(world: World) -> None:
    old = confirmed(world)
    move = submit(world, community=world.tree.community2, building=world.building2)

    def act(i: int, _prepared: None) -> Any:
        if i == 0:
            mine = MemberRegistration.objects.get(pk=old.pk)
            return registration_withdraw(actor=_fresh(world.member), registration=mine)
        mine = MemberRegistration.objects.get(pk=move.pk)
        return registration_confirm(actor=_fresh(world.staff2), registration=mine, expected_version=1)

    outcomes = race(act, threads=2)
    old.refresh_from_db()
    move.refresh_from_db()
    # A withdrawal that read the old registration before the move ended it loses the compare-and-set (stale); one
    # that read it after finds it moved already, where withdrawing is not a move the table allows.
    told = (StaleState, MoveRefused) if old.state == RegistrationState.TRANSFERRED else (StaleState,)
    assert not [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, told)]
    assert MemberRegistration.objects.filter(user=world.member, state=RegistrationState.CONFIRMED).count() <= 1
    if old.state == RegistrationState.TRANSFERRED:
        assert move.state == RegistrationState.CONFIRMED  # the confirmation came first; the withdrawal was stale
    else:
        assert old.state == RegistrationState.WITHDRAWN
        assert move.state in (RegistrationState.PENDING, RegistrationState.CONFIRMED)
    for registration in (old, move):
        sequences = list(RegistrationEvent.objects.filter(subject=registration).values_list("sequence", flat=True))
        assert sequences == list(range(1, registration.version + 1))


def test_two_staff_grading_one_member_at_once_one_wins_the_rest_are_told_the_page_is_stale(world: World) -> None:
    member = registered_since(confirmed(world), at("2025-01-02 09:00"))
    period = Period(PeriodKind.HALF, 2025, 2)

    def grade(i: int, _prepared: None) -> Any:
        actor = _fresh(world.staff if i % 2 else world.street_staff)
        mine = MemberRegistration.objects.get(pk=member.pk)
        return member_evaluate(
            actor=actor,
            registration=mine,
            period=period,
            grade=EvaluationGrade.EXCELLENT,
            comment=f"{i}",
            expected_version=0,
        )

    outcomes = race(grade, threads=THREADS)
    assert sum(isinstance(o, MemberEvaluation) for o in outcomes) == 1
    assert all(isinstance(o, StaleState) for o in outcomes if not isinstance(o, MemberEvaluation))
    assert MemberEvaluation.objects.count() == 1
    assert AuditEvent.objects.filter(action="member_evaluation.create").count() == 1


def test_grading_again_while_the_community_sends_is_either_sent_or_refused(world: World) -> None:
    member = registered_since(confirmed(world), at("2025-01-02 09:00"))
    period = Period(PeriodKind.HALF, 2025, 2)
    member_evaluate(actor=world.staff, registration=member, period=period, grade=EvaluationGrade.COMPETENT, comment="")

    def act(i: int, _prepared: None) -> Any:
        if i == 0:
            return evaluations_send(actor=_fresh(world.staff), community=world.tree.community, period=period)
        mine = MemberRegistration.objects.get(pk=member.pk)
        return member_evaluate(
            actor=_fresh(world.street_staff),
            registration=mine,
            period=period,
            grade=EvaluationGrade.EXCELLENT,
            comment="",
            expected_version=1,
        )

    outcomes = race(act, threads=2)
    assert outcomes[0] == 1
    stored = MemberEvaluation.objects.get()
    assert stored.sent_at is not None
    if isinstance(outcomes[1], MemberEvaluation):  # the grade came first, and what was sent is the new grade
        assert (stored.grade, stored.version) == (EvaluationGrade.EXCELLENT, 2)
    else:  # the sending came first: the evaluation sent is final, unchanged
        assert isinstance(outcomes[1], EvaluationFinal | StaleState)
        assert (stored.grade, stored.version) == (EvaluationGrade.COMPETENT, 1)
