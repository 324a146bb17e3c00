"""Filing and moving matters through the services, as the right and the wrong users."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from gridwork.matters.models import Matter, MatterEvent
from gridwork.matters.services import (
    ConcurrentChange,
    Idempotency,
    IdempotencyConflict,
    MatterNotFound,
    NotAllowed,
    matter_file,
    matter_receipt_lookup,
    matter_transition,
    snapshot_of,
)
from gridwork.matters.tests.factories import file_in_building, make_loop_staff
from gridwork.matters.workflow import Action, MatterState, Satisfaction, TransitionRefused, replay
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


def _dispatch_to_department(tree: CityTree, matter_id: int, dispatcher: object) -> Matter:
    return matter_transition(
        actor=dispatcher,
        matter_id=matter_id,
        action=Action.DISPATCH,
        data={"kind": "professional", "lead_department_id": tree.department.pk},
    )


def test_filing_numbers_locates_and_records_the_first_event(tree: CityTree) -> None:
    receipt = file_in_building(tree, reporter_phone="13812345678")
    matter = Matter.objects.get(pk=receipt.matter_id)
    assert matter.number.startswith("GW")
    assert len(matter.number) == 17
    assert (matter.grid, matter.community, matter.street, matter.district) == (
        tree.grid,
        tree.community,
        tree.street,
        tree.district,
    )
    assert matter.state == MatterState.SUBMITTED
    assert list(matter.events.values_list("sequence", "action")) == [(1, Action.FILE)]
    assert receipt.tracking_code
    assert matter_receipt_lookup(number=matter.number, tracking_code=receipt.tracking_code)
    assert matter_receipt_lookup(number=matter.number, tracking_code="WRONG-CODE1") is None


def test_numbers_are_sequential_within_a_day(tree: CityTree) -> None:
    first = file_in_building(tree)
    second = file_in_building(tree)
    assert int(second.number[-7:]) == int(first.number[-7:]) + 1


@pytest.mark.parametrize("text", ["短", "x" * 2001, "    "])
def test_text_length_is_enforced(tree: CityTree, text: str) -> None:
    with pytest.raises(ValidationError) as error:
        file_in_building(tree, text=text)
    assert "text" in error.value.message_dict
    assert Matter.objects.count() == 0


def test_a_pin_outside_the_city_is_refused_and_nothing_saved(tree: CityTree) -> None:
    with pytest.raises(ValidationError) as error:
        matter_file(actor=None, channel="resident_web", text="路灯坏了好几天了", latitude=10.0, longitude=10.0)
    assert "location" in error.value.message_dict
    assert Matter.objects.count() == 0


def test_idempotent_retry_returns_the_same_receipt_and_a_changed_body_conflicts(tree: CityTree) -> None:
    key = Idempotency(scope="form", key="token-1", request_hash="h1")
    first = file_in_building(tree, idempotency=key)
    again = file_in_building(tree, idempotency=key)
    assert (again.matter_id, again.number, again.tracking_code, again.replayed) == (
        first.matter_id,
        first.number,
        first.tracking_code,
        True,
    )
    assert Matter.objects.count() == 1
    with pytest.raises(IdempotencyConflict):
        file_in_building(tree, idempotency=Idempotency(scope="form", key="token-1", request_hash="h2"))


def test_the_whole_loop_as_the_right_users(tree: CityTree) -> None:
    staff = make_loop_staff(tree)
    matter_id = file_in_building(tree).matter_id
    _dispatch_to_department(tree, matter_id, staff.dispatcher)
    matter_transition(actor=staff.department, matter_id=matter_id, action=Action.RETURN, note="非本部门职责")
    matter_transition(actor=staff.dispatcher, matter_id=matter_id, action=Action.OVERRULE, note="属于住建职责")
    matter_transition(actor=staff.department, matter_id=matter_id, action=Action.ACCEPT)
    matter_transition(
        actor=staff.department, matter_id=matter_id, action=Action.REQUEST_EXTENSION, data={"days": 3}, note="需采购"
    )
    matter_transition(
        actor=staff.dispatcher, matter_id=matter_id, action=Action.DECIDE_EXTENSION, data={"approved": True, "days": 3}
    )
    matter_transition(actor=staff.department, matter_id=matter_id, action=Action.REPLY, data={"text": "已更换灯具"})
    matter_transition(
        actor=staff.operator, matter_id=matter_id, action=Action.RATE, data={"satisfaction": Satisfaction.UNSATISFIED}
    )
    matter_transition(actor=staff.department, matter_id=matter_id, action=Action.REPLY, data={"text": "再次检修"})
    matter_transition(
        actor=staff.operator, matter_id=matter_id, action=Action.RATE, data={"satisfaction": Satisfaction.SATISFIED}
    )
    matter = matter_transition(actor=staff.dispatcher, matter_id=matter_id, action=Action.VERIFY_CLOSE)
    assert (matter.state, matter.return_count, matter.reopen_count, matter.extension_days, matter.version) == (
        MatterState.CLOSED,
        1,
        1,
        3,
        12,
    )
    events = list(matter.events.order_by("sequence").values_list("action", "data"))
    assert replay(events) == snapshot_of(matter)
    with pytest.raises(TransitionRefused):
        matter_transition(actor=staff.dispatcher, matter_id=matter_id, action=Action.VERIFY_CLOSE)


def test_wrong_users_are_refused_and_nothing_changes(tree: CityTree) -> None:
    staff = make_loop_staff(tree)
    matter_id = file_in_building(tree).matter_id
    with pytest.raises(MatterNotFound):  # out of scope: as if it did not exist
        _dispatch_to_department(tree, matter_id, staff.other_community)
    with pytest.raises(NotAllowed):  # in scope, but a grid worker does not dispatch
        _dispatch_to_department(tree, matter_id, staff.grid_worker)
    _dispatch_to_department(tree, matter_id, staff.dispatcher)
    with pytest.raises(NotAllowed):  # only the lead unit accepts
        matter_transition(actor=staff.community, matter_id=matter_id, action=Action.ACCEPT)
    with pytest.raises(TransitionRefused):  # replying to a matter not accepted
        matter_transition(actor=staff.department, matter_id=matter_id, action=Action.REPLY, data={"text": "x"})
    matter = Matter.objects.get(pk=matter_id)
    assert (matter.state, matter.version, matter.events.count()) == (MatterState.DISPATCHED, 2, 2)


def test_department_sees_only_what_is_dispatched_to_it(tree: CityTree) -> None:
    from gridwork.accounts.roles import Perm

    staff = make_loop_staff(tree)
    matter_id = file_in_building(tree).matter_id
    assert not Matter.objects.restrict(staff.department, Perm.VIEW_MATTERS).filter(pk=matter_id).exists()
    _dispatch_to_department(tree, matter_id, staff.dispatcher)
    assert Matter.objects.restrict(staff.department, Perm.VIEW_MATTERS).filter(pk=matter_id).exists()


def test_dispatch_to_a_unit_that_cannot_act_there_is_refused(tree: CityTree) -> None:
    staff = make_loop_staff(tree)
    matter_id = file_in_building(tree).matter_id
    with pytest.raises(ValidationError) as error:
        matter_transition(
            actor=staff.dispatcher,
            matter_id=matter_id,
            action=Action.DISPATCH,
            data={"kind": "community", "lead_place_id": tree.community2.pk},
        )
    assert "lead_unit" in error.value.message_dict


def test_a_stale_version_is_a_conflict(tree: CityTree) -> None:
    staff = make_loop_staff(tree)
    matter_id = file_in_building(tree).matter_id
    with pytest.raises(ConcurrentChange):
        matter_transition(
            actor=staff.dispatcher,
            matter_id=matter_id,
            action=Action.DISPATCH,
            data={"kind": "professional", "lead_department_id": tree.department.pk},
            expected_version=0,
        )
    assert MatterEvent.objects.filter(matter_id=matter_id).count() == 1


def test_allowed_actions_follow_the_table_and_the_posts(tree: CityTree) -> None:
    staff = make_loop_staff(tree)
    matter_id = file_in_building(tree).matter_id
    matter = Matter.objects.get(pk=matter_id)
    from gridwork.matters.services import matter_allowed_actions

    assert set(matter_allowed_actions(actor=staff.dispatcher, matter=matter)) == {Action.DISPATCH, Action.DISCARD}
    assert matter_allowed_actions(actor=staff.grid_worker, matter=matter) == []
    matter = _dispatch_to_department(tree, matter_id, staff.dispatcher)
    assert set(matter_allowed_actions(actor=staff.department, matter=matter)) == {Action.ACCEPT, Action.RETURN}
