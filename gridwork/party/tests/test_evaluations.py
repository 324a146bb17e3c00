"""The dual evaluation (双评价) services: who may grade and send, grading again before sending replaces (audited) and
after sending is refused, stale pages, field errors, and the snapshot of the record kept with a grade."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.audit.models import AuditEvent
from gridwork.common.flows import StaleState
from gridwork.party.evaluations import EvaluationFinal, evaluations_send, member_evaluate
from gridwork.party.models import EvaluationGrade, MemberEvaluation, MemberRegistration
from gridwork.party.periods import Period, PeriodKind
from gridwork.party.tests.factories import World, at, confirmed, done_order, make_world, registered_since
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db

H2 = Period(PeriodKind.HALF, 2025, 2)
YEAR = Period(PeriodKind.YEAR, 2025)


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


@pytest.fixture
def member(world: World) -> MemberRegistration:
    registration = registered_since(confirmed(world), at("2025-01-02 09:00"))
    done_order(registration, completed_at=at("2025-08-01 10:00"), hours="2", rating=5)
    return registration


def _member2(world: World) -> MemberRegistration:
    registration = confirmed(
        world,
        user=make_resident_user(phone="13900002222"),
        name="王五",
        phone="13900002222",
        community=world.tree.community2,
        building=world.building2,
    )
    return registered_since(registration, at("2025-01-02 09:00"))


def _grade(world: World, member: MemberRegistration, **values: object) -> MemberEvaluation:
    fields: dict[str, object] = {
        "actor": world.staff,
        "registration": member,
        "period": H2,
        "grade": EvaluationGrade.EXCELLENT,
        "comment": "积极参加社区志愿服务。",
    }
    fields.update(values)
    return member_evaluate(**fields)  # type: ignore[arg-type]


def test_the_community_grades_a_member_with_a_snapshot_of_the_record(world: World, member: MemberRegistration) -> None:
    evaluation = _grade(world, member)
    assert (evaluation.period_kind, evaluation.period_year, evaluation.period_number) == ("half", 2025, 2)
    assert (evaluation.grade, evaluation.version, evaluation.sent_at) == ("excellent", 1, None)
    assert evaluation.evaluated_by == world.staff
    assert evaluation.figures["services"] == 1
    assert evaluation.figures["hours"] == "2.00"
    assert evaluation.figures["rating_average"] == "5.0"
    assert AuditEvent.objects.filter(action="member_evaluation.create", object_id=str(evaluation.pk)).count() == 1
    # The snapshot is the record when graded: later service changes the live record, not the grade's figures.
    done_order(member, completed_at=at("2025-09-01 10:00"))
    assert MemberEvaluation.objects.get(pk=evaluation.pk).figures["services"] == 1
    # Street staff above the community may grade too (MANAGE_PARTY over it).
    assert _grade(world, member, actor=world.street_staff, period=YEAR).evaluated_by == world.street_staff


def test_another_communitys_staff_and_a_grid_worker_may_not_grade(world: World, member: MemberRegistration) -> None:
    grid_worker = make_staff(role=Role.GRID_WORKER, place=world.tree.grid, username="grid")
    for actor in (world.staff2, grid_worker):
        with pytest.raises(PermissionDenied):
            _grade(world, member, actor=actor)
    with pytest.raises(PermissionDenied):
        _grade(world, member, actor=make_resident_user(phone="13700001111"))
    assert not MemberEvaluation.objects.exists()


def test_grading_again_before_sending_replaces_the_evaluation_audited(world: World, member: MemberRegistration) -> None:
    first = _grade(world, member, expected_version=0)
    second = _grade(
        world, member, grade=EvaluationGrade.BASICALLY_COMPETENT, comment="服务次数偏少。", expected_version=1
    )
    assert second.pk == first.pk
    assert (second.grade, second.comment, second.version) == ("basically_competent", "服务次数偏少。", 2)
    assert MemberEvaluation.objects.count() == 1
    replaced = AuditEvent.objects.get(action="member_evaluation.replace")
    assert replaced.detail["replaced"]["grade"] == "excellent"
    assert replaced.detail["replaced"]["version"] == 1


def test_a_stale_page_does_not_overwrite_someone_elses_grade(world: World, member: MemberRegistration) -> None:
    _grade(world, member, expected_version=0)
    with pytest.raises(StaleState):  # the page showed no evaluation; someone graded meanwhile
        _grade(world, member, grade=EvaluationGrade.COMPETENT, expected_version=0)
    _grade(world, member, grade=EvaluationGrade.COMPETENT, expected_version=1)
    with pytest.raises(StaleState):  # the page showed version 1; it is 2 now
        _grade(world, member, grade=EvaluationGrade.EXCELLENT, expected_version=1)
    assert MemberEvaluation.objects.get().grade == EvaluationGrade.COMPETENT


def test_once_sent_an_evaluation_is_final(world: World, member: MemberRegistration) -> None:
    evaluation = _grade(world, member)
    assert evaluations_send(actor=world.staff, community=world.tree.community, period=H2) == 1
    evaluation.refresh_from_db()
    assert evaluation.sent_at is not None
    assert evaluation.sent_by == world.staff
    with pytest.raises(EvaluationFinal):
        _grade(world, member, grade=EvaluationGrade.NOT_COMPETENT, comment="改一下")
    with pytest.raises(EvaluationFinal):
        _grade(world, member, actor=world.street_staff, grade=EvaluationGrade.COMPETENT, expected_version=None)
    assert MemberEvaluation.objects.get().grade == EvaluationGrade.EXCELLENT
    assert not AuditEvent.objects.filter(action="member_evaluation.replace").exists()
    send = AuditEvent.objects.get(action="member_evaluation.send")
    assert send.detail == {
        "community": world.tree.community.code,
        "period": "2025-H2",
        "sent": 1,
        "evaluations": [evaluation.pk],
    }


def test_sending_sends_only_the_communitys_unsent_evaluations_of_the_period(
    world: World, member: MemberRegistration
) -> None:
    ours = _grade(world, member)
    ours_year = _grade(world, member, period=YEAR)
    theirs = member_evaluate(
        actor=world.staff2, registration=_member2(world), period=H2, grade=EvaluationGrade.COMPETENT, comment=""
    )
    with pytest.raises(PermissionDenied):
        evaluations_send(actor=world.staff2, community=world.tree.community, period=H2)
    assert evaluations_send(actor=world.staff, community=world.tree.community, period=H2) == 1
    sent = dict(MemberEvaluation.objects.values_list("pk", "sent_at"))
    assert sent[ours.pk] is not None
    assert sent[ours_year.pk] is None
    assert sent[theirs.pk] is None
    with pytest.raises(ValidationError) as nothing:
        evaluations_send(actor=world.staff, community=world.tree.community, period=H2)
    assert "2025" in nothing.value.messages[0]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"grade": ""}, "grade"),
        ({"grade": "brilliant"}, "grade"),
        ({"grade": EvaluationGrade.NOT_COMPETENT, "comment": ""}, "comment"),
        ({"grade": EvaluationGrade.BASICALLY_COMPETENT, "comment": "  "}, "comment"),
        ({"comment": "很" * 1001}, "comment"),
        ({"period": Period(PeriodKind.QUARTER, 2025, 3)}, "period"),
        ({"period": Period(PeriodKind.YEAR, 2099)}, "period"),
        ({"period": Period(PeriodKind.HALF, 2024, 2)}, "period"),  # before the member registered
    ],
)
def test_what_is_wrong_is_said_field_by_field_and_nothing_is_saved(
    world: World, member: MemberRegistration, values: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        _grade(world, member, **values)
    assert field in refused.value.message_dict
    assert not MemberEvaluation.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="member_evaluation").exists()


def test_a_member_who_moved_away_is_still_graded_by_the_old_community_for_the_time_served(
    world: World, member: MemberRegistration
) -> None:
    confirmed(world, community=world.tree.community2, building=world.building2)  # the member moves now
    member.refresh_from_db()
    assert _grade(world, member, period=YEAR).registration == member
