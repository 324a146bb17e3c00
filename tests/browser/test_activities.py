"""A theme party day (主题党日, issue 11) through the real pages in headless Chromium.

春晖社区's staff, on a desktop, create the activity on the staff pages and book the community station's
multi-purpose room in the same step (the form's room, times and attendees; the booking is confirmed at once, the
station needing no approval); a second activity in the same room at the same time is refused on the form, naming the
start, and nothing of it is saved. A resident of the community, on a phone, signs in with the phone and a one-time
code, finds the activity on the community's list and signs up. The staff open the check-in QR code for the room's
screen; the resident opens the QR code's link on the phone and is checked in; opening it again says when. The activity
having begun (the process's clock moved forward: ``gridwork.demo.clock``), the staff record the minutes with a photo;
the activity is held. Then the database: the booking, the sign-up, the one check-in, the minutes, the photo, the
events in order.

Each user has their own browser context. The assertions use data-testid attributes, field names, URLs and stored
values. Screenshots go to test-artifacts/browser/activities-*.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from gridwork.accounts.models import User
from gridwork.accounts.tests.factories import STAFF_PASSWORD
from gridwork.activities.models import (
    Activity,
    ActivityEvent,
    ActivityKind,
    ActivityPhoto,
    ActivityState,
    Audience,
    CheckIn,
    CheckInMethod,
    SignUp,
)
from gridwork.activities.tests.factories import ActivityWorld, activity_world
from gridwork.centres.models import Booking, BookingState
from gridwork.demo.clock import clock
from tests.browser.conftest import screenshot
from tests.browser.test_matter_loop import new_page  # noqa: F401  (new_page: a fixture)
from tests.browser.test_volunteering import expect_done, fits_the_phone, sign_in_by_phone

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

TIMEOUT = 60_000
TITLE = "三月主题党日：学雷锋志愿服务"
DESCRIPTION = "集中学习雷锋精神，随后分组到小区开展卫生清扫和助老服务。"
MINUTES = "到会党员和居民共十八人。学习雷锋精神，随后分三组清扫小区公共区域、走访独居老人四户。"
RESIDENT_PHONE = "13900000001"  # world.resident: 张桂芳, living in 春晖社区


@pytest.fixture
def world(settings: Any, tmp_path: Path) -> ActivityWorld:
    settings.MEDIA_ROOT = tmp_path / "media"
    return activity_world()


@pytest.fixture
def patient() -> Iterator[None]:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)
    try:
        yield
    finally:
        expect.set_options(timeout=5_000)


def photo_file(directory: Path) -> Path:
    path = directory / "活动现场.png"
    Image.new("RGB", (320, 240), (200, 40, 40)).save(path, format="PNG")
    return path


def local_minute(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


# --- what the users do -----------------------------------------------------------------------------------------


def sign_in(page: Page, base: str, user: User) -> None:
    """Sign in through the staff sign-in page; lands on the staff home, which names the user."""
    from playwright.sync_api import expect

    page.goto(f"{base}/accounts/login/")
    page.locator('input[name="username"]').fill(user.username)
    page.locator('input[name="password"]').fill(STAFF_PASSWORD)
    with page.expect_navigation():
        page.locator('button[type="submit"]').click()
    expect(page).to_have_url(f"{base}/staff/")
    expect(page.get_by_test_id("username")).to_have_text(str(user))


def fill_activity(page: Page, world: ActivityWorld, starts_at: datetime, *, title: str) -> None:
    form = page.get_by_test_id("activity-form")
    # The staff member's only community is chosen already; the contact is the staff member.
    from playwright.sync_api import expect

    expect(form.locator('[name="place"]')).to_have_value(str(world.tree.community.pk))
    expect(form.locator('[name="contact_name"]')).to_have_value(world.staff.full_name)
    form.locator('[name="kind"]').select_option(ActivityKind.THEME_PARTY_DAY)
    form.locator('[name="title"]').fill(title)
    form.locator('[name="organiser"]').select_option(str(world.branch.pk))
    form.locator('[name="description"]').fill(DESCRIPTION)
    form.locator('[name="starts_at"]').fill(local_minute(starts_at))
    form.locator('[name="ends_at"]').fill(local_minute(starts_at + timedelta(hours=2)))
    form.locator('[name="room"]').select_option(str(world.room.pk))
    form.locator('[name="attendees"]').fill("25")
    form.locator('[name="contact_phone"]').fill("13800001234")
    form.locator(f'[name="audience"][value="{Audience.COMMUNITY}"]').check()
    form.locator('[name="signup_limit"]').fill("25")


def staff_create_the_activity_booking_the_room(
    page: Page, base: str, world: ActivityWorld, starts_at: datetime
) -> Activity:
    from playwright.sync_api import expect

    page.goto(f"{base}{reverse('activities:activity-list')}")
    with page.expect_navigation():
        page.get_by_test_id("activity-new").click()
    expect(page).to_have_url(f"{base}{reverse('activities:activity-create')}")
    fill_activity(page, world, starts_at, title=TITLE)
    screenshot(page, "activities-01-staff-activity-form")
    with page.expect_navigation():
        page.get_by_test_id("activity-submit").click()
    activity = Activity.objects.get(title=TITLE)
    expect(page).to_have_url(f"{base}{reverse('activities:activity-detail', args=[activity.pk])}")
    expect_done(page)
    expect(page.get_by_test_id("activity-state")).to_have_attribute("data-state", ActivityState.PLANNED)
    booking = page.get_by_test_id("activity-booking")
    expect(booking).to_have_attribute("data-state", BookingState.CONFIRMED)
    assert activity.booking is not None
    expect(booking).to_contain_text(activity.booking.number)
    expect(page.get_by_test_id("activity-where")).to_contain_text(world.room.name)
    screenshot(page, "activities-02-staff-activity-created")
    return activity


def staff_cannot_book_the_room_twice(page: Page, base: str, world: ActivityWorld, starts_at: datetime) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}{reverse('activities:activity-create')}")
    fill_activity(page, world, starts_at + timedelta(minutes=30), title="撞车的活动")
    with page.expect_navigation():
        page.get_by_test_id("activity-submit").click()
    expect(page).to_have_url(f"{base}{reverse('activities:activity-create')}")
    expect(page.get_by_test_id("error-starts_at")).to_be_visible()
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    screenshot(page, "activities-03-staff-room-taken")
    assert not Activity.objects.filter(title="撞车的活动").exists()
    assert Booking.objects.count() == 1


def resident_signs_up(page: Page, base: str, activity: Activity) -> None:
    from playwright.sync_api import expect

    listing = reverse("activities_public:list")
    sign_in_by_phone(page, base, RESIDENT_PHONE, listing)
    item = page.locator(f'[data-testid="activity-item"][data-pk="{activity.pk}"]')
    expect(item).to_contain_text(TITLE)
    fits_the_phone(page)
    screenshot(page, "activities-04-resident-list")
    with page.expect_navigation():
        item.click()
    expect(page).to_have_url(f"{base}{reverse('activities_public:detail', args=[activity.pk])}")
    with page.expect_navigation():
        page.get_by_test_id("sign-up").click()
    expect_done(page)
    expect(page.get_by_test_id("signed-up")).to_be_visible()
    fits_the_phone(page)
    screenshot(page, "activities-05-resident-signed-up")


def staff_shows_the_qr_code(page: Page, base: str, activity: Activity) -> str:
    from playwright.sync_api import expect

    page.goto(f"{base}{reverse('activities:activity-detail', args=[activity.pk])}")
    with page.expect_navigation():
        page.get_by_test_id("qr-link").click()
    expect(page).to_have_url(f"{base}{reverse('activities:activity-qr', args=[activity.pk])}")
    code = page.get_by_test_id("qr-code").locator("svg")
    expect(code).to_be_visible()
    box = code.bounding_box()
    assert box is not None
    assert box["width"] >= 300  # big enough for the room's screen
    url = page.get_by_test_id("qr-url").inner_text().strip()
    assert url == f"{base}{reverse('activities_public:check-in', args=[activity.checkin_token])}"
    expect(page.get_by_test_id("qr-checked-in")).to_have_text("0")
    screenshot(page, "activities-06-staff-qr-code")
    return url


def resident_checks_in_by_the_link(page: Page, url: str) -> None:
    from playwright.sync_api import expect

    page.goto(url)
    with page.expect_navigation():
        page.get_by_test_id("check-in-confirm").click()
    expect(page.get_by_test_id("checked-in")).to_be_visible()
    expect(page.get_by_test_id("checked-in")).to_contain_text("张桂芳")
    fits_the_phone(page)
    screenshot(page, "activities-07-resident-checked-in")
    page.goto(url)
    expect(page.get_by_test_id("already-checked-in")).to_be_visible()
    screenshot(page, "activities-08-resident-already-checked-in")


def staff_record_the_minutes(page: Page, base: str, activity: Activity, photo: Path) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}{reverse('activities:activity-qr', args=[activity.pk])}")
    expect(page.get_by_test_id("qr-checked-in")).to_have_text("1")
    page.goto(f"{base}{reverse('activities:activity-detail', args=[activity.pk])}")
    expect(page.get_by_test_id("figure-signed-up")).to_have_text("1")
    expect(page.get_by_test_id("figure-checked-in")).to_have_text("1")
    expect(page.get_by_test_id("checkin-name")).to_have_text(["张桂芳"])
    with page.expect_navigation():
        page.get_by_test_id("minutes-link").click()
    form = page.get_by_test_id("minutes-form")
    form.locator('[name="minutes"]').fill(MINUTES)
    form.locator('[name="photos"]').set_input_files(str(photo))
    screenshot(page, "activities-09-staff-minutes-form")
    with page.expect_navigation():
        page.get_by_test_id("minutes-submit").click()
    expect(page).to_have_url(f"{base}{reverse('activities:activity-detail', args=[activity.pk])}")
    expect_done(page)
    expect(page.get_by_test_id("activity-state")).to_have_attribute("data-state", ActivityState.HELD)
    expect(page.get_by_test_id("minutes-text")).to_have_text(MINUTES)
    image = page.get_by_test_id("photo")
    expect(image).to_have_count(1)
    assert image.evaluate("img => img.complete && img.naturalWidth") == 320  # the stored photo is served
    screenshot(page, "activities-10-staff-minutes-recorded")


# --- the test ----------------------------------------------------------------------------------------------


def test_a_theme_party_day_booked_signed_up_checked_in_by_qr_and_minuted(
    world: ActivityWorld,
    live_server: Any,
    new_page: Callable[..., Page],  # noqa: F811  (the fixture imported above)
    patient: None,
    tmp_path: Path,
) -> None:
    base = live_server.url
    # Half an hour from now, to the minute: check-in is open (from an hour before), sign-up still is.
    starts_at = (timezone.now() + timedelta(minutes=30)).replace(second=0, microsecond=0)

    staff = new_page("staff")
    resident = new_page("resident", mobile=True)
    sign_in(staff, base, world.staff)

    activity = staff_create_the_activity_booking_the_room(staff, base, world, starts_at)
    staff_cannot_book_the_room_twice(staff, base, world, starts_at)
    resident_signs_up(resident, base, activity)
    url = staff_shows_the_qr_code(staff, base, activity)
    resident_checks_in_by_the_link(resident, url)
    with clock(starts_at + timedelta(minutes=100)):  # the activity has begun: its minutes may be recorded
        staff_record_the_minutes(staff, base, activity, photo_file(tmp_path))

    # The database.
    activity = Activity.objects.get(pk=activity.pk)
    assert activity.number.startswith(f"活-{timezone.localdate().year}-")
    assert (activity.kind, activity.organiser, activity.place, activity.audience) == (
        ActivityKind.THEME_PARTY_DAY,
        world.branch,
        world.tree.community,
        Audience.COMMUNITY,
    )
    assert (activity.starts_at, activity.ends_at) == (starts_at, starts_at + timedelta(hours=2))
    assert (activity.state, activity.minutes, activity.minutes_recorded_by) == (
        ActivityState.HELD,
        MINUTES,
        world.staff,
    )
    booking = Booking.objects.get()
    assert activity.booking == booking
    assert (booking.room, booking.state, booking.booker) == (world.room, BookingState.CONFIRMED, world.staff)
    assert (booking.starts_at, booking.ends_at, booking.attendees) == (activity.starts_at, activity.ends_at, 25)
    signup = SignUp.objects.get()
    assert (signup.activity, signup.user, signup.cancelled_at) == (activity, world.resident, None)
    assert activity.signed_up == 1
    checkin = CheckIn.objects.get()
    assert (checkin.activity, checkin.user, checkin.method) == (activity, world.resident, CheckInMethod.QR)
    photo = ActivityPhoto.objects.get()
    assert (photo.activity, photo.content_type) == (activity, "image/png")
    assert not re.search("活动现场", photo.file.name)
    events = list(ActivityEvent.objects.filter(subject=activity).order_by("sequence").values_list("action", "actor"))
    assert events == [("create", world.staff.pk), ("record_minutes", world.staff.pk)]
