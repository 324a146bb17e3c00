"""Who hears of a supervision move: the unit of an order or an urging, each called unit of a whistle."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from gridwork.matters.tests.factories import LoopStaff, make_loop_staff
from gridwork.matters.workflow import Action
from gridwork.notifications.models import Notification
from gridwork.places.models import Department
from gridwork.places.tests.factories import CityTree
from gridwork.supervision.tests.factories import T0, handler_of, led_by_the_community, make_departments, move

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(tree: CityTree) -> LoopStaff:
    return make_loop_staff(tree)


@pytest.fixture
def departments(tree: CityTree) -> list[Department]:
    return make_departments(tree, 3)


def texts_of(user: Any) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("text", flat=True))


def test_an_order_and_an_urging_reach_the_unit(
    tree: CityTree, staff: LoopStaff, django_capture_on_commit_callbacks: Any
) -> None:
    matter = led_by_the_community(tree, staff)
    with django_capture_on_commit_callbacks(execute=True):
        move(staff.dispatcher, matter, Action.URGE, note="请抓紧", now=T0 + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        move(
            staff.dispatcher,
            matter,
            Action.SUPERVISE,
            {"due_at": (T0 + timedelta(days=2)).isoformat()},
            note="两日内答复",
            now=T0 + timedelta(hours=2),
        )
    received = texts_of(staff.community)
    assert any(matter.number in text and "请抓紧" in text for text in received)
    assert any(matter.number in text and "两日内答复" in text for text in received)
    assert not any(matter.number in text and "两日内答复" in text for text in texts_of(staff.dispatcher))


def test_a_whistle_reaches_each_called_department_once(
    tree: CityTree, staff: LoopStaff, departments: list[Department], django_capture_on_commit_callbacks: Any
) -> None:
    matter = led_by_the_community(tree, staff)
    calls = [{"unit": f"d:{d.pk}", "task": f"{d.name}到场"} for d in departments[:2]]
    with django_capture_on_commit_callbacks(execute=True):
        move(staff.community, matter, Action.WHISTLE, {"calls": calls}, note="联合处置", now=T0 + timedelta(hours=1))
    for department in departments[:2]:
        received = [text for text in texts_of(handler_of(department)) if matter.number in text]
        assert len(received) == 1
        assert f"{department.name}到场" in received[0]
    assert not [text for text in texts_of(handler_of(departments[2])) if matter.number in text]
