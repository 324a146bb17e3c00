"""Removing the personal data of long-closed matters (个人信息保护法): the reporter's link, name and phone go,
numbers in the text are masked, followers' contacts go; open matters, recently closed ones and the figures stay."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.accounts.tests.factories import make_resident_user
from gridwork.audit.models import AuditEvent
from gridwork.matters import tasks
from gridwork.matters.merge import matter_merge
from gridwork.matters.models import Matter, MatterFollower
from gridwork.matters.retention import anonymise_closed
from gridwork.matters.services import matter_transition
from gridwork.matters.tests.factories import LoopStaff, file_in_building, make_loop_staff
from gridwork.matters.workflow import Action, ClosureReason, MatterState
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db

PHONE = "13900001111"
TEXT = "东门路灯坏了，请联系赵六 13900001111，身份证 110101199003071234。"
TITLE = "赵六 13900001111 路灯坏了"


@pytest.fixture(autouse=True)
def _isolated(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


@pytest.fixture
def staff(tree: CityTree) -> LoopStaff:
    return make_loop_staff(tree)


@pytest.fixture
def resident() -> User:
    return make_resident_user(phone="13812345678", full_name="王五")


def _discarded(tree: CityTree, staff: LoopStaff, **options: Any) -> Matter:
    receipt = file_in_building(tree, text=TEXT, **options)
    Matter.objects.filter(pk=receipt.matter_id).update(
        title=TITLE, latitude=26.601234, longitude=106.712345, address="春晖小区3栋2单元401"
    )
    discard = {"reason": ClosureReason.INVALID}
    matter_transition(actor=staff.dispatcher, matter_id=receipt.matter_id, action=Action.DISCARD, data=discard)
    return Matter.objects.get(pk=receipt.matter_id)


def test_a_long_closed_matter_loses_its_reporter_data_and_keeps_the_rest(tree: CityTree, staff: LoopStaff) -> None:
    matter = _discarded(tree, staff, reporter_name="赵六", reporter_phone=PHONE)
    events = list(matter.events.values_list("sequence", "action", "data"))
    later = timezone.now() + timedelta(days=731)
    done = anonymise_closed(now=later, days=730)
    assert (done.matters, done.skipped) == (1, 0)
    after = Matter.objects.get(pk=matter.pk)
    assert (after.reporter_id, after.reporter_name, after.reporter_phone) == (None, "", "")
    assert PHONE not in after.text
    assert "110101199003071234" not in after.text
    assert "赵六" not in after.text
    assert "东门路灯坏了" in after.text
    assert PHONE not in after.title
    assert "赵六" not in after.title
    assert (after.latitude, after.longitude, after.address) == (26.601, 106.712, "")
    assert after.anonymised_at == later
    assert after.version == matter.version + 1
    # What the city learns from the matter stays.
    assert (after.state, after.closure_reason, after.category_id, after.place_path, after.closed_at) == (
        matter.state,
        matter.closure_reason,
        matter.category_id,
        matter.place_path,
        matter.closed_at,
    )
    assert list(after.events.values_list("sequence", "action", "data")) == events
    audit = AuditEvent.objects.get(action="matters.anonymise")
    assert audit.detail["matters"] == 1
    assert audit.detail["first"] == matter.number


def test_a_recently_closed_or_open_matter_is_left_alone(tree: CityTree, staff: LoopStaff) -> None:
    closed = _discarded(tree, staff, reporter_name="赵六", reporter_phone=PHONE)
    open_matter = Matter.objects.get(
        pk=file_in_building(tree, text=TEXT, reporter_name="孙七", reporter_phone="13700002222").matter_id
    )
    assert anonymise_closed(now=timezone.now() + timedelta(days=729), days=730).matters == 0
    assert Matter.objects.get(pk=closed.pk).reporter_phone == PHONE
    assert anonymise_closed(now=timezone.now() + timedelta(days=3000), days=730).matters == 1
    untouched = Matter.objects.get(pk=open_matter.pk)
    assert (untouched.reporter_phone, untouched.text, untouched.anonymised_at) == ("13700002222", TEXT, None)


def test_followers_of_a_merged_duplicate_lose_their_contact(tree: CityTree, staff: LoopStaff, resident: User) -> None:
    original = Matter.objects.get(pk=file_in_building(tree, actor=resident, text="小区东门路灯坏了").matter_id)
    duplicate = Matter.objects.get(
        pk=file_in_building(tree, text=TEXT, reporter_name="赵六", reporter_phone=PHONE).matter_id
    )
    matter_merge(
        actor=staff.dispatcher,
        duplicate_id=duplicate.pk,
        original_id=original.pk,
        note="同一路灯，赵六 13900001111 说的",
        expected_version=duplicate.version,
    )
    matter_transition(
        actor=staff.dispatcher, matter_id=original.pk, action=Action.DISCARD, data={"reason": ClosureReason.INVALID}
    )
    assert anonymise_closed(now=timezone.now() + timedelta(days=800), days=730).matters == 2
    follower = MatterFollower.objects.get(matter=original)
    assert (follower.user_id, follower.reporter_name, follower.reporter_phone) == (None, "", "")
    assert PHONE not in follower.note
    assert Matter.objects.get(pk=original.pk).reporter_id is None
    assert User.objects.filter(pk=resident.pk).exists()  # the account itself is the resident's, not the matter's


def test_a_matter_changed_meanwhile_waits_for_the_next_run(tree: CityTree, staff: LoopStaff) -> None:
    matter = _discarded(tree, staff, reporter_name="赵六", reporter_phone=PHONE)
    from gridwork.matters import retention

    original = retention._anonymise

    def racing(target: Matter, *, now: Any) -> bool:
        Matter.objects.filter(pk=target.pk).update(version=target.version + 1)  # someone else's move
        return original(target, now=now)

    retention._anonymise = racing  # type: ignore[assignment]
    try:
        done = anonymise_closed(now=timezone.now() + timedelta(days=800), days=730)
    finally:
        retention._anonymise = original  # type: ignore[assignment]
    assert (done.matters, done.skipped) == (0, 1)
    assert Matter.objects.get(pk=matter.pk).reporter_phone == PHONE
    assert anonymise_closed(now=timezone.now() + timedelta(days=800), days=730).matters == 1


def test_zero_days_turns_it_off_and_the_task_uses_the_setting(tree: CityTree, staff: LoopStaff) -> None:
    matter = _discarded(tree, staff, reporter_name="赵六", reporter_phone=PHONE)
    assert anonymise_closed(now=timezone.now() + timedelta(days=5000), days=0).matters == 0
    with override_settings(GRIDWORK_PERSONAL_DATA_DAYS=0):
        assert tasks.anonymise.call()["matters"] == 0
    Matter.objects.filter(pk=matter.pk).update(closed_at=timezone.now() - timedelta(days=3))
    with override_settings(GRIDWORK_PERSONAL_DATA_DAYS=2):
        assert tasks.anonymise.call()["matters"] == 1
    assert Matter.objects.get(pk=matter.pk).reporter_phone == ""
    assert Matter.objects.get(pk=matter.pk).state == MatterState.CLOSED
