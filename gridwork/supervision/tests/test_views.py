"""The supervision pages as the right and the wrong users: the overview (red, yellow, orders, public notice), a
whistle's board, the dispatch centre's hard-matter board, the deadline badge, the matter page's panel and the
queue's deadline filter."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.matters.models import Matter
from gridwork.matters.selectors import DEADLINE_OVERDUE, DEADLINE_WARNING, QueueFilters, QueueTab, matter_queue
from gridwork.matters.services import matter_transition
from gridwork.matters.tests.factories import LoopStaff, file_in_building, make_loop_staff
from gridwork.matters.workflow import Action, HardStage, MatterKind, MatterState
from gridwork.places.models import Department, DepartmentKind
from gridwork.places.tests.factories import CityTree
from gridwork.supervision.models import JointMeeting, UnitTask, Whistle
from gridwork.supervision.selectors import matters_for_notice, notice_groups

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def staff(tree: CityTree) -> LoopStaff:
    return make_loop_staff(tree)


@pytest.fixture
def departments(tree: CityTree) -> list[Department]:
    """Three departments of the tree's district, each with a handler named after it."""
    extra = [
        Department.objects.create(code="D520102002", name="东湖区城市管理局", place=tree.district),
        Department.objects.create(code="D520102003", name="东湖区市场监督管理局", place=tree.district),
    ]
    found = [tree.department, *extra]
    for department in found:
        make_staff(
            role=Role.DEPARTMENT_HANDLER, place=tree.district, department=department, username=f"h-{department.code}"
        )
    return found


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def filed(tree: CityTree, **options: Any) -> Matter:
    return Matter.objects.get(pk=file_in_building(tree, **options).matter_id)


def fresh(matter: Matter) -> Matter:
    return Matter.objects.get(pk=matter.pk)


def move(actor: User, matter: Matter, action: str, data: dict[str, Any] | None = None, note: str = "") -> Matter:
    return matter_transition(actor=actor, matter_id=matter.pk, action=action, data=data or {}, note=note)


def led_by_the_street(tree: CityTree, staff: LoopStaff, **options: Any) -> Matter:
    """A matter the street leads, accepted and in progress (the street staff dispatches and handles)."""
    matter = filed(tree, **options)
    kind = options.get("kind", MatterKind.PROFESSIONAL)
    move(staff.dispatcher, matter, Action.DISPATCH, {"kind": kind, "lead_place_id": tree.street.pk})
    return move(staff.dispatcher, matter, Action.ACCEPT)


def whistled(staff: LoopStaff, matter: Matter, departments: list[Department]) -> Whistle:
    move(
        staff.dispatcher,
        matter,
        Action.WHISTLE,
        {"calls": [{"unit": f"d:{d.pk}", "task": f"{d.name}到场处置"} for d in departments]},
        note="占道经营、油烟扰民、违建，需要多部门联合处置。",
    )
    return Whistle.objects.get(matter=matter)


def handler_of(department: Department) -> User:
    return User.objects.get(username=f"h-{department.code}")


def set_deadline(matter: Matter, *, due_in: timedelta | None, warn_in: timedelta | None = None, **fields: Any) -> None:
    now = timezone.now()
    Matter.objects.filter(pk=matter.pk).update(
        due_stage="reply",
        due_at=now + due_in if due_in is not None else None,
        warn_at=now + warn_in if warn_in is not None else None,
        **fields,
    )


def badge(matter: Matter, now: datetime | None = None) -> str:
    template = Template("{% load supervision %}{% deadline_badge matter now %}")
    return template.render(Context({"matter": fresh(matter), "now": now}))


# --- the deadline badge --------------------------------------------------------------------------------------


def test_the_badge_is_red_when_overdue_yellow_from_the_warning_and_grey_before(tree: CityTree) -> None:
    matter = filed(tree)
    assert badge(matter) == ""  # no deadline: nothing

    set_deadline(matter, due_in=timedelta(hours=-1), warn_in=timedelta(hours=-3))
    html = badge(matter)
    assert 'data-deadline="overdue"' in html
    assert "text-bg-danger" in html
    assert "Overdue" in html

    set_deadline(matter, due_in=timedelta(hours=2), warn_in=timedelta(minutes=-5))
    html = badge(matter)
    assert 'data-deadline="warning"' in html
    assert "text-bg-warning" in html
    assert "Due soon" in html

    set_deadline(matter, due_in=timedelta(days=3), warn_in=timedelta(days=2))
    html = badge(matter)
    assert 'data-deadline="running"' in html
    local = timezone.localtime(fresh(matter).due_at)
    assert local.strftime("%Y-%m-%d %H:%M") in html


def test_the_badge_compares_with_the_given_moment(tree: CityTree) -> None:
    matter = filed(tree)
    set_deadline(matter, due_in=timedelta(hours=4), warn_in=timedelta(hours=2))
    due = fresh(matter).due_at
    assert due is not None
    assert 'data-deadline="running"' in badge(matter, due - timedelta(hours=3))
    assert 'data-deadline="warning"' in badge(matter, due - timedelta(hours=1))
    assert 'data-deadline="overdue"' in badge(matter, due)  # at the deadline itself: overdue


def test_the_queue_and_the_matter_page_show_the_badge(tree: CityTree, staff: LoopStaff) -> None:
    overdue, warned = filed(tree), filed(tree)
    set_deadline(overdue, due_in=timedelta(hours=-1), warn_in=timedelta(hours=-2))
    set_deadline(warned, due_in=timedelta(hours=1), warn_in=timedelta(hours=-1))
    client = client_for(staff.dispatcher)
    queue = client.get(reverse("matters:queue") + "?tab=all").content.decode()
    assert queue.count('data-deadline="overdue"') == 1
    assert queue.count('data-deadline="warning"') == 1
    page = client.get(reverse("matters:detail", args=[overdue.number])).content.decode()
    assert 'data-deadline="overdue"' in page
    assert 'data-testid="supervision"' in page


# --- the queue's deadline filter -----------------------------------------------------------------------------


def test_the_queue_filters_overdue_and_warned_matters(tree: CityTree, staff: LoopStaff) -> None:
    overdue, warned, running, without = filed(tree), filed(tree), filed(tree), filed(tree)
    set_deadline(overdue, due_in=timedelta(hours=-1), warn_in=timedelta(hours=-2))
    set_deadline(warned, due_in=timedelta(hours=1), warn_in=timedelta(hours=-1))
    set_deadline(running, due_in=timedelta(days=2), warn_in=timedelta(days=1))

    def numbers(deadline: str) -> set[str]:
        filters = QueueFilters(deadline=deadline)
        return {m.number for m in matter_queue(user=staff.dispatcher, tab=QueueTab.ALL, filters=filters)}

    assert numbers(DEADLINE_OVERDUE) == {overdue.number}
    assert numbers(DEADLINE_WARNING) == {warned.number}
    assert numbers("") == {overdue.number, warned.number, running.number, without.number}

    client = client_for(staff.dispatcher)
    html = client.get(reverse("matters:queue") + "?tab=all&deadline=overdue").content.decode()
    assert overdue.number in html
    assert warned.number not in html
    assert running.number not in html
    assert client.get(reverse("matters:queue") + "?tab=all&deadline=nonsense").status_code == 200


# --- the overview --------------------------------------------------------------------------------------------


def overview(client: Client, listed: str = "") -> str:
    response = client.get(reverse("supervision:overview") + (f"?list={listed}" if listed else ""))
    assert response.status_code == 200
    return response.content.decode()


def test_the_overview_lists_red_and_yellow_matters_by_deadline(tree: CityTree, staff: LoopStaff) -> None:
    later, sooner, warned, running = filed(tree), filed(tree), filed(tree), filed(tree)
    set_deadline(later, due_in=timedelta(hours=-1), warn_in=timedelta(hours=-5))
    set_deadline(sooner, due_in=timedelta(hours=-3), warn_in=timedelta(hours=-5))
    set_deadline(warned, due_in=timedelta(hours=1), warn_in=timedelta(hours=-1))
    set_deadline(running, due_in=timedelta(days=1), warn_in=timedelta(hours=12))
    client = client_for(staff.dispatcher)

    red = overview(client)  # the overdue list is the default
    assert red.index(sooner.number) < red.index(later.number)  # the longest overdue first
    assert warned.number not in red
    assert running.number not in red
    assert 'data-testid="count-overdue">2<' in red
    assert 'data-testid="count-warning">1<' in red

    yellow = overview(client, "warning")
    assert warned.number in yellow
    assert sooner.number not in yellow
    assert running.number not in yellow


def test_the_overview_lists_open_supervision_orders(tree: CityTree, staff: LoopStaff) -> None:
    ordered, answered = filed(tree), filed(tree)
    set_deadline(ordered, due_in=timedelta(days=2), supervision_open=True, supervision_count=1)
    set_deadline(answered, due_in=timedelta(days=2), supervision_open=False, supervision_count=1)
    html = overview(client_for(staff.dispatcher), "orders")
    assert ordered.number in html
    assert answered.number not in html


def test_the_public_notice_takes_matters_urged_more_than_once_by_lead_unit(
    tree: CityTree, staff: LoopStaff, departments: list[Department]
) -> None:
    twice = led_by_the_street(tree, staff)  # urged once by hand, once on going overdue: 2
    thrice = led_by_the_street(tree, staff)
    once = led_by_the_street(tree, staff)  # 1: not on the notice
    Matter.objects.filter(pk=twice.pk).update(urge_count=1, overdue_count=1)
    Matter.objects.filter(pk=thrice.pk).update(urge_count=3)
    Matter.objects.filter(pk=once.pk).update(urge_count=1)
    department_matter = filed(tree)
    move(
        staff.dispatcher,
        department_matter,
        Action.DISPATCH,
        {"kind": "professional", "lead_department_id": tree.department.pk},
    )
    Matter.objects.filter(pk=department_matter.pk).update(overdue_count=2)

    assert {m.number for m in matters_for_notice(user=staff.dispatcher)} == {
        twice.number,
        thrice.number,
        department_matter.number,
    }
    groups = {(group.label, group.count) for group in notice_groups(user=staff.dispatcher)}
    assert groups == {(tree.street.name, 2), (tree.department.name, 1)}

    html = overview(client_for(staff.dispatcher), "notice")
    assert twice.number in html
    assert thrice.number in html
    assert department_matter.number in html
    assert once.number not in html
    assert 'data-testid="notice-groups"' in html
    assert 'data-testid="count-notice">3<' in html
    # The matter page flags it too.
    page = client_for(staff.dispatcher).get(reverse("matters:detail", args=[twice.number])).content.decode()
    assert 'data-testid="notice-flag"' in page
    page = client_for(staff.dispatcher).get(reverse("matters:detail", args=[once.number])).content.decode()
    assert 'data-testid="notice-flag"' not in page


def test_the_overview_keeps_to_the_users_area(tree: CityTree, staff: LoopStaff) -> None:
    mine = filed(tree)
    set_deadline(mine, due_in=timedelta(hours=-1), urge_count=2)
    for listed in ("overdue", "notice"):
        assert mine.number in overview(client_for(staff.community), listed)
        assert mine.number not in overview(client_for(staff.other_community), listed)


def test_the_overview_pages_a_long_list(tree: CityTree, staff: LoopStaff) -> None:
    matters = [filed(tree) for _ in range(3)]
    for matter in matters:
        set_deadline(matter, due_in=timedelta(hours=-1))
    client = client_for(staff.dispatcher)
    html = overview(client, "nonsense")  # an unknown list is the default one
    assert all(m.number in html for m in matters)
    assert client.get(reverse("supervision:overview") + "?page=99").status_code == 200


def test_the_overview_needs_a_staff_member_who_sees_matters(tree: CityTree) -> None:
    url = reverse("supervision:overview")
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))
    assert client_for(make_resident_user(phone="13700001111")).get(url).status_code == 403
    admin = make_staff(role=Role.SYSTEM_ADMIN, place=tree.city, username="sysadmin")
    assert client_for(admin).get(url).status_code == 403


# --- a whistle's board ---------------------------------------------------------------------------------------


def test_the_whistle_board_shows_each_called_unit_with_its_status(
    tree: CityTree, staff: LoopStaff, departments: list[Department]
) -> None:
    matter = led_by_the_street(tree, staff)
    whistle = whistled(staff, matter, departments)
    first, _second, third = UnitTask.objects.filter(whistle=whistle).order_by("id")
    move(handler_of(departments[0]), matter, Action.REPORT, {"task_id": first.pk, "action": "已派执法队员到场。"})
    UnitTask.objects.filter(pk=third.pk).update(due_at=timezone.now() - timedelta(minutes=1))

    response = client_for(staff.dispatcher).get(reverse("supervision:whistle", args=[whistle.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert matter.number in html
    assert "占道经营" in html  # the whistle's note
    assert tree.street.name in html  # who whistled
    assert "已派执法队员到场。" in html  # the report
    statuses = {row.task.department_id: row.status for row in response.context["board"].rows}
    assert statuses == {departments[0].pk: "reported", departments[1].pk: "waiting", departments[2].pk: "late"}
    assert html.count('data-status="late"') >= 1
    assert "table-danger" in html
    assert "Not yet concluded." in html

    move(
        staff.dispatcher, matter, Action.CONCLUDE_WHISTLE, {"whistle_id": whistle.pk, "result": "三部门联合整治完毕。"}
    )
    html = client_for(staff.dispatcher).get(reverse("supervision:whistle", args=[whistle.pk])).content.decode()
    assert "三部门联合整治完毕。" in html
    assert 'data-testid="concluded"' in html


def test_the_matter_page_links_its_whistles(tree: CityTree, staff: LoopStaff, departments: list[Department]) -> None:
    matter = led_by_the_street(tree, staff)
    whistle = whistled(staff, matter, departments[:2])
    html = client_for(staff.dispatcher).get(reverse("matters:detail", args=[matter.number])).content.decode()
    assert reverse("supervision:whistle", args=[whistle.pk]) in html
    assert html.count('data-testid="task"') == 2


def test_a_called_department_sees_the_board_and_others_do_not(
    tree: CityTree, staff: LoopStaff, departments: list[Department]
) -> None:
    matter = led_by_the_street(tree, staff)
    whistle = whistled(staff, matter, departments[:1])
    url = reverse("supervision:whistle", args=[whistle.pk])
    assert client_for(handler_of(departments[0])).get(url).status_code == 200  # co-handling now
    assert client_for(handler_of(departments[1])).get(url).status_code == 404  # not called
    assert client_for(staff.other_community).get(url).status_code == 404
    assert client_for(staff.dispatcher).get(reverse("supervision:whistle", args=[whistle.pk + 1000])).status_code == 404
    assert client_for(make_resident_user(phone="13700001111")).get(url).status_code == 403
    assert Client().get(url).status_code == 302


# --- the hard-matter board -----------------------------------------------------------------------------------


def hard_board(client: Client, query: str = "") -> Any:
    response = client.get(reverse("supervision:hard") + query)
    assert response.status_code == 200
    return response


def test_the_hard_board_shows_hard_matters_by_level(
    tree: CityTree, staff: LoopStaff, departments: list[Department]
) -> None:
    waiting = filed(tree, kind=MatterKind.HARD)  # not dispatched yet: level 0
    first = led_by_the_street(tree, staff, kind=MatterKind.HARD)
    consulted = led_by_the_street(tree, staff, kind=MatterKind.HARD)
    ordinary = led_by_the_street(tree, staff)
    move(staff.operator, consulted, Action.ESCALATE, note="涉及多个部门职责交叉，提请联合会商。")
    move(
        staff.operator,
        consulted,
        Action.RECORD_MEETING,
        {
            "held_on": date.today().isoformat(),
            "participants": "区住建局、区城管局、望江街道",
            "analysis": "职责交叉。",
            "decision": "区住建局牵头。",
            "tasks": [{"unit": f"d:{departments[0].pk}", "task": "牵头整治", "days": 5}],
        },
    )
    Matter.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=12))

    response = hard_board(client_for(staff.operator))
    html = response.content.decode()
    columns = {column["level"]: [m.number for m in column["matters"]] for column in response.context["columns"]}
    assert columns[0] == [waiting.number]
    assert columns[1] == [first.number]
    assert columns[2] == [consulted.number]
    assert columns[3] == []
    assert ordinary.number not in html
    shown = {m.number: m for column in response.context["columns"] for m in column["matters"]}
    assert shown[consulted.number].meeting_count == 1
    assert fresh(consulted).hard_stage == HardStage.CONSULTED
    assert 'data-reached="3"' in html  # 接 判 会商: the third of seven steps
    assert "12 days" in html  # the age of the first
    assert JointMeeting.objects.filter(matter=consulted).count() == 1

    only_two = hard_board(client_for(staff.operator), "?level=2")
    assert consulted.number in only_two.content.decode()
    assert first.number not in only_two.content.decode()
    assert [m.number for m in only_two.context["page_obj"]] == [consulted.number]
    assert hard_board(client_for(staff.operator), "?level=9").status_code == 200  # an invalid filter is ignored


def test_the_hard_board_keeps_closed_matters_until_their_results_are_used(tree: CityTree, staff: LoopStaff) -> None:
    pending, used = filed(tree, kind=MatterKind.HARD), filed(tree, kind=MatterKind.HARD)
    Matter.objects.filter(pk=pending.pk).update(state=MatterState.CLOSED, hard_level=1, hard_stage=HardStage.EVALUATED)
    Matter.objects.filter(pk=used.pk).update(state=MatterState.CLOSED, hard_level=1, hard_stage=HardStage.USED)
    html = hard_board(client_for(staff.operator)).content.decode()
    assert pending.number in html
    assert used.number not in html


def test_the_hard_board_is_the_dispatch_centres_and_keeps_to_its_area(tree: CityTree, staff: LoopStaff) -> None:
    matter = led_by_the_street(tree, staff, kind=MatterKind.HARD)
    url = reverse("supervision:hard")
    assert client_for(staff.dispatcher).get(url).status_code == 403  # a street supervises but does not escalate
    assert client_for(staff.department).get(url).status_code == 403
    assert Client().get(url).status_code == 302
    centre = Department.objects.create(
        code="D520103999", name="西山区联合调度中心", place=tree.district2, kind=DepartmentKind.DISPATCH_CENTRE
    )
    elsewhere = make_staff(role=Role.DISPATCH_CENTRE, place=tree.district2, department=centre, username="centre2")
    assert matter.number not in hard_board(client_for(elsewhere)).content.decode()
    assert matter.number in hard_board(client_for(staff.operator)).content.decode()


def test_the_navigation_links_the_pages_by_permission(tree: CityTree, staff: LoopStaff) -> None:
    street = client_for(staff.dispatcher).get(reverse("staff-home")).content.decode()
    assert reverse("supervision:overview") in street
    assert reverse("supervision:hard") not in street
    centre = client_for(staff.operator).get(reverse("staff-home")).content.decode()
    assert reverse("supervision:hard") in centre
