"""The deadline sweep on a fixed clock: yellow and red alerts raised once with their notifications, a run killed
half-way and run again, moved deadlines, late unit tasks and the automatic escalation of hard matters."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from gridwork.accounts.models import User
from gridwork.matters.models import Matter
from gridwork.matters.services import SYSTEM
from gridwork.matters.tests.factories import LoopStaff, make_loop_staff
from gridwork.matters.workflow import Action, MatterKind
from gridwork.notifications.models import Notification
from gridwork.places.models import Department
from gridwork.places.tests.factories import CityTree
from gridwork.supervision import sweep as sweep_module
from gridwork.supervision.models import AlertLevel, DeadlineAlert, UnitTask
from gridwork.supervision.sweep import run_sweep
from gridwork.supervision.tests.factories import at, filed, fresh, handler_of, make_departments, move

pytestmark = pytest.mark.django_db

T0 = at("2026-10-12 09:00")  # a Monday: dispatched now, the accept limit (2 working hours) ends at 11:00


@pytest.fixture
def staff(tree: CityTree) -> LoopStaff:
    return make_loop_staff(tree)


def to_community(
    tree: CityTree, staff: LoopStaff, *, when: datetime = T0, kind: str = MatterKind.PROFESSIONAL
) -> Matter:
    matter = filed(tree, now=when - timedelta(minutes=30), kind=kind)
    return move(staff.dispatcher, matter, Action.DISPATCH, {"kind": kind, "lead_place_id": tree.community.pk}, now=when)


def alerts(matter: Matter) -> list[tuple[str, str, datetime, str]]:
    return list(
        DeadlineAlert.objects.filter(matter=matter).order_by("id").values_list("subject", "stage", "due_at", "level")
    )


def notified(user: User) -> int:
    return Notification.objects.filter(recipient=user).count()


def everything() -> tuple[list[tuple[Any, ...]], int]:
    rows = list(
        DeadlineAlert.objects.order_by("id").values_list("id", "matter_id", "subject", "stage", "due_at", "level")
    )
    return rows, Notification.objects.count()


def test_a_matter_past_its_warning_gets_one_yellow_alert_for_its_unit_and_supervisors(
    tree: CityTree, staff: LoopStaff
) -> None:
    matter = to_community(tree, staff)
    assert (matter.due_at, matter.warn_at) == (at("2026-10-12 11:00"), at("2026-10-12 10:30"))
    before = {user: notified(user) for user in (staff.community, staff.dispatcher, staff.grid_worker, staff.operator)}

    assert run_sweep(now=at("2026-10-12 10:29")).yellow == 0  # not yet
    assert alerts(matter) == []

    report = run_sweep(now=at("2026-10-12 10:45"))
    assert (report.yellow, report.red, report.failed) == (1, 0, [])
    assert alerts(matter) == [("matter", "accept", at("2026-10-12 11:00"), AlertLevel.YELLOW)]
    assert notified(staff.community) == before[staff.community] + 1  # the lead unit's staff
    assert notified(staff.dispatcher) == before[staff.dispatcher] + 1  # the street supervises the community
    assert notified(staff.grid_worker) == before[staff.grid_worker]  # below the unit: not told
    assert notified(staff.operator) == before[staff.operator]
    text = Notification.objects.filter(recipient=staff.community).latest("id").text
    assert matter.number in text
    assert "2026-10-12 11:00" in text  # the deadline in Beijing time
    assert fresh(matter).overdue_count == 0  # a warning is not an urging


def test_a_matter_past_its_deadline_gets_a_red_alert_and_counts_as_urged(tree: CityTree, staff: LoopStaff) -> None:
    matter = to_community(tree, staff)
    run_sweep(now=at("2026-10-12 10:45"))
    report = run_sweep(now=at("2026-10-12 11:00"))  # at the deadline itself: overdue
    assert (report.yellow, report.red) == (0, 1)
    assert alerts(matter) == [
        ("matter", "accept", at("2026-10-12 11:00"), AlertLevel.YELLOW),
        ("matter", "accept", at("2026-10-12 11:00"), AlertLevel.RED),
    ]
    matter = fresh(matter)
    assert (matter.overdue_count, matter.urged_total) == (1, 1)
    assert "overdue" in Notification.objects.filter(recipient=staff.community).latest("id").text


def test_a_department_matter_warns_the_department_and_its_districts_supervisors(
    tree: CityTree, staff: LoopStaff
) -> None:
    from gridwork.accounts.roles import Role
    from gridwork.accounts.tests.factories import make_staff

    district = make_staff(role=Role.DISTRICT_STAFF, place=tree.district, username="districtstaff")
    matter = filed(tree, now=T0)
    move(
        staff.dispatcher,
        matter,
        Action.DISPATCH,
        {"kind": "professional", "lead_department_id": tree.department.pk},
        now=T0,
    )
    counts = {user: notified(user) for user in (staff.department, district, staff.dispatcher)}
    run_sweep(now=at("2026-10-12 11:30"))
    assert notified(staff.department) == counts[staff.department] + 1
    assert notified(district) == counts[district] + 1
    assert notified(staff.dispatcher) == counts[staff.dispatcher]  # a street does not supervise a district bureau


def test_running_the_sweep_twice_raises_nothing_twice(tree: CityTree, staff: LoopStaff) -> None:
    overdue = to_community(tree, staff)
    warned = to_community(tree, staff, when=at("2026-10-12 11:00"))  # due 15:00, warning from 14:30
    assert (warned.due_at, warned.warn_at) == (at("2026-10-12 15:00"), at("2026-10-12 14:30"))
    first = run_sweep(now=at("2026-10-12 14:40"))
    assert (first.yellow, first.red) == (1, 1)
    once = everything()
    second = run_sweep(now=at("2026-10-12 14:40"))
    assert (second.yellow, second.red, second.late_tasks, second.escalated) == (0, 0, 0, 0)
    assert everything() == once
    later = run_sweep(now=at("2026-10-12 14:50"))  # a later run finds nothing new either
    assert (later.yellow, later.red) == (0, 0)
    assert everything() == once
    assert (fresh(overdue).overdue_count, fresh(warned).overdue_count) == (1, 0)


class Killed(BaseException):
    """The process dies (SIGKILL, OOM): not an Exception, so nothing on the way catches it."""


def test_a_sweep_killed_half_way_keeps_whole_alerts_and_the_next_run_completes_the_rest(
    tree: CityTree, staff: LoopStaff, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = to_community(tree, staff, when=at("2026-10-12 09:00"))  # due 11:00
    second = to_community(tree, staff, when=at("2026-10-12 09:05"))  # due 11:05
    base = Notification.objects.count()
    real_send = sweep_module.notification_send
    calls: list[int] = []

    def dying_send(**kwargs: Any) -> int:
        calls.append(1)
        if len(calls) == 2:
            raise Killed
        return real_send(**kwargs)

    monkeypatch.setattr(sweep_module, "notification_send", dying_send)
    with pytest.raises(Killed):
        run_sweep(now=at("2026-10-12 12:00"))
    # the first alert is wholly there, the second not at all (its row and its counter rolled back with it)
    assert [level for *_rest, level in alerts(first)] == [AlertLevel.RED]
    assert alerts(second) == []
    assert (fresh(first).overdue_count, fresh(second).overdue_count) == (1, 0)
    assert Notification.objects.count() == base + 2

    monkeypatch.setattr(sweep_module, "notification_send", real_send)
    report = run_sweep(now=at("2026-10-12 12:00"))
    assert report.red == 1
    assert [level for *_rest, level in alerts(first)] == [AlertLevel.RED]
    assert [level for *_rest, level in alerts(second)] == [AlertLevel.RED]
    assert (fresh(first).overdue_count, fresh(second).overdue_count) == (1, 1)
    assert Notification.objects.count() == base + 4
    assert notified(staff.community) == notified(staff.dispatcher) == 2


def test_a_failing_notification_is_logged_and_the_others_still_raised(
    tree: CityTree, staff: LoopStaff, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = to_community(tree, staff, when=at("2026-10-12 09:00"))
    second = to_community(tree, staff, when=at("2026-10-12 09:05"))
    real_send = sweep_module.notification_send

    def failing_for_first(**kwargs: Any) -> int:
        if first.number in kwargs["text"]:
            raise RuntimeError("database hiccup")
        return real_send(**kwargs)

    monkeypatch.setattr(sweep_module, "notification_send", failing_for_first)
    report = run_sweep(now=at("2026-10-12 12:00"))
    assert (report.red, report.failed) == (1, [first.number])
    assert alerts(first) == []
    assert len(alerts(second)) == 1
    monkeypatch.setattr(sweep_module, "notification_send", real_send)
    assert run_sweep(now=at("2026-10-12 12:00")).red == 1
    assert len(alerts(first)) == 1


def test_a_moved_deadline_is_warned_about_again(tree: CityTree, staff: LoopStaff) -> None:
    matter = to_community(tree, staff)
    matter = move(staff.community, matter, Action.ACCEPT, now=at("2026-10-12 09:10"))
    assert matter.due_at == at("2026-10-21 09:10")
    assert run_sweep(now=at("2026-10-21 10:00")).red == 1

    move(staff.community, matter, Action.REQUEST_EXTENSION, {"days": 3}, note="需采购", now=at("2026-10-21 10:30"))
    matter = move(
        staff.dispatcher, matter, Action.DECIDE_EXTENSION, {"approved": True, "days": 3}, now=at("2026-10-21 11:00")
    )
    assert matter.due_at == at("2026-10-26 09:10")  # 22, 23, 26 October
    assert matter.warn_at is not None
    assert run_sweep(now=matter.warn_at - timedelta(minutes=1)).yellow == 0
    assert run_sweep(now=matter.warn_at).yellow == 1
    assert run_sweep(now=at("2026-10-26 09:10")).red == 1
    assert alerts(matter) == [
        ("matter", "reply", at("2026-10-21 09:10"), AlertLevel.RED),
        ("matter", "reply", at("2026-10-26 09:10"), AlertLevel.YELLOW),
        ("matter", "reply", at("2026-10-26 09:10"), AlertLevel.RED),
    ]
    assert fresh(matter).overdue_count == 2


def test_a_closed_matter_and_a_returned_one_raise_nothing(tree: CityTree, staff: LoopStaff) -> None:
    matter = to_community(tree, staff)
    move(staff.community, matter, Action.RETURN, {"reason": "不属本社区"}, now=at("2026-10-12 09:30"))
    report = run_sweep(now=at("2026-10-13 12:00"))
    assert (report.yellow, report.red) == (0, 0)
    assert not DeadlineAlert.objects.exists()


def test_a_late_task_gets_one_red_alert_for_its_department(tree: CityTree, staff: LoopStaff) -> None:
    departments: list[Department] = make_departments(tree, 2)
    matter = to_community(tree, staff)
    matter = move(staff.community, matter, Action.ACCEPT, now=at("2026-10-12 09:10"))
    move(
        staff.community,
        matter,
        Action.WHISTLE,
        {"calls": [{"unit": f"d:{d.pk}", "task": "到场处置"} for d in departments]},
        note="需要联合处置",
        now=at("2026-10-12 16:00"),
    )
    reported, late = UnitTask.objects.filter(matter=matter).order_by("department_id")
    assert late.due_at == at("2026-10-13 11:00")  # 4 working hours
    reporter = handler_of(Department.objects.get(pk=reported.department_id))
    late_handler = handler_of(Department.objects.get(pk=late.department_id))
    move(reporter, matter, Action.REPORT, {"task_id": reported.pk, "action": "已到场"}, now=at("2026-10-13 09:00"))
    counts = {user: notified(user) for user in (reporter, late_handler, staff.community)}

    assert run_sweep(now=at("2026-10-13 10:59")).late_tasks == 0
    report = run_sweep(now=at("2026-10-13 11:30"))
    assert report.late_tasks == 1
    assert alerts(matter) == [(f"task:{late.pk}", "report", at("2026-10-13 11:00"), AlertLevel.RED)]
    assert notified(late_handler) == counts[late_handler] + 1
    assert notified(staff.community) == counts[staff.community] + 1  # the whistling unit hears of it
    assert notified(reporter) == counts[reporter]
    text = Notification.objects.filter(recipient=late_handler).latest("id").text
    assert matter.number in text
    assert fresh(matter).overdue_count == 0  # a late task is the department's, not the matter's overdue

    assert run_sweep(now=at("2026-10-13 12:00")).late_tasks == 0
    assert len(alerts(matter)) == 1


def test_a_hard_matter_past_its_level_is_escalated_by_the_system_once(tree: CityTree, staff: LoopStaff) -> None:
    matter = to_community(tree, staff, kind=MatterKind.HARD)
    matter = move(staff.community, matter, Action.ACCEPT, now=at("2026-10-12 09:10"))
    assert (matter.hard_level, matter.level_due) == (1, at("2026-10-26 09:00"))

    assert run_sweep(now=at("2026-10-26 08:59")).escalated == 0
    assert fresh(matter).hard_level == 1
    first = run_sweep(now=at("2026-10-26 09:30"))
    second = run_sweep(now=at("2026-10-26 09:30"))
    assert (first.escalated, second.escalated) == (1, 0)
    matter = fresh(matter)
    assert matter.hard_level == 2
    assert matter.level_due == at("2026-11-09 09:30")  # 10 working days at the new level
    escalations = list(matter.events.filter(action=Action.ESCALATE))
    assert len(escalations) == 1
    event = escalations[0]
    assert (event.actor_role, event.actor_id, event.at) == ("system", None, at("2026-10-26 09:30"))
    assert event.data["automatic"] is True
    assert str(SYSTEM) == "system"


def test_a_closed_hard_matter_is_not_escalated(tree: CityTree, staff: LoopStaff) -> None:
    matter = to_community(tree, staff, kind=MatterKind.HARD)
    Matter.objects.filter(pk=matter.pk).update(state="closed")
    assert run_sweep(now=at("2026-11-30 09:00")).escalated == 0
    assert fresh(matter).hard_level == 1


def test_a_late_call_back_is_the_dispatchers(tree: CityTree, staff: LoopStaff) -> None:
    matter = to_community(tree, staff)
    move(staff.community, matter, Action.ACCEPT, now=at("2026-10-12 09:10"))
    matter = move(staff.community, matter, Action.REPLY, {"text": "已修好"}, now=at("2026-10-12 10:00"))
    assert (matter.due_stage, matter.due_at) == ("callback", at("2026-10-15 10:00"))  # 3 working days
    counts = {user: notified(user) for user in (staff.community, staff.dispatcher)}
    assert run_sweep(now=at("2026-10-15 11:00")).red == 1
    assert alerts(matter) == [("matter", "callback", at("2026-10-15 10:00"), AlertLevel.RED)]
    assert notified(staff.dispatcher) == counts[staff.dispatcher] + 1
    assert notified(staff.community) == counts[staff.community]  # the unit has replied: not its limit
