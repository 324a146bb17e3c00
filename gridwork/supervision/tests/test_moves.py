"""The supervision moves through the service, as the right and the wrong users, on a fixed clock:
督办 orders, 催办, 吹哨报到, and the three levels and the centre's stages of a hard matter."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from gridwork.accounts.models import User
from gridwork.accounts.roles import Perm, Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.matters.models import Matter, MatterAssignment
from gridwork.matters.services import ConcurrentChange, MatterNotFound, NotAllowed, snapshot_of
from gridwork.matters.tests.factories import LoopStaff, make_loop_staff
from gridwork.matters.workflow import Action, HardStage, MatterKind, MatterState, TransitionRefused, replay
from gridwork.places.models import Department
from gridwork.places.tests.factories import CityTree
from gridwork.supervision.models import JointMeeting, UnitTask, Whistle
from gridwork.supervision.tests.factories import (
    T0,
    at,
    filed,
    fresh,
    handler_of,
    led_by_the_community,
    make_departments,
    make_district_centre,
    move,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(tree: CityTree) -> LoopStaff:
    return make_loop_staff(tree)


@pytest.fixture
def departments(tree: CityTree) -> list[Department]:
    return make_departments(tree, 3)


def led_by_the_street(tree: CityTree, staff: LoopStaff, **options: Any) -> Matter:
    kind = options.pop("kind", MatterKind.PROFESSIONAL)
    matter = filed(tree, now=T0 - timedelta(minutes=30), kind=kind, **options)
    move(staff.dispatcher, matter, Action.DISPATCH, {"kind": kind, "lead_place_id": tree.street.pk}, now=T0)
    return move(staff.dispatcher, matter, Action.ACCEPT, now=T0 + timedelta(minutes=10))


def assert_replays(matter: Matter) -> None:
    matter = fresh(matter)
    events = [(e.action, e.data) for e in matter.events.order_by("sequence")]
    assert replay(events) == snapshot_of(matter)


def field_errors(error: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(error.value.message_dict)


# -- 督办: the supervision order -------------------------------------------------------------------------------


def test_a_street_orders_its_community_and_the_community_must_answer_before_replying(
    tree: CityTree, staff: LoopStaff
) -> None:
    matter = led_by_the_community(tree, staff)
    ordered = at("2026-10-14 17:00")
    when = T0 + timedelta(hours=1)
    matter = move(
        staff.dispatcher, matter, Action.SUPERVISE, {"due_at": ordered.isoformat()}, note="请两日内答复", now=when
    )
    assert matter.supervision_open
    assert matter.supervision_count == 1
    assert matter.due_at == ordered
    assert matter.due_stage == "reply"
    assert when < matter.warn_at < ordered
    event = matter.events.get(action=Action.SUPERVISE)
    assert (event.note, event.actor, event.actor_role) == ("请两日内答复", staff.dispatcher, Role.STREET_STAFF)

    with pytest.raises(TransitionRefused) as refused:
        move(staff.community, matter, Action.REPLY, {"text": "已处理完毕"}, now=when + timedelta(hours=1))
    assert refused.value.code == "supervision_open"
    assert fresh(matter).state == MatterState.IN_PROGRESS

    with pytest.raises(ValidationError) as error:  # an answer says something
        move(staff.community, matter, Action.ANSWER_SUPERVISION, now=when + timedelta(hours=1))
    assert "note" in field_errors(error)
    with pytest.raises(NotAllowed):  # only the lead unit answers
        move(staff.dispatcher, matter, Action.ANSWER_SUPERVISION, note="代答", now=when + timedelta(hours=1))
    matter = move(staff.community, matter, Action.ANSWER_SUPERVISION, note="已安排人员", now=when + timedelta(hours=2))
    assert not matter.supervision_open
    assert matter.due_at == ordered  # answering keeps the ordered deadline
    with pytest.raises(TransitionRefused) as refused:  # nothing left to answer
        move(staff.community, matter, Action.ANSWER_SUPERVISION, note="再答", now=when + timedelta(hours=3))
    assert refused.value.code == "not_open"
    matter = move(staff.community, matter, Action.REPLY, {"text": "已处理完毕"}, now=when + timedelta(hours=3))
    assert matter.state == MatterState.REPLIED
    assert_replays(matter)


@pytest.mark.parametrize(
    ("data", "note", "field"),
    [
        ({"due_at": "2026-10-12 09:30"}, "请尽快", "due_at"),  # before the move's moment
        ({"due_at": "2026-10-12T10:00:00+08:00"}, "请尽快", "due_at"),  # exactly now
        ({"due_at": "2027-12-31 17:00"}, "请尽快", "due_at"),  # more than a year ahead
        ({"due_at": "not a date"}, "请尽快", "due_at"),
        ({}, "请尽快", "due_at"),
        ({"due_at": "2026-10-14 17:00"}, "   ", "note"),
    ],
)
def test_a_bad_order_names_the_field_and_changes_nothing(
    tree: CityTree, staff: LoopStaff, data: dict[str, str], note: str, field: str
) -> None:
    matter = led_by_the_community(tree, staff)
    with pytest.raises(ValidationError) as error:
        move(staff.dispatcher, matter, Action.SUPERVISE, data, note=note, now=at("2026-10-12 10:00"))
    assert field in field_errors(error)
    after = fresh(matter)
    assert (after.version, after.supervision_open, after.due_at) == (matter.version, False, matter.due_at)


def test_only_a_supervisor_over_the_matter_orders_or_urges(tree: CityTree, staff: LoopStaff) -> None:
    matter = led_by_the_community(tree, staff)
    data = {"due_at": "2026-10-14 17:00"}
    with pytest.raises(NotAllowed):  # the community itself: no matters.supervise
        move(staff.community, matter, Action.SUPERVISE, data, note="x", now=T0 + timedelta(hours=1))
    with pytest.raises(NotAllowed):
        move(staff.community, matter, Action.URGE, now=T0 + timedelta(hours=1))
    other_street = make_staff(role=Role.STREET_STAFF, place=tree.street2, username="otherstreet")
    with pytest.raises(MatterNotFound):  # another street does not even see it
        move(other_street, matter, Action.SUPERVISE, data, note="x", now=T0 + timedelta(hours=1))
    assert fresh(matter).version == matter.version


def test_a_unit_does_not_order_itself(tree: CityTree, staff: LoopStaff) -> None:
    matter = led_by_the_street(tree, staff)  # the street leads and supervises at once
    with pytest.raises(ValidationError) as error:
        move(staff.dispatcher, matter, Action.SUPERVISE, {"due_at": "2026-10-14 17:00"}, note="x", now=T0)
    assert "note" in field_errors(error)


def test_urging_counts(tree: CityTree, staff: LoopStaff) -> None:
    matter = led_by_the_community(tree, staff)
    district = make_staff(role=Role.DISTRICT_STAFF, place=tree.district, username="districtstaff")
    move(staff.dispatcher, matter, Action.URGE, note="请抓紧", now=T0 + timedelta(hours=1))
    matter = move(district, matter, Action.URGE, now=T0 + timedelta(hours=2))
    assert matter.urge_count == 2
    assert matter.urged_total == 2
    assert matter.due_at == at("2026-10-21 09:10")  # urging moves no deadline (7 working days from acceptance)
    assert_replays(matter)


# -- 吹哨报到 --------------------------------------------------------------------------------------------------


def whistle(actor: User, matter: Matter, departments: list[Department], *, now: Any = None) -> Matter:
    return move(
        actor,
        matter,
        Action.WHISTLE,
        {"calls": [{"unit": f"d:{d.pk}", "task": f"{d.name}到场"} for d in departments]},
        note="占道经营需多部门联合处置",
        now=now or T0 + timedelta(hours=1),
    )


def test_a_community_whistles_and_the_departments_become_co_handling_units(
    tree: CityTree, staff: LoopStaff, departments: list[Department]
) -> None:
    matter = led_by_the_community(tree, staff)
    for department in departments:
        assert not Matter.objects.restrict(handler_of(department), Perm.VIEW_MATTERS).filter(pk=matter.pk).exists()
    when = at("2026-10-12 16:00")
    matter = whistle(staff.community, matter, departments[:2], now=when)
    blown = Whistle.objects.get(matter=matter)
    assert (blown.place, blown.issued_by, blown.note) == (tree.community, staff.community, "占道经营需多部门联合处置")
    tasks = list(UnitTask.objects.filter(whistle=blown).order_by("department_id"))
    assert [t.department_id for t in tasks] == sorted(d.pk for d in departments[:2])
    # report within 4 working hours: 1½ on Monday afternoon, 2½ on Tuesday morning
    assert {t.due_at for t in tasks} == {at("2026-10-13 11:00")}
    assert set(MatterAssignment.objects.filter(matter=matter).values_list("place_id", "department_id")) == {
        (None, departments[0].pk),
        (None, departments[1].pk),
    }
    assert Matter.objects.restrict(handler_of(departments[0]), Perm.VIEW_MATTERS).filter(pk=matter.pk).exists()
    assert not Matter.objects.restrict(handler_of(departments[2]), Perm.VIEW_MATTERS).filter(pk=matter.pk).exists()
    assert matter.state == MatterState.IN_PROGRESS
    assert_replays(matter)


def test_only_a_street_or_community_lead_whistles(
    tree: CityTree, staff: LoopStaff, departments: list[Department]
) -> None:
    matter = filed(tree, now=T0)
    move(staff.dispatcher, matter, Action.DISPATCH, {"kind": "professional", "lead_department_id": tree.department.pk})
    matter = move(staff.department, matter, Action.ACCEPT)
    with pytest.raises(ValidationError) as error:
        whistle(staff.department, matter, departments[1:2])
    assert "calls" in field_errors(error)
    grid_led = filed(tree, now=T0)
    move(staff.dispatcher, grid_led, Action.DISPATCH, {"kind": "professional", "lead_place_id": tree.grid.pk})
    grid_led = move(staff.grid_worker, grid_led, Action.ACCEPT)
    with pytest.raises(ValidationError) as error:
        whistle(staff.grid_worker, grid_led, departments[1:2])
    assert "calls" in field_errors(error)
    assert not Whistle.objects.exists()


def test_a_whistle_calls_departments_in_its_place_once_each(
    tree: CityTree, staff: LoopStaff, departments: list[Department]
) -> None:
    matter = led_by_the_community(tree, staff)
    elsewhere = Department.objects.create(code="D520103001", name="西山区住建局", place=tree.district2)
    for calls in (
        [],
        [{"unit": f"d:{elsewhere.pk}", "task": "到场"}],  # not this place's
        [{"unit": f"d:{departments[0].pk}", "task": "到场"}] * 2,
        [{"unit": f"d:{departments[0].pk}", "task": ""}],
        [{"unit": f"p:{tree.street.pk}", "task": "到场"}],  # a whistle calls departments
    ):
        with pytest.raises(ValidationError) as error:
            move(staff.community, matter, Action.WHISTLE, {"calls": calls}, note="需要联合处置", now=T0)
        assert "calls" in field_errors(error), calls
    assert not Whistle.objects.exists()


def test_each_department_reports_its_own_task_once(
    tree: CityTree, staff: LoopStaff, departments: list[Department]
) -> None:
    matter = led_by_the_community(tree, staff)
    whistle(staff.community, matter, departments[:2])
    first, second = UnitTask.objects.filter(matter=matter).order_by("department_id")
    first_handler = handler_of(Department.objects.get(pk=first.department_id))
    second_handler = handler_of(Department.objects.get(pk=second.department_id))
    when = T0 + timedelta(hours=2)

    with pytest.raises(ValidationError) as error:  # someone else's task
        move(first_handler, matter, Action.REPORT, {"task_id": second.pk, "action": "到场"}, now=when)
    assert "task_id" in field_errors(error)
    with pytest.raises(ValidationError) as error:
        move(first_handler, matter, Action.REPORT, {"task_id": first.pk, "action": " "}, now=when)
    assert "action" in field_errors(error)
    with pytest.raises(NotAllowed):  # the lead unit has no task
        move(staff.community, matter, Action.REPORT, {"task_id": first.pk, "action": "到场"}, now=when)

    matter = move(first_handler, matter, Action.REPORT, {"task_id": first.pk, "action": "已派员到场"}, now=when)
    first.refresh_from_db()
    assert (first.reported_at, first.report, first.reported_by) == (when, "已派员到场", first_handler)
    second.refresh_from_db()
    assert second.reported_at is None
    with pytest.raises(NotAllowed):  # nothing open for that department any more
        move(first_handler, matter, Action.REPORT, {"task_id": first.pk, "action": "再报"}, now=when)
    move(second_handler, matter, Action.REPORT, {"task_id": second.pk, "action": "已到场"}, now=when)
    assert UnitTask.objects.filter(matter=matter, reported_at__isnull=True).count() == 0
    assert_replays(matter)


def test_a_task_reported_already_is_refused_while_another_is_open(
    tree: CityTree, staff: LoopStaff, departments: list[Department]
) -> None:
    matter = led_by_the_community(tree, staff)
    whistle(staff.community, matter, departments[:1], now=T0 + timedelta(hours=1))
    whistle(staff.community, matter, departments[:1], now=T0 + timedelta(hours=2))
    earlier, _later = UnitTask.objects.filter(matter=matter).order_by("id")
    handler = handler_of(departments[0])
    move(handler, matter, Action.REPORT, {"task_id": earlier.pk, "action": "到场"}, now=T0 + timedelta(hours=3))
    with pytest.raises(ValidationError) as error:
        move(handler, matter, Action.REPORT, {"task_id": earlier.pk, "action": "再报"}, now=T0 + timedelta(hours=4))
    assert "task_id" in field_errors(error)
    earlier.refresh_from_db()
    assert earlier.report == "到场"


def test_two_departments_reporting_at_once_both_get_through_on_retry(
    tree: CityTree, staff: LoopStaff, departments: list[Department]
) -> None:
    matter = led_by_the_community(tree, staff)
    matter = whistle(staff.community, matter, departments[:2])
    first, second = UnitTask.objects.filter(matter=matter).order_by("department_id")
    seen = matter.version  # both pages were loaded at this version
    move(
        handler_of(departments[0]),
        matter,
        Action.REPORT,
        {"task_id": first.pk, "action": "到场"},
        now=T0,
        expected_version=seen,
    )
    data = {"task_id": second.pk, "action": "到场"}
    with pytest.raises(ConcurrentChange):
        move(handler_of(departments[1]), matter, Action.REPORT, data, now=T0, expected_version=seen)
    move(handler_of(departments[1]), matter, Action.REPORT, data, now=T0, expected_version=fresh(matter).version)
    assert set(UnitTask.objects.filter(matter=matter).values_list("report", flat=True)) == {"到场"}
    assert UnitTask.objects.filter(matter=matter, reported_at__isnull=True).count() == 0


def test_the_lead_unit_concludes_the_whistle_once(
    tree: CityTree, staff: LoopStaff, departments: list[Department]
) -> None:
    matter = led_by_the_community(tree, staff)
    whistle(staff.community, matter, departments[:1])
    blown = Whistle.objects.get(matter=matter)
    with pytest.raises(ValidationError) as error:
        move(staff.community, matter, Action.CONCLUDE_WHISTLE, {"whistle_id": blown.pk}, now=T0)
    assert "result" in field_errors(error)
    with pytest.raises(NotAllowed):
        move(handler_of(departments[0]), matter, Action.CONCLUDE_WHISTLE, {"whistle_id": blown.pk, "result": "x"})
    when = T0 + timedelta(days=1)
    move(staff.community, matter, Action.CONCLUDE_WHISTLE, {"whistle_id": blown.pk, "result": "联合整治完毕"}, now=when)
    blown.refresh_from_db()
    assert (blown.result, blown.concluded_at) == ("联合整治完毕", when)
    with pytest.raises(ValidationError) as error:
        move(staff.community, matter, Action.CONCLUDE_WHISTLE, {"whistle_id": blown.pk, "result": "再次"}, now=when)
    assert "whistle_id" in field_errors(error)
    blown.refresh_from_db()
    assert blown.result == "联合整治完毕"
    assert_replays(matter)


# -- hard matters: levels and the centre's stages ------------------------------------------------------------


def meeting_data(departments: list[Department], held_on: str = "2026-10-12", days: int = 5) -> dict[str, Any]:
    return {
        "held_on": held_on,
        "participants": "区住建局、区城管局、望江街道",
        "analysis": "职责交叉。",
        "decision": "区住建局牵头。",
        "tasks": [{"unit": f"d:{d.pk}", "task": "牵头整治", "days": days} for d in departments],
    }


def test_a_hard_matter_starts_at_level_one_and_the_centre_escalates_it(
    tree: CityTree, staff: LoopStaff, departments: list[Department]
) -> None:
    matter = led_by_the_community(tree, staff, kind=MatterKind.HARD)
    # level 1 from the dispatch (T0): 10 working days
    assert (matter.hard_level, matter.hard_stage, matter.leader) == (1, HardStage.RECEIVED, "")
    assert matter.level_due == at("2026-10-26 09:00")

    with pytest.raises(TransitionRefused) as refused:  # no consultation below level 2
        move(staff.operator, matter, Action.RECORD_MEETING, meeting_data(departments[:1]), now=T0 + timedelta(hours=1))
    assert refused.value.code == "level"
    assert not JointMeeting.objects.exists()

    with pytest.raises(NotAllowed):  # a street supervises but does not escalate
        move(staff.dispatcher, matter, Action.ESCALATE, note="提请会商", now=T0 + timedelta(hours=1))
    with pytest.raises(ValidationError) as error:
        move(staff.operator, matter, Action.ESCALATE, now=T0 + timedelta(hours=1))
    assert "note" in field_errors(error)

    when = at("2026-10-13 10:00")
    matter = move(staff.operator, matter, Action.ESCALATE, note="职责交叉，提请联合会商", now=when)
    assert matter.hard_level == 2
    assert matter.level_due == at("2026-10-27 10:00")  # a new level, a new 10 working days
    event = matter.events.get(action=Action.ESCALATE)
    assert (event.actor_role, event.data["level"], event.data["automatic"]) == (Role.DISPATCH_CENTRE, 2, False)

    meeting_when = at("2026-10-14 15:00")
    matter = move(
        staff.operator, matter, Action.RECORD_MEETING, meeting_data(departments[:2], "2026-10-14", 5), now=meeting_when
    )
    meeting = JointMeeting.objects.get(matter=matter)
    assert (meeting.level, meeting.decision, str(meeting.held_on)) == (2, "区住建局牵头。", "2026-10-14")
    tasks = list(UnitTask.objects.filter(meeting=meeting))
    assert len(tasks) == 2
    assert {t.due_at for t in tasks} == {at("2026-10-21 15:00")}  # 5 working days
    assert matter.hard_stage == HardStage.CONSULTED
    assert {d for _p, d in matter.assignments.values_list("place_id", "department_id")} == {
        departments[0].pk,
        departments[1].pk,
    }
    assert_replays(matter)


def test_a_meeting_needs_its_record(tree: CityTree, staff: LoopStaff, departments: list[Department]) -> None:
    matter = led_by_the_community(tree, staff, kind=MatterKind.HARD)
    move(staff.operator, matter, Action.ESCALATE, note="提请会商", now=T0 + timedelta(hours=1))
    bad = {**meeting_data(departments[:1], held_on="2026-10-20"), "decision": "", "tasks": []}
    with pytest.raises(ValidationError) as error:
        move(staff.operator, matter, Action.RECORD_MEETING, bad, now=T0 + timedelta(hours=2))
    assert {"held_on", "decision", "tasks"} <= field_errors(error)
    too_long = meeting_data(departments[:1], days=91)
    with pytest.raises(ValidationError) as error:
        move(staff.operator, matter, Action.RECORD_MEETING, too_long, now=T0 + timedelta(hours=2))
    assert "tasks" in field_errors(error)
    assert not JointMeeting.objects.exists()


def test_level_three_needs_a_leader_and_the_citys_centre(
    tree: CityTree, staff: LoopStaff, departments: list[Department]
) -> None:
    district_centre = make_district_centre(tree)
    matter = led_by_the_community(tree, staff, kind=MatterKind.HARD)
    matter = move(district_centre, matter, Action.ESCALATE, note="提请会商", now=T0 + timedelta(hours=1))
    assert matter.hard_level == 2  # a district centre takes a matter to level 2…
    with pytest.raises(ValidationError) as error:  # …but not under a city leader
        move(
            district_centre,
            matter,
            Action.ESCALATE,
            {"leader": "王副市长"},
            note="会商未果",
            now=T0 + timedelta(hours=2),
        )
    assert "leader" in field_errors(error)
    with pytest.raises(ValidationError) as error:  # the city's centre names the leader
        move(staff.operator, matter, Action.ESCALATE, note="会商未果", now=T0 + timedelta(hours=2))
    assert "leader" in field_errors(error)
    assert fresh(matter).hard_level == 2

    matter = move(
        staff.operator, matter, Action.ESCALATE, {"leader": "王副市长"}, note="会商未果", now=T0 + timedelta(hours=2)
    )
    assert (matter.hard_level, matter.leader, matter.level_due) == (3, "王副市长", None)
    with pytest.raises(TransitionRefused) as refused:
        move(staff.operator, matter, Action.ESCALATE, {"leader": "李市长"}, note="再升", now=T0 + timedelta(hours=3))
    assert refused.value.code == "level"
    assert fresh(matter).hard_level == 3

    with pytest.raises(ValidationError) as error:  # going down needs a reason
        move(staff.operator, matter, Action.DEESCALATE, now=T0 + timedelta(hours=3))
    assert "note" in field_errors(error)
    when = at("2026-10-13 09:00")
    matter = move(staff.operator, matter, Action.DEESCALATE, note="已明确牵头部门", now=when)
    assert (matter.hard_level, matter.leader) == (2, "")
    assert matter.level_due == at("2026-10-27 09:00")
    matter = move(staff.operator, matter, Action.DEESCALATE, note="回到首接", now=when)
    assert matter.hard_level == 1
    with pytest.raises(TransitionRefused) as refused:
        move(staff.operator, matter, Action.DEESCALATE, note="再降", now=when)
    assert refused.value.code == "level"
    assert_replays(matter)


def test_an_ordinary_matter_is_not_escalated(tree: CityTree, staff: LoopStaff) -> None:
    matter = led_by_the_community(tree, staff)
    assert (matter.hard_level, matter.level_due, matter.hard_stage) == (0, None, "")
    with pytest.raises(TransitionRefused) as refused:
        move(staff.operator, matter, Action.ESCALATE, note="提请会商", now=T0 + timedelta(hours=1))
    assert refused.value.code == "hard"
    with pytest.raises(TransitionRefused) as refused:
        move(staff.operator, matter, Action.FIELD_CHECK, note="现场核实", now=T0 + timedelta(hours=1))
    assert refused.value.code == "hard"


def test_the_centres_stages_only_move_forward_and_results_are_used_after_closing(
    tree: CityTree, staff: LoopStaff, departments: list[Department]
) -> None:
    matter = led_by_the_community(tree, staff, kind=MatterKind.HARD)
    op = staff.operator
    t = T0 + timedelta(hours=1)
    with pytest.raises(ValidationError) as error:
        move(op, matter, Action.FIELD_CHECK, now=t)
    assert "note" in field_errors(error)
    matter = move(op, matter, Action.FIELD_CHECK, note="现场核实属实", now=t)
    assert matter.hard_stage == HardStage.VERIFIED
    move(op, matter, Action.ESCALATE, note="提请会商", now=t)
    matter = move(op, matter, Action.RECORD_MEETING, meeting_data(departments[:1]), now=t)
    assert matter.hard_stage == HardStage.CONSULTED
    matter = move(op, matter, Action.FIELD_CHECK, note="再次核实", now=t)
    assert matter.hard_stage == HardStage.CONSULTED  # not back to "verified"
    matter = move(op, matter, Action.TRACK, note="跟踪进度", now=t)
    assert matter.hard_stage == HardStage.TRACKED
    matter = move(staff.community, matter, Action.REPLY, {"text": "已协调解决"}, now=t)
    assert matter.hard_stage == HardStage.TRACKED  # a reply (办) after tracking does not go back
    with pytest.raises(TransitionRefused) as refused:  # results are used once the matter is closed
        move(op, matter, Action.USE_RESULTS, note="纳入考核", now=t)
    assert refused.value.code == "wrong_state"
    matter = move(op, matter, Action.RATE, {"satisfaction": "satisfied", "by": "call_back"}, now=t)
    assert (matter.state, matter.hard_stage) == (MatterState.TO_VERIFY, HardStage.EVALUATED)
    matter = move(staff.dispatcher, matter, Action.VERIFY_CLOSE, now=t)
    assert (matter.state, matter.level_due) == (MatterState.CLOSED, None)
    with pytest.raises(ValidationError) as error:
        move(op, matter, Action.USE_RESULTS, now=t)
    assert "note" in field_errors(error)
    matter = move(op, matter, Action.USE_RESULTS, note="纳入年度考核", now=t)
    assert (matter.state, matter.hard_stage, matter.closure_reason) == (MatterState.CLOSED, HardStage.USED, "resolved")
    with pytest.raises(TransitionRefused):  # a closed matter is no longer escalated
        move(op, matter, Action.ESCALATE, note="x", now=t)
    assert_replays(matter)


# -- replay ----------------------------------------------------------------------------------------------------


def test_a_run_of_supervision_moves_replays_to_the_stored_matter(
    tree: CityTree, staff: LoopStaff, departments: list[Department]
) -> None:
    matter = led_by_the_community(tree, staff, kind=MatterKind.HARD)
    t = T0 + timedelta(hours=1)
    move(staff.dispatcher, matter, Action.URGE, now=t)
    whistle(staff.community, matter, departments[:2], now=t)
    task = UnitTask.objects.filter(matter=matter).order_by("id").first()
    assert task is not None
    move(
        handler_of(Department.objects.get(pk=task.department_id)),
        matter,
        Action.REPORT,
        {"task_id": task.pk, "action": "到场"},
        now=t,
    )
    move(staff.operator, matter, Action.FIELD_CHECK, note="核实", now=t)
    move(staff.operator, matter, Action.ESCALATE, note="提请会商", now=t)
    move(staff.operator, matter, Action.RECORD_MEETING, meeting_data(departments[2:]), now=t)
    move(staff.operator, matter, Action.ESCALATE, {"leader": "王副市长"}, note="会商未果", now=t)
    move(staff.operator, matter, Action.DEESCALATE, note="已明确牵头", now=t)
    move(staff.community, matter, Action.REQUEST_EXTENSION, {"days": 2}, note="需协调", now=t)
    move(staff.dispatcher, matter, Action.DECIDE_EXTENSION, {"approved": True, "days": 2}, now=t)
    matter = move(staff.operator, matter, Action.TRACK, note="跟踪", now=t)
    stored = snapshot_of(fresh(matter))
    assert (stored.hard_level, stored.urge_count, stored.supervision_count, len(stored.co_units)) == (2, 1, 0, 3)
    # a hard matter's reply deadline (15 working days from 09:10 on the 12th: 2 November) moved by the 2 working
    # days of the extension: 3 and 4 November
    assert stored.due_at == at("2026-11-04 09:10")
    assert_replays(matter)


def test_a_run_of_supervision_moves_with_an_order_replays_to_the_stored_matter(
    tree: CityTree, staff: LoopStaff, departments: list[Department]
) -> None:
    matter = led_by_the_community(tree, staff, kind=MatterKind.HARD)
    t = T0 + timedelta(hours=1)
    move(staff.dispatcher, matter, Action.URGE, now=t)
    move(staff.dispatcher, matter, Action.SUPERVISE, {"due_at": "2026-10-15 17:30"}, note="限期答复", now=t)
    move(staff.community, matter, Action.ANSWER_SUPERVISION, note="正在处理", now=t)
    whistle(staff.community, matter, departments[:2], now=t)
    task = UnitTask.objects.filter(matter=matter).order_by("id").first()
    assert task is not None
    move(
        handler_of(Department.objects.get(pk=task.department_id)),
        matter,
        Action.REPORT,
        {"task_id": task.pk, "action": "到场"},
        now=t,
    )
    move(staff.operator, matter, Action.FIELD_CHECK, note="核实", now=t)
    move(staff.operator, matter, Action.ESCALATE, note="提请会商", now=t)
    move(staff.operator, matter, Action.RECORD_MEETING, meeting_data(departments[2:]), now=t)
    move(staff.operator, matter, Action.ESCALATE, {"leader": "王副市长"}, note="会商未果", now=t)
    move(staff.operator, matter, Action.DEESCALATE, note="已明确牵头", now=t)
    move(staff.community, matter, Action.REQUEST_EXTENSION, {"days": 2}, note="需协调", now=t)
    move(staff.dispatcher, matter, Action.DECIDE_EXTENSION, {"approved": True, "days": 2}, now=t)
    matter = move(staff.operator, matter, Action.TRACK, note="跟踪", now=t)
    stored = snapshot_of(fresh(matter))
    assert (stored.hard_level, stored.urge_count, stored.supervision_count, len(stored.co_units)) == (2, 1, 1, 3)
    # the ordered deadline moved by the 2 working days of the extension: 16 and 19 October
    assert stored.due_at == at("2026-10-19 17:30")
    assert_replays(matter)
