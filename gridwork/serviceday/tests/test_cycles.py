"""Cycles: opening (once per community and month), completing each stage — not before the calendar allows, not
without its work, not on a stale page, not outside one's area — the late flags that follow, and the events."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.places.tests.factories import CityTree
from gridwork.serviceday.calendar import late_stages
from gridwork.serviceday.models import CycleEvent, CycleState, Item, ItemRating, ServiceCycle
from gridwork.serviceday.services.cycles import cycle_complete_stage, cycle_open, cycles_open_month
from gridwork.serviceday.services.items import ItemInput, item_create, item_record_result
from gridwork.serviceday.tests.factories import (
    MONTH,
    YEAR,
    at,
    community_staff,
    complete,
    cycle_at,
    open_cycle,
    staff_opinion,
    verified_resident,
)

pytestmark = pytest.mark.django_db


def test_a_cycle_opens_collecting_with_its_first_event_and_only_once(tree: CityTree) -> None:
    cycle, created = cycle_open(community=tree.community, year=YEAR, month=MONTH, at=at(date(YEAR, MONTH, 1)))
    again, created_again = cycle_open(community=tree.community, year=YEAR, month=MONTH)
    assert created
    assert not created_again
    assert again.pk == cycle.pk
    assert cycle.state == CycleState.COLLECT
    assert [(e.sequence, e.action, e.to_state) for e in CycleEvent.objects.filter(subject=cycle)] == [
        (1, "create", "collect")
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceCycle.objects.create(community=tree.community, year=YEAR, month=MONTH, opened_at=cycle.opened_at)


def test_only_a_community_holds_a_service_day(tree: CityTree) -> None:
    with pytest.raises(ValidationError) as refused:
        cycle_open(community=tree.grid, year=YEAR, month=MONTH)
    assert "community" in refused.value.message_dict
    assert not ServiceCycle.objects.exists()


def test_the_month_opens_a_cycle_for_every_community_once(tree: CityTree) -> None:
    assert cycles_open_month(on=date(YEAR, MONTH, 1)) == 2  # 春晖 and 秋实
    assert cycles_open_month(on=date(YEAR, MONTH, 2)) == 0
    assert set(ServiceCycle.objects.values_list("community", "year", "month")) == {
        (tree.community.pk, YEAR, MONTH),
        (tree.community2.pk, YEAR, MONTH),
    }


def test_the_stages_complete_in_order_on_time_and_the_cycle_closes(tree: CityTree) -> None:
    staff = community_staff(tree.community)
    cycle = cycle_at(tree.community, staff, CycleState.CLOSED)
    assert cycle.state == CycleState.CLOSED
    assert cycle.collect_done_on == date(2026, 3, 15)
    assert cycle.sort_done_on == date(2026, 3, 25)
    assert cycle.serve_done_on == date(2026, 4, 5)
    assert cycle.evaluate_done_on == date(2026, 4, 10)
    assert cycle.summary_done_on == date(2026, 4, 15)
    assert cycle.feedback_note
    assert cycle.summary_text
    assert cycle.summary_figures["items"] == 1
    assert cycle.summary_figures["done"] == 1
    assert late_stages(cycle, date(2027, 1, 1)) == []
    events = list(CycleEvent.objects.filter(subject=cycle).order_by("sequence"))
    assert [e.action for e in events] == [
        "create",
        "close_collection",
        "finish_sorting",
        "finish_service_day",
        "publish_feedback",
        "publish_summary",
    ]
    assert cycle.version == len(events)


@pytest.mark.parametrize(
    ("state", "too_early", "earliest"),
    [
        (CycleState.COLLECT, date(2026, 3, 14), date(2026, 3, 15)),
        (CycleState.SERVE, date(2026, 4, 4), date(2026, 4, 5)),
        (CycleState.EVALUATE, date(2026, 4, 9), date(2026, 4, 10)),
    ],
)
def test_a_stage_with_a_residents_window_or_the_day_itself_is_not_completed_early(
    tree: CityTree, state: str, too_early: date, earliest: date
) -> None:
    staff = community_staff(tree.community)
    cycle = cycle_at(tree.community, staff, state)
    if state == CycleState.SERVE:
        for item in Item.objects.filter(cycle=cycle):
            item_record_result(actor=staff, item=item, expected_version=item.version, done=True, at=at(earliest))
    with pytest.raises(ValidationError, match="can be completed from"):
        complete(cycle, staff, "反馈内容", on=too_early)
    cycle.refresh_from_db()
    assert cycle.state == state
    complete(cycle, staff, "反馈内容", on=earliest)
    cycle.refresh_from_db()
    assert cycle.state != state


def test_sorting_needs_an_item_and_the_service_day_needs_every_result(tree: CityTree) -> None:
    staff = community_staff(tree.community)
    cycle = open_cycle(tree.community)
    complete(cycle, staff)
    with pytest.raises(ValidationError) as refused:
        complete(cycle, staff)
    assert "at least one item" in str(refused.value.message_dict["text"])
    cycle = cycle_at(tree.community2, community_staff(tree.community2), CycleState.SERVE, items=2)
    actor = community_staff(tree.community2)
    first = Item.objects.filter(cycle=cycle).order_by("id").first()
    assert first is not None
    item_record_result(actor=actor, item=first, expected_version=first.version, done=True, at=at(date(2026, 4, 5)))
    with pytest.raises(ValidationError) as refused:
        complete(cycle, actor)
    assert "1 still planned" in str(refused.value.message_dict["text"])


@pytest.mark.parametrize("state", [CycleState.EVALUATE, CycleState.SUMMARY])
def test_the_feedback_and_the_summary_need_their_text(tree: CityTree, state: str) -> None:
    staff = community_staff(tree.community)
    cycle = cycle_at(tree.community, staff, state)
    with pytest.raises(ValidationError) as refused:
        complete(cycle, staff, "   ")
    assert "text" in refused.value.message_dict
    cycle.refresh_from_db()
    assert cycle.state == state
    assert not cycle.feedback_note if state == CycleState.EVALUATE else not cycle.summary_text


def test_a_closed_cycle_has_nothing_to_complete(tree: CityTree) -> None:
    staff = community_staff(tree.community)
    cycle = cycle_at(tree.community, staff, CycleState.CLOSED)
    with pytest.raises(MoveRefused):
        complete(cycle, staff, "again", on=date(2026, 5, 1))


def test_a_stale_page_is_refused_and_nothing_moves(tree: CityTree) -> None:
    staff = community_staff(tree.community)
    cycle = open_cycle(tree.community)
    with pytest.raises(StaleState):
        cycle_complete_stage(actor=staff, cycle=cycle, expected_version=cycle.version + 1, at=at(date(YEAR, MONTH, 15)))
    first = ServiceCycle.objects.get(pk=cycle.pk)
    complete(first, staff)
    with pytest.raises(StaleState):  # the page read before the move
        cycle_complete_stage(actor=staff, cycle=cycle, expected_version=1, at=at(date(YEAR, MONTH, 16)))
    assert ServiceCycle.objects.get(pk=cycle.pk).state == CycleState.SORT


def test_staff_of_another_community_and_grid_workers_cannot_complete_a_stage(tree: CityTree) -> None:
    cycle = open_cycle(tree.community)
    for outsider in (
        community_staff(tree.community2),
        make_staff(role=Role.GRID_WORKER, place=tree.grid, username="gw"),
        make_staff(role=Role.STREET_STAFF, place=tree.street2, username="other-street"),
        verified_resident(tree.community),
    ):
        with pytest.raises(PermissionDenied):
            cycle_complete_stage(
                actor=outsider, cycle=cycle, expected_version=cycle.version, at=at(date(YEAR, MONTH, 15))
            )
    assert ServiceCycle.objects.get(pk=cycle.pk).state == CycleState.COLLECT
    street = make_staff(role=Role.STREET_STAFF, place=tree.street, username="street")
    complete(cycle, street)
    assert ServiceCycle.objects.get(pk=cycle.pk).state == CycleState.SORT


def test_a_stage_completed_late_stays_flagged_late(tree: CityTree) -> None:
    staff = community_staff(tree.community)
    cycle = open_cycle(tree.community)
    staff_opinion(cycle)
    assert late_stages(cycle, date(2026, 3, 15)) == []
    assert late_stages(cycle, date(2026, 3, 16)) == [CycleState.COLLECT]
    complete(cycle, staff, on=date(2026, 3, 18))
    cycle.refresh_from_db()
    assert cycle.collect_done_on == date(2026, 3, 18)
    assert late_stages(cycle, date(2026, 3, 20)) == [CycleState.COLLECT]
    item_create(actor=staff, cycle=cycle, data=ItemInput(title="理发", topic="convenience"), at=at(date(2026, 3, 19)))
    complete(cycle, staff, on=date(2026, 3, 20))  # sorting on time
    cycle.refresh_from_db()
    assert late_stages(cycle, date(2026, 4, 6)) == [CycleState.COLLECT, CycleState.SERVE]


def test_the_summary_keeps_the_figures_as_they_stood(tree: CityTree) -> None:
    staff = community_staff(tree.community)
    cycle = cycle_at(tree.community, staff, CycleState.SUMMARY)
    item = Item.objects.get(cycle=cycle)
    ItemRating.objects.create(item=item, user=verified_resident(tree.community), stars=4, rated_at=at(date(2026, 4, 8)))
    complete(cycle, staff, "总结")
    cycle.refresh_from_db()
    figures = cycle.summary_figures
    assert figures["opinions"] == 1
    assert figures["ratings"] == 1
    assert figures["average_rating"] == 4.0
    assert figures["late"] == 0
    assert figures["participants"] == figures["residents"] + figures["volunteers"] + figures["units"]


def test_publishing_the_feedback_tells_those_who_gave_an_opinion_from_their_account(tree: CityTree) -> None:
    from django.test import TestCase
    from django.urls import reverse

    from gridwork.accounts.tests.factories import make_resident_user
    from gridwork.notifications.models import Notification
    from gridwork.serviceday.services.opinions import opinion_submit

    giver = make_resident_user(phone="13600000011")
    opinion_submit(user=giver, community=tree.community, topic="health", text="义诊", at=at(date(YEAR, MONTH, 4)))
    staff = community_staff(tree.community)
    cycle = cycle_at(tree.community, staff, CycleState.EVALUATE)
    assert not Notification.objects.filter(recipient=giver).exists()
    with TestCase.captureOnCommitCallbacks(execute=True):
        complete(cycle, staff, "本月完成两项服务。")
    notice = Notification.objects.get(recipient=giver)
    assert "feedback" in notice.text
    assert notice.url == reverse("serviceday_public:cycle", args=[cycle.pk])
    assert not Notification.objects.filter(recipient=staff).exists()
