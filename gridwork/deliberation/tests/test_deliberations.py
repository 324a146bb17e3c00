"""Deliberations through their services: opening (field by field), one vote per verified resident (a second one
refused, never replacing the first; another community's resident and an unverified account refused with the reason),
the voting window on a fixed clock, the tally hidden until the meeting closes it, comments and hiding, the meeting
record, cancelling, staff scope, and the reminder."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gridwork.common.flows import MoveRefused, StaleState
from gridwork.deliberation import selectors, services
from gridwork.deliberation.models import (
    DeliberationEvent,
    DeliberationState,
    DeliberationVote,
    MeetingRecord,
)
from gridwork.deliberation.services import AlreadyVoted, NotNow
from gridwork.deliberation.tests.factories import World, close_deliberation, make_world, open_deliberation
from gridwork.notifications.models import Notification
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


# --- opening ------------------------------------------------------------------------------------------------------


def test_opening_numbers_it_and_keeps_the_options_in_order(world: World) -> None:
    deliberation = open_deliberation(world)
    assert deliberation.number == f"议-{timezone.localdate().year}-000001"
    assert deliberation.state == DeliberationState.OPEN
    assert [o.text for o in selectors.options_of(deliberation)] == ["加装电梯", "暂不加装", "再议"]
    assert [o.position for o in selectors.options_of(deliberation)] == [1, 2, 3]
    event = DeliberationEvent.objects.get(subject=deliberation)
    assert (event.sequence, event.action, event.actor) == (1, "create", world.staff)
    assert open_deliberation(world).number.endswith("000002")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["只有一个"], "at least 2"),
        ([str(n) for n in range(11)], "at most 10"),
        (["同意", "同意"], "the same"),
        (["同意", "x" * 201], "at most 200"),
    ],
)
def test_options_must_be_two_to_ten_distinct(world: World, options: list[str], message: str) -> None:
    now = timezone.now()
    with pytest.raises(ValidationError) as refused:
        services.deliberation_open(
            actor=world.staff,
            community=world.tree.community,
            topic="议题",
            background="背景",
            options=options,
            opens_at=now,
            closes_at=now + timedelta(days=3),
        )
    assert message in refused.value.message_dict["options"][0]


def test_opening_refuses_each_bad_field(world: World) -> None:
    now = timezone.now()
    with pytest.raises(ValidationError) as refused:
        services.deliberation_open(
            actor=world.staff,
            community=world.tree.grid,
            topic=" ",
            background="",
            options=["a", "b"],
            opens_at=now + timedelta(days=2),
            closes_at=now + timedelta(days=1),
        )
    assert set(refused.value.message_dict) == {"community", "topic", "background", "closes_at"}
    with pytest.raises(ValidationError) as refused:
        services.deliberation_open(
            actor=world.staff,
            community=world.tree.community,
            topic="t",
            background="b",
            options=["a", "b"],
            opens_at=now - timedelta(days=3),
            closes_at=now + timedelta(days=90),
        )
    assert set(refused.value.message_dict) == {"opens_at", "closes_at"}


def test_only_the_communitys_staff_open_one(world: World) -> None:
    with pytest.raises(PermissionDenied):
        open_deliberation(world, actor=world.other_staff)
    with pytest.raises(PermissionDenied):
        open_deliberation(world, actor=world.grid_worker)
    with pytest.raises(PermissionDenied):
        open_deliberation(world, actor=world.residents[0])
    assert open_deliberation(world, actor=world.street_staff).community == world.tree.community


# --- votes --------------------------------------------------------------------------------------------------------


def test_one_vote_per_resident_and_a_second_is_refused_not_replacing(world: World) -> None:
    deliberation = open_deliberation(world)
    first, second = selectors.options_of(deliberation)[:2]
    vote = services.deliberation_vote(actor=world.residents[0], deliberation=deliberation, option=first)
    assert vote.resident == world.residents[0].resident
    with pytest.raises(AlreadyVoted) as refused:
        services.deliberation_vote(actor=world.residents[0], deliberation=deliberation, option=second)
    assert "加装电梯" in str(refused.value)
    assert "cannot be changed" in str(refused.value)
    assert list(DeliberationVote.objects.values_list("option_id", flat=True)) == [first.pk]


def test_the_database_refuses_a_second_vote_made_around_the_service(world: World) -> None:
    deliberation = open_deliberation(world)
    option = selectors.options_of(deliberation)[0]
    services.deliberation_vote(actor=world.residents[0], deliberation=deliberation, option=option)
    with pytest.raises(IntegrityError), transaction.atomic():
        DeliberationVote.objects.create(
            deliberation=deliberation,
            option=option,
            resident=world.residents[0].resident,
            user=world.residents[0],
            cast_at=timezone.now(),
        )


def test_votes_cannot_be_changed_or_deleted_in_the_database(world: World) -> None:
    deliberation = open_deliberation(world)
    first, second = selectors.options_of(deliberation)[:2]
    vote = services.deliberation_vote(actor=world.residents[0], deliberation=deliberation, option=first)
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        DeliberationVote.objects.filter(pk=vote.pk).update(option=second)
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        DeliberationVote.objects.filter(pk=vote.pk).delete()


def test_a_resident_of_another_community_is_refused_with_the_reason(world: World) -> None:
    deliberation = open_deliberation(world)
    option = selectors.options_of(deliberation)[0]
    with pytest.raises(PermissionDenied) as refused:
        services.deliberation_vote(actor=world.outsider, deliberation=deliberation, option=option)
    assert "Only residents of 春晖社区" in str(refused.value)
    assert "秋实社区" in str(refused.value)
    assert not DeliberationVote.objects.exists()


def test_an_unverified_account_and_staff_are_refused_with_the_reason(world: World) -> None:
    deliberation = open_deliberation(world)
    option = selectors.options_of(deliberation)[0]
    with pytest.raises(PermissionDenied) as refused:
        services.deliberation_vote(actor=world.unverified, deliberation=deliberation, option=option)
    assert "not yet linked to a registered resident" in str(refused.value)
    with pytest.raises(PermissionDenied) as refused:
        services.deliberation_vote(actor=world.staff, deliberation=deliberation, option=option)
    assert "Staff accounts" in str(refused.value)
    assert not DeliberationVote.objects.exists()


def test_an_option_of_another_deliberation_is_refused(world: World) -> None:
    deliberation = open_deliberation(world)
    other = open_deliberation(world)
    with pytest.raises(ValidationError) as refused:
        services.deliberation_vote(
            actor=world.residents[0], deliberation=deliberation, option=selectors.options_of(other)[0]
        )
    assert "option" in refused.value.message_dict


def test_votes_only_within_the_window_on_a_fixed_clock(world: World) -> None:
    at = timezone.now()
    deliberation = open_deliberation(world, at=at, days=2)
    option = selectors.options_of(deliberation)[0]
    with pytest.raises(NotNow, match="Voting opens at"):
        services.deliberation_vote(
            actor=world.residents[0], deliberation=deliberation, option=option, at=at - timedelta(minutes=10)
        )
    with pytest.raises(NotNow, match="Voting closed at"):
        services.deliberation_vote(
            actor=world.residents[0], deliberation=deliberation, option=option, at=deliberation.closes_at
        )
    vote = services.deliberation_vote(
        actor=world.residents[0],
        deliberation=deliberation,
        option=option,
        at=deliberation.closes_at - timedelta(seconds=1),
    )
    assert vote.cast_at == deliberation.closes_at - timedelta(seconds=1)


def test_no_votes_once_closed_or_cancelled(world: World) -> None:
    deliberation = open_deliberation(world)
    close_deliberation(world, deliberation)
    with pytest.raises(NotNow, match="voting is over"):
        services.deliberation_vote(
            actor=world.residents[0], deliberation=deliberation, option=selectors.options_of(deliberation)[0]
        )
    cancelled = open_deliberation(world)
    services.deliberation_cancel(
        actor=world.staff, deliberation=cancelled, reason="议题已由业委会处理", expected_version=cancelled.version
    )
    with pytest.raises(NotNow):
        services.deliberation_vote(
            actor=world.residents[0], deliberation=cancelled, option=selectors.options_of(cancelled)[0]
        )


# --- the tally ----------------------------------------------------------------------------------------------------


def test_the_tally_is_hidden_until_closed_and_then_counts_each_option(world: World) -> None:
    deliberation = open_deliberation(world)
    first, second, _third = selectors.options_of(deliberation)
    services.deliberation_vote(actor=world.residents[0], deliberation=deliberation, option=first)
    services.deliberation_vote(actor=world.residents[1], deliberation=deliberation, option=first)
    services.deliberation_vote(actor=world.residents[2], deliberation=deliberation, option=second)
    assert selectors.tally(deliberation) is None
    assert selectors.turnout(deliberation) == 3
    close_deliberation(world, deliberation, position=1)
    deliberation.refresh_from_db()
    rows = selectors.tally(deliberation)
    assert rows is not None
    assert [(row.option.position, row.votes, row.percent, row.chosen) for row in rows] == [
        (1, 2, 66.7, True),
        (2, 1, 33.3, False),
        (3, 0, 0.0, False),
    ]


def test_a_cancelled_deliberation_never_shows_a_tally(world: World) -> None:
    deliberation = open_deliberation(world)
    services.deliberation_vote(
        actor=world.residents[0], deliberation=deliberation, option=selectors.options_of(deliberation)[0]
    )
    services.deliberation_cancel(
        actor=world.staff, deliberation=deliberation, reason="议题撤回", expected_version=deliberation.version
    )
    deliberation.refresh_from_db()
    assert deliberation.cancel_reason == "议题撤回"
    assert selectors.tally(deliberation) is None


# --- closing ------------------------------------------------------------------------------------------------------


def test_the_meeting_record_closes_it_and_tells_voters_and_commenters(
    world: World, django_capture_on_commit_callbacks: object
) -> None:
    deliberation = open_deliberation(world)
    services.deliberation_vote(
        actor=world.residents[0], deliberation=deliberation, option=selectors.options_of(deliberation)[0]
    )
    services.deliberation_comment(actor=world.residents[1], deliberation=deliberation, text="支持加装，但费用要公开。")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        record = close_deliberation(world, deliberation, position=1)
    deliberation.refresh_from_db()
    assert deliberation.state == DeliberationState.CLOSED
    assert deliberation.closed_at is not None
    assert record.chosen_option is not None
    assert record.chosen_option.position == 1
    assert (record.participants_count, record.recorded_by) == (23, world.staff)
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert told == {world.residents[0].pk, world.residents[1].pk}
    event = DeliberationEvent.objects.get(subject=deliberation, action="close")
    assert event.data["participants_count"] == 23


def test_closing_refuses_each_bad_field_and_saves_nothing(world: World) -> None:
    deliberation = open_deliberation(world)
    other = open_deliberation(world)
    with pytest.raises(ValidationError) as refused:
        services.deliberation_close(
            actor=world.staff,
            deliberation=deliberation,
            held_on=timezone.localdate() + timedelta(days=1),
            participants_count=0,
            participants="",
            decision=" ",
            chosen_option=selectors.options_of(other)[0],
            expected_version=deliberation.version,
        )
    assert set(refused.value.message_dict) == {
        "held_on",
        "participants_count",
        "participants",
        "decision",
        "chosen_option",
    }
    deliberation.refresh_from_db()
    assert deliberation.state == DeliberationState.OPEN
    assert not MeetingRecord.objects.exists()


def test_a_stale_page_cannot_close_and_a_closed_one_cannot_close_again(world: World) -> None:
    deliberation = open_deliberation(world)
    with pytest.raises(StaleState):
        services.deliberation_close(
            actor=world.staff,
            deliberation=deliberation,
            held_on=timezone.localdate(),
            participants_count=5,
            participants="居民代表",
            decision="决定",
            chosen_option=None,
            expected_version=deliberation.version + 1,
        )
    assert not MeetingRecord.objects.exists()
    close_deliberation(world, deliberation)
    with pytest.raises(MoveRefused):
        services.deliberation_close(
            actor=world.staff,
            deliberation=deliberation,
            held_on=timezone.localdate(),
            participants_count=5,
            participants="居民代表",
            decision="再次决定",
            chosen_option=None,
            expected_version=deliberation.version,
        )
    assert MeetingRecord.objects.count() == 1


def test_another_communitys_staff_cannot_close_or_cancel(world: World) -> None:
    deliberation = open_deliberation(world)
    with pytest.raises(PermissionDenied):
        services.deliberation_close(
            actor=world.other_staff,
            deliberation=deliberation,
            held_on=timezone.localdate(),
            participants_count=5,
            participants="居民代表",
            decision="决定",
            chosen_option=None,
            expected_version=deliberation.version,
        )
    with pytest.raises(PermissionDenied):
        services.deliberation_cancel(
            actor=world.grid_worker, deliberation=deliberation, reason="x", expected_version=deliberation.version
        )
    deliberation.refresh_from_db()
    assert deliberation.state == DeliberationState.OPEN


def test_cancelling_needs_a_reason(world: World) -> None:
    deliberation = open_deliberation(world)
    with pytest.raises(ValidationError) as refused:
        services.deliberation_cancel(
            actor=world.staff, deliberation=deliberation, reason=" ", expected_version=deliberation.version
        )
    assert "reason" in refused.value.message_dict


# --- comments -----------------------------------------------------------------------------------------------------


def test_comments_from_residents_and_staff_masked_and_hidden_with_a_reason(world: World) -> None:
    deliberation = open_deliberation(world)
    comment = services.deliberation_comment(
        actor=world.residents[0], deliberation=deliberation, text="支持加装电梯，老人上下楼太难。"
    )
    services.deliberation_comment(actor=world.staff, deliberation=deliberation, text="社区将公开费用测算。")
    rows = selectors.comment_rows(deliberation)
    assert [row.author for row in rows] == ["张*芳", "春晖社区 (community staff)"]
    with pytest.raises(PermissionDenied):
        services.comment_hide(actor=world.other_staff, comment=comment, reason="不文明")
    services.comment_hide(actor=world.staff, comment=comment, reason="含有他人电话号码")
    with pytest.raises(NotNow):
        services.comment_hide(actor=world.staff, comment=comment, reason="again")
    row = selectors.comment_rows(deliberation)[0]
    assert row.hidden
    assert row.comment.hidden_reason == "含有他人电话号码"


def test_comments_refused_to_outsiders_when_not_allowed_and_once_closed(world: World) -> None:
    deliberation = open_deliberation(world)
    with pytest.raises(PermissionDenied):
        services.deliberation_comment(actor=world.outsider, deliberation=deliberation, text="我也有意见")
    with pytest.raises(ValidationError):
        services.deliberation_comment(actor=world.residents[0], deliberation=deliberation, text=" ")
    close_deliberation(world, deliberation)
    with pytest.raises(NotNow):
        services.deliberation_comment(actor=world.residents[0], deliberation=deliberation, text="迟到的意见")
    now = timezone.now()
    quiet = services.deliberation_open(
        actor=world.staff,
        community=world.tree.community,
        topic="t",
        background="b",
        options=["a", "b"],
        opens_at=now,
        closes_at=now + timedelta(days=1),
        comments_allowed=False,
    )
    with pytest.raises(NotNow, match="not taken"):
        services.deliberation_comment(actor=world.residents[0], deliberation=quiet, text="意见意见")


# --- scope --------------------------------------------------------------------------------------------------------


def test_staff_see_only_their_units(world: World) -> None:
    mine = open_deliberation(world)
    theirs = open_deliberation(world, community=world.tree.community2, actor=world.other_staff)
    assert list(selectors.deliberation_list(user=world.staff)) == [mine]
    assert list(selectors.deliberation_list(user=world.other_staff)) == [theirs]
    assert set(selectors.deliberation_list(user=world.street_staff)) == {mine, theirs}
    assert list(selectors.deliberation_list(user=world.grid_worker)) == [mine]  # a community-wide read


# --- the reminder -------------------------------------------------------------------------------------------------


def test_the_reminder_tells_the_staff_once_when_voting_has_ended(
    world: World, django_capture_on_commit_callbacks: object
) -> None:
    at = timezone.now()
    deliberation = open_deliberation(world, at=at, days=1)
    assert services.deliberations_remind_meetings(now=at) == 0
    later = deliberation.closes_at + timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        assert services.deliberations_remind_meetings(now=later) == 1
    assert services.deliberations_remind_meetings(now=later + timedelta(hours=1)) == 0
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [world.staff.pk]
    deliberation.refresh_from_db()
    assert deliberation.state == DeliberationState.OPEN
    assert deliberation.meeting_reminded_at == later
    assert DeliberationEvent.objects.filter(subject=deliberation, action="remind", actor=None).count() == 1
