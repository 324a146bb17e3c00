"""The shared engine of the smaller workflows (gridwork/common/flows.py), on a table of its own over the micro-wish
model: the moves it allows and refuses, the compare-and-set, the event log."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction
from django.utils import translation

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.common.flows import Flow, Move, MoveRefused, StaleState, flow_move, flow_start
from gridwork.places.tests.factories import CityTree
from gridwork.wishes.models import Wish, WishEvent, WishState

pytestmark = pytest.mark.django_db

FLOW = Flow(
    subject="wish",
    states=WishState,
    initial=WishState.SUBMITTED,
    moves={
        "publish": Move(frozenset({WishState.SUBMITTED}), WishState.PUBLISHED, "Publish"),
        "note": Move(frozenset({WishState.SUBMITTED, WishState.PUBLISHED}), WishState.PUBLISHED),
        "cancel": Move(frozenset({WishState.SUBMITTED, WishState.PUBLISHED}), WishState.CANCELLED, "Withdraw"),
    },
)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def staff(tree: CityTree) -> User:
    return make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="community")


def _wish(tree: CityTree, staff: User) -> Wish:
    wish = Wish(
        title="轮椅一台",
        value=Decimal("300"),
        beneficiary_name="王大爷",
        community=tree.community,
        posted_by=staff,
        on_behalf=True,
    )
    return flow_start(wish, flow=FLOW, actor=staff, note="posted")


def test_a_start_and_a_move_keep_state_version_and_events_in_step(tree: CityTree, staff: User) -> None:
    wish = _wish(tree, staff)
    assert (wish.state, wish.version) == (WishState.SUBMITTED, 1)
    event = flow_move(wish, flow=FLOW, action="publish", actor=staff, note="ok", data={"by": "review"})
    stored = Wish.objects.get(pk=wish.pk)
    assert (stored.state, stored.version) == (WishState.PUBLISHED, 2) == (wish.state, wish.version)
    assert event.sequence == 2
    events = list(WishEvent.objects.filter(subject=wish).values_list("sequence", "action", "from_state", "to_state"))
    assert events == [(1, "create", "", "submitted"), (2, "publish", "submitted", "published")]
    assert WishEvent.objects.get(subject=wish, sequence=2).actor_name == staff.get_username()


def test_a_move_from_a_state_the_table_does_not_list_is_refused_and_saves_nothing(tree: CityTree, staff: User) -> None:
    wish = _wish(tree, staff)
    flow_move(wish, flow=FLOW, action="cancel", actor=staff)
    with pytest.raises(MoveRefused) as refused:
        flow_move(wish, flow=FLOW, action="publish", actor=staff)
    assert str(refused.value) == "“Publish” is not possible while the wish is “Withdrawn”."
    with pytest.raises(MoveRefused):
        flow_move(wish, flow=FLOW, action="no-such-action", actor=staff)
    assert Wish.objects.get(pk=wish.pk).version == 2
    assert WishEvent.objects.filter(subject=wish).count() == 2


def test_the_second_of_two_moves_from_the_same_version_loses_and_changes_nothing(tree: CityTree, staff: User) -> None:
    wish = _wish(tree, staff)
    first, second = Wish.objects.get(pk=wish.pk), Wish.objects.get(pk=wish.pk)
    flow_move(first, flow=FLOW, action="publish", actor=staff, changes={"title": "轮椅"})
    with pytest.raises(StaleState):
        flow_move(second, flow=FLOW, action="cancel", actor=staff, changes={"title": "不要了"})
    stored = Wish.objects.get(pk=wish.pk)
    assert (stored.state, stored.version, stored.title) == (WishState.PUBLISHED, 2, "轮椅")
    assert list(WishEvent.objects.filter(subject=wish).values_list("action", flat=True)) == ["create", "publish"]


def test_a_move_made_on_a_stale_page_is_refused(tree: CityTree, staff: User) -> None:
    wish = _wish(tree, staff)
    flow_move(wish, flow=FLOW, action="note", actor=staff)
    with pytest.raises(StaleState):
        flow_move(wish, flow=FLOW, action="cancel", actor=staff, expected_version=1)
    flow_move(wish, flow=FLOW, action="cancel", actor=staff, expected_version=2)
    assert Wish.objects.get(pk=wish.pk).state == WishState.CANCELLED


def test_the_event_log_cannot_be_changed(tree: CityTree, staff: User) -> None:
    wish = _wish(tree, staff)
    with pytest.raises(DatabaseError), transaction.atomic():
        WishEvent.objects.filter(subject=wish).update(note="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        WishEvent.objects.filter(subject=wish).delete()
    assert WishEvent.objects.get(subject=wish).note == "posted"


def test_a_table_naming_a_state_its_choices_lack_is_refused_at_once() -> None:
    with pytest.raises(ValueError, match="states not in WishState"):
        Flow(
            subject="wish",
            states=WishState,
            initial=WishState.SUBMITTED,
            moves={"fly": Move(frozenset({"submitted"}), "flying")},
        )
    assert FLOW.allowed(WishState.PUBLISHED) == ["note", "cancel"]
