"""Merging a duplicate into its original (合并): both reporters are kept and told, nothing of the duplicate is lost,
and the merges the loop must not make are refused without a trace."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.sms import MemorySmsBackend
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.matters.forms.intake import new_form_token
from gridwork.matters.merge import matter_merge, matter_merged_into
from gridwork.matters.models import Matter, MatterFollower
from gridwork.matters.services import (
    ConcurrentChange,
    MatterNotFound,
    NotAllowed,
    matter_file,
    matter_transition,
    snapshot_of,
)
from gridwork.matters.tests.factories import LoopStaff, file_in_building, make_loop_staff
from gridwork.matters.workflow import Action, ClosureReason, MatterState, TransitionRefused, replay
from gridwork.notifications.models import Notification
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db

LAMP = "小区东门路灯坏了好几天，晚上很黑"
LAMP_REWORDED = "东门那边的路灯不亮了，已经好几天"
DUPLICATE_PHONE = "13900001111"
ORIGINAL_PHONE = "13812345678"


@pytest.fixture(autouse=True)
def _isolated(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    MemorySmsBackend.outbox.clear()
    cache.clear()
    yield
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def staff(tree: CityTree) -> LoopStaff:
    return make_loop_staff(tree)


@pytest.fixture
def resident() -> User:
    return make_resident_user(phone=ORIGINAL_PHONE, full_name="王五")


def fresh(matter: Matter) -> Matter:
    return Matter.objects.get(pk=matter.pk)


def original_of(tree: CityTree, resident: User) -> Matter:
    """Filed by a signed-in resident: the reporter is the account."""
    return Matter.objects.get(pk=file_in_building(tree, actor=resident, text=LAMP).matter_id)


def anonymous_duplicate(tree: CityTree, text: str = LAMP_REWORDED) -> Matter:
    """Filed without an account, with a name and phone: followed by its tracking code."""
    receipt = file_in_building(tree, text=text, reporter_name="赵六", reporter_phone=DUPLICATE_PHONE)
    return Matter.objects.get(pk=receipt.matter_id)


def sms_to(phone: str) -> list[str]:
    return [message.message for message in MemorySmsBackend.outbox if message.phone == phone]


def notices_of(user: User) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("text", flat=True))


def reply_to(tree: CityTree, staff: LoopStaff, matter: Matter) -> None:
    matter_transition(
        actor=staff.dispatcher,
        matter_id=matter.pk,
        action=Action.DISPATCH,
        data={"kind": "professional", "lead_department_id": tree.department.pk},
    )
    matter_transition(actor=staff.department, matter_id=matter.pk, action=Action.ACCEPT)
    matter_transition(actor=staff.department, matter_id=matter.pk, action=Action.REPLY, data={"text": "路灯已修复。"})


# --- keeping both reporters --------------------------------------------------------------------------------


def test_merging_keeps_both_reporters_and_tells_each_of_them(
    tree: CityTree, staff: LoopStaff, resident: User, django_capture_on_commit_callbacks: Any
) -> None:
    original = original_of(tree, resident)
    duplicate = anonymous_duplicate(tree)
    events_before = list(duplicate.events.values_list("sequence", "action", "data"))

    with django_capture_on_commit_callbacks(execute=True):
        merged = matter_merge(
            actor=staff.dispatcher,
            duplicate_id=duplicate.pk,
            original_id=original.pk,
            note="同一路灯",
            expected_version=duplicate.version,
        )

    assert (merged.state, merged.closure_reason, merged.duplicate_of_id) == (
        MatterState.CLOSED,
        ClosureReason.DUPLICATE,
        original.pk,
    )
    # Nothing of the duplicate is lost: its text, reporter and first events stay, and it was closed by a move.
    assert (merged.text, merged.reporter_name, merged.reporter_phone) == (LAMP_REWORDED, "赵六", DUPLICATE_PHONE)
    assert list(merged.events.values_list("sequence", "action", "data"))[: len(events_before)] == events_before
    last = merged.events.order_by("-sequence").first()
    assert last is not None
    assert (last.action, last.note, last.actor) == (Action.DISCARD, "同一路灯", staff.dispatcher)
    assert replay([(e.action, e.data) for e in merged.events.order_by("sequence")]) == snapshot_of(merged)
    # The original's reporter is unchanged; the duplicate's reporter now follows it.
    assert fresh(original).reporter == resident
    assert fresh(original).version == original.version
    follower = MatterFollower.objects.get(matter=original)
    assert (follower.source, follower.reporter_name, follower.reporter_phone, follower.merged_by) == (
        duplicate,
        "赵六",
        DUPLICATE_PHONE,
        staff.dispatcher,
    )
    [merged_sms] = sms_to(DUPLICATE_PHONE)
    assert duplicate.number in merged_sms
    assert original.number in merged_sms

    with django_capture_on_commit_callbacks(execute=True):
        reply_to(tree, staff, original)
    assert any("has a reply" in text and duplicate.number in text for text in sms_to(DUPLICATE_PHONE))
    assert any("has a reply" in text for text in notices_of(resident))  # the original's reporter, as before

    with django_capture_on_commit_callbacks(execute=True):
        matter_transition(actor=staff.dispatcher, matter_id=original.pk, action=Action.VERIFY_CLOSE)
    assert any("is closed" in text and original.number in text for text in sms_to(DUPLICATE_PHONE))


def test_a_resident_account_follows_by_in_app_notice_and_is_told_once(
    tree: CityTree, staff: LoopStaff, resident: User, django_capture_on_commit_callbacks: Any
) -> None:
    original = original_of(tree, resident)
    again = Matter.objects.get(pk=file_in_building(tree, actor=resident, text=LAMP_REWORDED).matter_id)
    with django_capture_on_commit_callbacks(execute=True):
        matter_merge(actor=staff.dispatcher, duplicate_id=again.pk, original_id=original.pk)
    assert any("was merged into" in text for text in notices_of(resident))
    with django_capture_on_commit_callbacks(execute=True):
        reply_to(tree, staff, original)
    replies = [text for text in notices_of(resident) if "reply" in text]
    assert len(replies) == 1  # the same resident reported twice: told once, as the reporter


def test_a_duplicate_of_a_duplicate_is_merged_into_the_root_and_followers_move_along(
    tree: CityTree, staff: LoopStaff, resident: User
) -> None:
    root = original_of(tree, resident)
    middle = anonymous_duplicate(tree)
    first = Matter.objects.get(pk=file_in_building(tree, text=LAMP, reporter_phone="13700002222").matter_id)
    matter_merge(actor=staff.dispatcher, duplicate_id=first.pk, original_id=middle.pk)
    assert list(MatterFollower.objects.filter(matter=middle).values_list("source_id", flat=True)) == [first.pk]

    matter_merge(actor=staff.dispatcher, duplicate_id=middle.pk, original_id=root.pk)
    assert set(MatterFollower.objects.filter(matter=root).values_list("source_id", flat=True)) == {middle.pk, first.pk}

    late = anonymous_duplicate(tree, text=LAMP)
    matter_merge(actor=staff.dispatcher, duplicate_id=late.pk, original_id=middle.pk)  # middle is itself a duplicate
    assert fresh(late).duplicate_of_id == root.pk
    into = matter_merged_into(fresh(first))
    assert into is not None
    assert into.number == root.number


# --- refusals ---------------------------------------------------------------------------------------------


def _untouched(duplicate: Matter) -> None:
    assert (fresh(duplicate).state, fresh(duplicate).version) == (MatterState.SUBMITTED, duplicate.version)
    assert not MatterFollower.objects.exists()


def test_a_matter_is_not_merged_into_itself(tree: CityTree, staff: LoopStaff) -> None:
    duplicate = anonymous_duplicate(tree)
    with pytest.raises(TransitionRefused) as error:
        matter_merge(actor=staff.dispatcher, duplicate_id=duplicate.pk, original_id=duplicate.pk)
    assert error.value.code == "merge_self"
    _untouched(duplicate)


def test_a_matter_is_not_merged_into_a_closed_one(tree: CityTree, staff: LoopStaff, resident: User) -> None:
    original = original_of(tree, resident)
    matter_transition(actor=staff.dispatcher, matter_id=original.pk, action=Action.DISCARD, data={"reason": "invalid"})
    duplicate = anonymous_duplicate(tree)
    with pytest.raises(TransitionRefused) as error:
        matter_merge(actor=staff.dispatcher, duplicate_id=duplicate.pk, original_id=original.pk)
    assert error.value.code == "original_closed"
    _untouched(duplicate)


def test_a_stale_page_is_refused(tree: CityTree, staff: LoopStaff, resident: User) -> None:
    original = original_of(tree, resident)
    duplicate = anonymous_duplicate(tree)
    with pytest.raises(ConcurrentChange):
        matter_merge(
            actor=staff.dispatcher,
            duplicate_id=duplicate.pk,
            original_id=original.pk,
            expected_version=duplicate.version - 1,
        )
    _untouched(duplicate)


def test_merges_across_areas_and_by_non_dispatchers_are_refused(
    tree: CityTree, staff: LoopStaff, resident: User
) -> None:
    original = original_of(tree, resident)
    duplicate = anonymous_duplicate(tree)
    with pytest.raises(MatterNotFound):
        matter_merge(actor=staff.other_community, duplicate_id=duplicate.pk, original_id=original.pk)
    with pytest.raises(NotAllowed):
        matter_merge(actor=staff.grid_worker, duplicate_id=duplicate.pk, original_id=original.pk)
    # A community dispatcher next door may dispatch their own matter but cannot see the original: not found.
    next_door = Matter.objects.get(
        pk=matter_file(
            actor=None, channel="resident_web", text=LAMP, latitude=26.605, longitude=106.725, kind="professional"
        ).matter_id
    )
    assert next_door.community == tree.community2
    with pytest.raises(MatterNotFound):
        matter_merge(actor=staff.other_community, duplicate_id=next_door.pk, original_id=original.pk)
    assert fresh(next_door).state == MatterState.SUBMITTED
    _untouched(duplicate)


# --- the pages --------------------------------------------------------------------------------------------


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_dispatchers_page_offers_the_merge_and_the_original_lists_it(
    tree: CityTree, staff: LoopStaff, resident: User
) -> None:
    original = original_of(tree, resident)
    duplicate = anonymous_duplicate(tree)
    client = client_for(staff.dispatcher)
    page = client.get(reverse("matters:detail", args=[duplicate.number]))
    assert [c.matter for c in page.context["likely_duplicates"]] == [original]
    html = page.content.decode()
    assert 'data-testid="likely-duplicates"' in html
    assert reverse("matters:merge", args=[duplicate.number]) in html
    # A grid worker sees the matter but may not dispatch it: no merge offered.
    grid_page = client_for(staff.grid_worker).get(reverse("matters:detail", args=[duplicate.number]))
    assert grid_page.context["likely_duplicates"] == []

    done = client.post(
        reverse("matters:merge", args=[duplicate.number]),
        {"original": original.number, "expected_version": duplicate.version, "note": "同一路灯"},
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("matters:detail", args=[original.number])
    assert fresh(duplicate).duplicate_of_id == original.pk
    listed = client.get(reverse("matters:detail", args=[original.number])).content.decode()
    assert 'data-testid="merged-duplicates"' in listed
    assert reverse("matters:detail", args=[duplicate.number]) in listed
    assert "139****1111" in listed
    assert DUPLICATE_PHONE not in listed


def test_the_merge_view_refuses_a_stale_page_and_needs_a_post(tree: CityTree, staff: LoopStaff, resident: User) -> None:
    original = original_of(tree, resident)
    duplicate = anonymous_duplicate(tree)
    client = client_for(staff.dispatcher)
    url = reverse("matters:merge", args=[duplicate.number])
    assert client.get(url).status_code == 405
    stale = client.post(url, {"original": original.number, "expected_version": 0}, follow=True)
    assert "was not merged" in stale.content.decode()
    assert "changed by someone else" in stale.content.decode()
    assert client.post(url, {"original": original.number, "expected_version": "x"}).status_code == 400
    assert (
        client_for(staff.other_community).post(url, {"original": original.number, "expected_version": 1}).status_code
        == 404
    )
    assert (
        client_for(staff.grid_worker).post(url, {"original": original.number, "expected_version": 1}).status_code == 403
    )
    _untouched(duplicate)


def test_the_duplicates_tracking_page_shows_the_originals_public_progress(
    tree: CityTree, staff: LoopStaff, resident: User
) -> None:
    original = Matter.objects.get(
        pk=file_in_building(
            tree, text=LAMP + "，我是王五", reporter_name="王五", reporter_phone=ORIGINAL_PHONE
        ).matter_id
    )
    follower = make_resident_user(phone=DUPLICATE_PHONE, full_name="赵六")
    duplicate = Matter.objects.get(pk=file_in_building(tree, actor=follower, text=LAMP_REWORDED).matter_id)
    matter_merge(actor=staff.dispatcher, duplicate_id=duplicate.pk, original_id=original.pk)
    reply_to(tree, staff, original)

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(follower)
    html = client.get(reverse("report:resident-detail", args=[duplicate.number])).content.decode()
    assert 'data-testid="merged-into"' in html
    assert original.number in html
    assert "Replied, awaiting rating" in html
    assert "路灯已修复。" in html
    for secret in ("王五", ORIGINAL_PHONE, "我是"):
        assert secret not in html
    # The follower cannot rate the original: that is its reporter's.
    assert client.get(reverse("report:resident-detail", args=[original.number])).status_code == 404


def test_the_hotline_receipt_names_the_matters_a_new_one_may_repeat(tree: CityTree, resident: User) -> None:
    original = original_of(tree, resident)
    seat = make_staff(role=Role.DISPATCH_CENTRE, place=tree.city, department=tree.dispatch_centre, username="seat")
    form = {
        "token": new_form_token(),
        "caller_phone": "13600003333",
        "caller_name": "陈先生",
        "text": LAMP_REWORDED,
        "building": tree.microgrid.code,
        "address": "",
        "category": "",
        "urgency": "normal",
    }
    receipt = client_for(seat).post(reverse("intake:hotline"), form)
    assert receipt.status_code == 200
    assert [c.matter for c in receipt.context["likely_duplicates"]] == [original]
    assert reverse("matters:detail", args=[original.number]) in receipt.content.decode()
    page = client_for(seat).get(reverse("intake:hotline")).content.decode()
    assert reverse("triage:similar") in page
    assert "js/similar_matters.js" in page


def test_closing_as_a_duplicate_by_the_plain_discard_move_also_links_the_reporter(
    tree: CityTree, staff: LoopStaff, resident: User
) -> None:
    """Whichever page or interface closes a matter as a duplicate (the discard form, the REST API), its reporter
    follows the original: the link is part of the move, not of the merge button only."""
    original = original_of(tree, resident)
    duplicate = anonymous_duplicate(tree)
    matter_transition(
        actor=staff.dispatcher,
        matter_id=duplicate.pk,
        action=Action.DISCARD,
        data={"reason": ClosureReason.DUPLICATE, "duplicate_of_id": original.pk},
    )
    follower = MatterFollower.objects.get(matter=original)
    assert follower.source_id == duplicate.pk
    assert follower.reporter_phone == DUPLICATE_PHONE
    assert fresh(duplicate).duplicate_of_id == original.pk


def test_a_duplicate_of_a_matter_outside_the_area_or_of_itself_by_a_cycle_is_refused(
    tree: CityTree, staff: LoopStaff, resident: User
) -> None:
    from django.core.exceptions import ValidationError

    original = original_of(tree, resident)
    duplicate = anonymous_duplicate(tree)
    elsewhere = anonymous_duplicate(tree, text="另一个社区的路灯坏了")
    Matter.objects.filter(pk=elsewhere.pk).update(community=tree.community2, place_path=tree.community2.path)
    with pytest.raises(ValidationError) as outside:  # the community's staff cannot see the other community's matter
        matter_transition(
            actor=staff.community,
            matter_id=duplicate.pk,
            action=Action.DISCARD,
            data={"reason": ClosureReason.DUPLICATE, "duplicate_of_id": elsewhere.pk},
        )
    assert "duplicate_of" in outside.value.message_dict
    assert not MatterFollower.objects.exists()
    matter_transition(
        actor=staff.dispatcher,
        matter_id=duplicate.pk,
        action=Action.DISCARD,
        data={"reason": ClosureReason.DUPLICATE, "duplicate_of_id": original.pk},
    )
    with pytest.raises(ValidationError) as cycle:
        matter_transition(
            actor=staff.dispatcher,
            matter_id=original.pk,
            action=Action.DISCARD,
            data={"reason": ClosureReason.DUPLICATE, "duplicate_of_id": duplicate.pk},
        )
    assert "duplicate_of" in cycle.value.message_dict
    assert fresh(original).state != MatterState.CLOSED
