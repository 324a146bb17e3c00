"""The outbox: which moves become deliveries, for which endpoints, with what body; written with the move's transaction
or not at all, and sent by a task enqueued only after the commit."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from gridwork.accounts.models import User
from gridwork.matters import services as matter_services
from gridwork.matters.models import Matter, MatterEvent
from gridwork.matters.services import matter_transition
from gridwork.matters.tests.factories import LoopStaff, file_in_building, make_loop_staff
from gridwork.matters.workflow import TRANSITIONS, Action, ClosureReason, MatterKind, MatterState, Satisfaction
from gridwork.places.tests.factories import CityTree
from gridwork.webhooks.events import WebhookEvent, event_type_for
from gridwork.webhooks.models import DeliveryStatus, WebhookDelivery
from gridwork.webhooks.services import endpoint_deactivate
from gridwork.webhooks.tests.factories import (
    ALL_EVENTS,
    file_hotline_matter,
    make_admin,
    make_endpoint,
    through_the_loop,
)

pytestmark = pytest.mark.django_db

URL = "https://12345.example.gov.cn/hook"
DELIVER_TASK = "gridwork.webhooks.tasks.deliver"


@pytest.fixture
def admin(tree: CityTree) -> User:
    return make_admin(tree)


@pytest.fixture
def staff(tree: CityTree) -> LoopStaff:
    return make_loop_staff(tree)


def _events(matter: Matter, endpoint_id: int | None = None) -> list[str]:
    deliveries = WebhookDelivery.objects.filter(matter=matter).order_by("id")
    if endpoint_id is not None:
        deliveries = deliveries.filter(endpoint_id=endpoint_id)
    return [delivery.event_type for delivery in deliveries]


@pytest.mark.parametrize(
    ("action", "to_state", "expected"),
    [
        (Action.FILE, MatterState.SUBMITTED, WebhookEvent.CREATED),
        (Action.DISPATCH, MatterState.DISPATCHED, WebhookEvent.DISPATCHED),
        (Action.OVERRULE, MatterState.DISPATCHED, WebhookEvent.DISPATCHED),
        (Action.REPLY, MatterState.REPLIED, WebhookEvent.REPLIED),
        (Action.VERIFY_CLOSE, MatterState.CLOSED, WebhookEvent.CLOSED),
        (Action.CLOSE_BY_AGREEMENT, MatterState.CLOSED, WebhookEvent.CLOSED),
        (Action.DISCARD, MatterState.CLOSED, WebhookEvent.CLOSED),
        (Action.RATE, MatterState.CLOSED, WebhookEvent.CLOSED),  # a rating that closes is a close
        (Action.RATE, MatterState.TO_VERIFY, None),
        (Action.RATE, MatterState.IN_PROGRESS, None),
        (Action.ACCEPT, MatterState.IN_PROGRESS, None),
        (Action.RETURN, MatterState.RETURNED, None),
        (Action.URGE, MatterState.IN_PROGRESS, None),
    ],
)
def test_the_event_of_each_move(action: str, to_state: str, expected: str | None) -> None:
    assert event_type_for(action, to_state) == expected


def test_every_other_action_is_silent() -> None:
    loud = {Action.FILE, Action.DISPATCH, Action.OVERRULE, Action.REPLY}
    for action in set(TRANSITIONS) - loud:
        assert event_type_for(action, MatterState.IN_PROGRESS) is None, action


def test_a_whole_loop_writes_one_delivery_per_event_with_its_state(
    tree: CityTree, admin: User, staff: LoopStaff
) -> None:
    endpoint = make_endpoint(admin, url=URL, place=tree.city)
    matter = file_hotline_matter(tree)
    closed = through_the_loop(tree, staff, matter)

    deliveries = list(WebhookDelivery.objects.filter(matter=matter).order_by("id"))
    assert [d.event_type for d in deliveries] == ALL_EVENTS  # accept, progress and rate say nothing
    assert {d.endpoint_id for d in deliveries} == {endpoint.pk}
    assert all(d.status == DeliveryStatus.PENDING and d.attempts == 0 for d in deliveries)
    created, dispatched, replied, closing = (d.payload for d in deliveries)

    assert created["id"] == str(deliveries[0].public_id)
    assert created["event"] == "matter.created"
    assert created["action"] == "file"
    assert created["occurred_at"].endswith("+08:00")
    assert created["matter"] == {
        "number": matter.number,
        "external_ref": "12345-20261012-0001",
        "channel": "hotline",
        "state": "submitted",
        "status": "open",
        "category_code": matter.category.code if matter.category else None,
        "kind": MatterKind.PROFESSIONAL,
        "lead_unit": None,
        "reply_text": None,
        "satisfaction": None,
        "closure_reason": None,
        "updated_at": created["matter"]["updated_at"],
        "version": 1,
    }
    assert dispatched["matter"]["state"] == "dispatched"
    assert dispatched["matter"]["lead_unit"] == tree.department.name
    assert dispatched["matter"]["version"] == 2
    assert replied["matter"]["state"] == "replied"
    assert replied["matter"]["reply_text"] == "已更换灯具，恢复照明。"
    assert closing["event"] == "matter.closed"
    assert closing["action"] == "verify_close"
    assert closing["matter"]["status"] == "closed"
    assert closing["matter"]["satisfaction"] == Satisfaction.SATISFIED
    assert closing["matter"]["closure_reason"] == ClosureReason.RESOLVED
    assert closing["matter"]["reply_text"] == "已更换灯具，恢复照明。"
    assert closing["matter"]["version"] == closed.version
    # Each delivery points at the event it announces.
    assert [d.matter_event.action for d in deliveries] == ["file", "dispatch", "reply", "verify_close"]


def test_no_personal_data_leaves_in_a_body(tree: CityTree, admin: User) -> None:
    make_endpoint(admin, url=URL, place=tree.city)
    matter = file_hotline_matter(tree, reporter_name="张三丰", reporter_phone="13912345678", address="春晖路1号")
    body = WebhookDelivery.objects.get(matter=matter).body
    for secret in ("张三丰", "13912345678", "春晖路1号", matter.text[:10]):
        assert secret not in body
    assert json.loads(body)["matter"]["number"] == matter.number


def test_a_discard_and_an_overrule_are_announced(tree: CityTree, admin: User, staff: LoopStaff) -> None:
    make_endpoint(admin, url=URL, place=tree.city)
    kept = file_hotline_matter(tree, external_ref="A-1")
    matter_transition(
        actor=staff.dispatcher,
        matter_id=kept.pk,
        action=Action.DISPATCH,
        data={"kind": MatterKind.PROFESSIONAL, "lead_place_id": tree.community.pk},
    )
    matter_transition(actor=staff.community, matter_id=kept.pk, action=Action.RETURN, note="不属于本社区")
    matter_transition(actor=staff.dispatcher, matter_id=kept.pk, action=Action.OVERRULE, note="属于本社区")
    assert _events(kept) == ["matter.created", "matter.dispatched", "matter.dispatched"]
    overruled = WebhookDelivery.objects.filter(matter=kept).order_by("id").last()
    assert overruled is not None
    assert overruled.payload["action"] == "overrule"
    assert overruled.payload["matter"]["lead_unit"] == tree.community.name

    discarded = file_hotline_matter(tree, external_ref="A-2")
    matter_transition(
        actor=staff.dispatcher, matter_id=discarded.pk, action=Action.DISCARD, data={"reason": ClosureReason.INVALID}
    )
    closing = WebhookDelivery.objects.filter(matter=discarded).order_by("id").last()
    assert closing is not None
    assert (closing.event_type, closing.payload["action"]) == ("matter.closed", "discard")
    assert closing.payload["matter"]["closure_reason"] == "invalid"
    assert closing.payload["matter"]["reply_text"] is None


def test_endpoints_hear_only_their_area_channel_and_events(tree: CityTree, admin: User, staff: LoopStaff) -> None:
    whole_city = make_endpoint(admin, url=URL, place=tree.city, name="city")
    own_community = make_endpoint(admin, url=URL, place=tree.community, name="community")
    sibling_community = make_endpoint(admin, url=URL, place=tree.community2, name="sibling")
    other_district = make_endpoint(admin, url=URL, place=tree.district2, name="district2")
    hotline_only = make_endpoint(admin, url=URL, place=tree.city, channel="hotline", name="hotline")
    closes_only = make_endpoint(admin, url=URL, place=tree.city, events=["matter.closed"], name="closes")
    switched_off = make_endpoint(admin, url=URL, place=tree.city, name="off")
    endpoint_deactivate(actor=admin, endpoint=switched_off)

    resident = Matter.objects.get(pk=file_in_building(tree, channel="resident_web").matter_id)
    hotline = file_hotline_matter(tree)
    through_the_loop(tree, staff, hotline)

    assert _events(resident, whole_city.pk) == ["matter.created"]
    assert _events(resident, own_community.pk) == ["matter.created"]
    assert _events(resident, hotline_only.pk) == []
    assert _events(hotline, hotline_only.pk) == ALL_EVENTS
    assert _events(hotline, closes_only.pk) == ["matter.closed"]
    for silent in (sibling_community, other_district, switched_off):
        assert not WebhookDelivery.objects.filter(endpoint=silent).exists(), silent.name


def test_without_endpoints_a_move_writes_nothing_and_enqueues_nothing(
    tree: CityTree, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        file_in_building(tree)
    assert WebhookDelivery.objects.count() == 0
    assert not DBTaskResult.objects.filter(task_path=DELIVER_TASK).exists()


def test_each_delivery_is_sent_by_a_task_enqueued_after_the_commit(
    tree: CityTree, admin: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    make_endpoint(admin, url=URL, place=tree.city, name="one")
    make_endpoint(admin, url=URL, place=tree.city, name="two")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        matter = file_hotline_matter(tree)
    assert WebhookDelivery.objects.filter(matter=matter).count() == 2
    assert not DBTaskResult.objects.filter(task_path=DELIVER_TASK).exists()  # nothing before the commit

    for callback in callbacks:
        callback()
    enqueued = sorted(row.args_kwargs["args"][0] for row in DBTaskResult.objects.filter(task_path=DELIVER_TASK))
    assert enqueued == sorted(WebhookDelivery.objects.filter(matter=matter).values_list("pk", flat=True))


def test_a_failed_enqueue_loses_nothing(
    tree: CityTree,
    admin: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("queue down")

    make_endpoint(admin, url=URL, place=tree.city)
    monkeypatch.setattr(DatabaseBackend, "enqueue", broken)
    with django_capture_on_commit_callbacks(execute=True):
        matter = file_hotline_matter(tree)  # the filing is not undone, and does not fail
    delivery = WebhookDelivery.objects.get(matter=matter)
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.next_attempt_at is not None  # due now: the periodic retry sends it


def test_a_filing_that_rolls_back_leaves_no_delivery_and_no_task(
    tree: CityTree,
    admin: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    """The process fails after the deliveries were written, before the filing's transaction commits."""
    make_endpoint(admin, url=URL, place=tree.city)
    written: list[int] = []

    def fail_after_the_outbox(matter: Matter, event: MatterEvent, *args: Any) -> None:
        written.append(WebhookDelivery.objects.filter(matter_event=event).count())
        raise RuntimeError("disk full")

    monkeypatch.setattr(matter_services, "_save_photos", fail_after_the_outbox)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        file_hotline_matter(tree)
    assert written == [1]  # the delivery was written inside the transaction …
    assert Matter.objects.count() == 0  # … and rolled back with the matter
    assert WebhookDelivery.objects.count() == 0
    assert not DBTaskResult.objects.filter(task_path=DELIVER_TASK).exists()


def test_a_move_that_rolls_back_leaves_no_delivery(tree: CityTree, admin: User, staff: LoopStaff) -> None:
    make_endpoint(admin, url=URL, place=tree.city)
    matter = file_hotline_matter(tree)
    seen: list[list[str]] = []

    def dispatch_then_fail() -> None:
        with transaction.atomic():
            matter_transition(
                actor=staff.dispatcher,
                matter_id=matter.pk,
                action=Action.DISPATCH,
                data={"kind": MatterKind.PROFESSIONAL, "lead_department_id": tree.department.pk},
            )
            seen.append(_events(matter))
            raise RuntimeError("the caller's transaction fails")

    with pytest.raises(RuntimeError):
        dispatch_then_fail()
    assert seen == [["matter.created", "matter.dispatched"]]
    assert _events(matter) == ["matter.created"]
    assert Matter.objects.get(pk=matter.pk).state == MatterState.SUBMITTED
