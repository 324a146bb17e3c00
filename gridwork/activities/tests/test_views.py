"""The activities' pages on the real clock: the staff list, creating (the room booked in the same step; 400 naming the
field; a taken room refused and nothing saved), an activity's page with names masked for those who may not see them,
the QR code and a new code, checking in by hand, the minutes with a photo, cancelling, a stale page (409), the
organisation-life page and its export; the residents' list, sign-up, my sign-ups and the QR code's check-in link; and
the attacks (another community's staff 404, a grid worker cannot act, an old code 404, forged posts)."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from gridwork.accounts.models import User
from gridwork.activities.models import Activity, ActivityKind, ActivityState, Audience, CheckIn, SignUp
from gridwork.activities.services.participation import signup_create
from gridwork.activities.tests.factories import ActivityWorld, activity_world, fresh, make_activity, soon
from gridwork.centres.models import Booking, BookingState
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(tree: CityTree) -> ActivityWorld:
    return activity_world(tree)


def client_for(user: User | None = None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def upcoming(world: ActivityWorld, **values: Any) -> Activity:
    """An activity of 春晖社区 starting in two days at 14:00, created now."""
    return make_activity(world, starts_at=soon(2), at=timezone.now(), **values)


def on_now(world: ActivityWorld, **values: Any) -> Activity:
    """An activity that began 30 minutes ago and ends in 90 minutes."""
    return make_activity(
        world, starts_at=timezone.now() - timedelta(minutes=30), at=timezone.now() - timedelta(hours=1), **values
    )


def png_upload(name: str = "现场.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (10, 120, 10)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def create_post(world: ActivityWorld, **overrides: Any) -> dict[str, Any]:
    starts = soon(3, 9)
    data: dict[str, Any] = {
        "place": world.tree.community.pk,
        "kind": ActivityKind.THEME_PARTY_DAY,
        "title": "三月主题党日：学雷锋志愿服务",
        "organiser": world.branch.pk,
        "description": "集中学习后到小区开展志愿服务。",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "room": world.room.pk,
        "attendees": "25",
        "contact_name": "王芳",
        "contact_phone": "13800001234",
        "location": "",
        "audience": Audience.PARTY_MEMBERS,
        "signup_limit": "25",
    }
    data.update(overrides)
    return data


# --- the staff list and the access rule ----------------------------------------------------------------------------


def test_the_list_shows_the_users_units_only(world: ActivityWorld) -> None:
    activity = upcoming(world)
    url = reverse("activities:activity-list")
    assert activity.number in client_for(world.staff).get(url).content.decode()
    assert activity.number in client_for(world.street_staff).get(url).content.decode()
    assert activity.number not in client_for(world.staff2).get(url).content.decode()
    assert activity.number not in client_for(world.street2_staff).get(url).content.decode()
    assert client_for(world.resident).get(url).status_code == 403
    assert client_for().get(url).status_code == 302
    filtered = client_for(world.staff).get(url, {"when": "past"})
    assert activity.number not in filtered.content.decode()
    assert client_for(world.staff).get(url, {"kind": "nonsense"}).status_code == 400


def test_another_communitys_staff_find_nothing(world: ActivityWorld) -> None:
    activity = on_now(world)
    photo_id = 0
    names = [
        ("activities:activity-detail", "get"),
        ("activities:activity-qr", "get"),
        ("activities:activity-rotate", "post"),
        ("activities:activity-checkin", "post"),
        ("activities:activity-minutes", "get"),
        ("activities:activity-minutes", "post"),
        ("activities:activity-photos", "post"),
        ("activities:activity-cancel", "get"),
        ("activities:activity-cancel", "post"),
    ]
    for user in (world.staff2, world.street2_staff):
        client = client_for(user)
        for name, method in names:
            response = getattr(client, method)(reverse(name, args=[activity.pk]), {"version": 1, "reason": "x"})
            assert response.status_code == 404, (user, name, method)
        assert client.get(reverse("activities:activity-photo", args=[activity.pk, photo_id])).status_code == 404
    assert fresh(activity).state == ActivityState.PLANNED
    assert fresh(activity).checkin_token == activity.checkin_token


def test_a_grid_worker_looks_but_does_not_act(world: ActivityWorld) -> None:
    activity = upcoming(world)
    client = client_for(world.grid_worker)
    assert client.get(reverse("activities:activity-list")).status_code == 200
    # Reading the community's positions is community-wide: the grid worker sees the community's activity…
    detail = client.get(reverse("activities:activity-detail", args=[activity.pk]))
    assert detail.status_code == 200
    assert 'data-testid="qr-link"' not in detail.content.decode()
    assert 'data-testid="cancel-link"' not in detail.content.decode()
    # …and not the sibling community's.
    elsewhere = upcoming(world, actor=world.staff2, place=world.tree.community2)
    assert client.get(reverse("activities:activity-detail", args=[elsewhere.pk])).status_code == 404
    assert client.get(reverse("activities:activity-create")).status_code == 403
    assert client.get(reverse("activities:activity-qr", args=[activity.pk])).status_code == 403
    assert client.post(reverse("activities:activity-cancel", args=[activity.pk]), {"version": 1}).status_code == 403


# --- creating -------------------------------------------------------------------------------------------------------


def test_create_an_activity_booking_its_room(world: ActivityWorld) -> None:
    client = client_for(world.staff)
    form = client.get(reverse("activities:activity-create"))
    assert form.status_code == 200
    assert "多功能活动室" in form.content.decode()
    assert "活动室" in form.content.decode()
    assert "秋实社区党群服务站" not in form.content.decode()
    response = client.post(reverse("activities:activity-create"), create_post(world))
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("activities:activity-detail", args=[activity.pk])
    assert (activity.kind, activity.organiser, activity.audience, activity.signup_limit) == (
        ActivityKind.THEME_PARTY_DAY,
        world.branch,
        Audience.PARTY_MEMBERS,
        25,
    )
    booking = Booking.objects.get()
    assert activity.booking == booking
    assert booking.state == BookingState.CONFIRMED
    assert (booking.contact_name, booking.contact_phone) == ("王芳", "13800001234")


def test_a_taken_room_is_refused_on_the_form_and_nothing_is_saved(world: ActivityWorld) -> None:
    client = client_for(world.staff)
    assert client.post(reverse("activities:activity-create"), create_post(world)).status_code == 302
    response = client.post(reverse("activities:activity-create"), create_post(world, title="另一个活动"))
    assert response.status_code == 400
    assert 'data-testid="error-starts_at"' in response.content.decode()
    assert (Activity.objects.count(), Booking.objects.count()) == (1, 1)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"organiser": ""}, "organiser"),
        ({"ends_at": soon(3, 8).strftime("%Y-%m-%dT%H:%M")}, "ends_at"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"room": "", "location": ""}, "location"),
        ({"attendees": "200"}, "attendees"),
        ({"audience": "all"}, "audience"),
        ({"signup_limit": "0"}, "signup_limit"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(world: ActivityWorld, overrides: dict[str, Any], field: str) -> None:
    response = client_for(world.staff).post(reverse("activities:activity-create"), create_post(world, **overrides))
    assert response.status_code == 400
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert not Activity.objects.exists()
    assert not Booking.objects.exists()


def test_forged_choices_are_refused(world: ActivityWorld) -> None:
    client = client_for(world.staff)
    for overrides, field in (
        ({"place": world.tree.community2.pk}, "place"),
        ({"room": world.room2.pk}, "room"),
        ({"organiser": world.branch2.pk}, "organiser"),
    ):
        response = client.post(reverse("activities:activity-create"), create_post(world, **overrides))
        assert response.status_code == 400, overrides
        assert f'data-testid="error-{field}"' in response.content.decode()
    assert not Activity.objects.exists()


# --- an activity's page -----------------------------------------------------------------------------------------------


def test_names_are_masked_for_those_without_personal_data(world: ActivityWorld) -> None:
    activity = upcoming(world)
    signup_create(user=world.resident, activity=activity)
    url = reverse("activities:activity-detail", args=[activity.pk])
    assert "张桂芳" in client_for(world.staff).get(url).content.decode()
    street = client_for(world.street_staff).get(url).content.decode()
    assert "张桂芳" not in street
    assert "张*芳" in street


def test_the_qr_code_and_a_new_code(world: ActivityWorld) -> None:
    activity = upcoming(world)
    client = client_for(world.staff)
    page = client.get(reverse("activities:activity-qr", args=[activity.pk]))
    content = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in content
    link = reverse("activities_public:check-in", args=[activity.checkin_token])
    assert f"http://testserver{link}" in content
    assert client.post(reverse("activities:activity-rotate", args=[activity.pk]), {"version": 5}).status_code == 409
    response = client.post(reverse("activities:activity-rotate", args=[activity.pk]), {"version": 1})
    assert response.status_code == 302
    assert client_for(world.resident).get(link).status_code == 404
    new_link = reverse("activities_public:check-in", args=[fresh(activity).checkin_token])
    assert new_link in client.get(reverse("activities:activity-qr", args=[activity.pk])).content.decode()


def test_check_in_by_hand(world: ActivityWorld) -> None:
    activity = on_now(world)
    signup = SignUp.objects.create(
        activity=activity, user=world.resident, name="张桂芳", kind="resident", signed_up_at=timezone.now()
    )
    client = client_for(world.staff)
    url = reverse("activities:activity-checkin", args=[activity.pk])
    empty = client.post(url, {"checkin-signup": "", "checkin-name": "", "checkin-kind": "resident"})
    assert empty.status_code == 400
    assert 'data-testid="error-name"' in empty.content.decode()
    assert client.post(url, {"checkin-signup": signup.pk, "checkin-kind": "resident"}).status_code == 302
    assert client.post(url, {"checkin-name": "王大爷", "checkin-kind": "resident"}).status_code == 302
    assert set(CheckIn.objects.values_list("name", flat=True)) == {"张桂芳", "王大爷"}
    again = client.post(url, {"checkin-signup": signup.pk, "checkin-kind": "resident"})
    assert again.status_code == 400  # no longer among those not checked in
    page = client.get(reverse("activities:activity-detail", args=[activity.pk])).content.decode()
    assert 'data-testid="figure-checked-in">2<' in page


def test_minutes_with_a_photo(world: ActivityWorld) -> None:
    later = upcoming(world)
    client = client_for(world.staff)
    early = client.post(reverse("activities:activity-minutes", args=[later.pk]), {"version": 1, "minutes": "纪要"})
    assert early.status_code == 400
    activity = on_now(world)
    url = reverse("activities:activity-minutes", args=[activity.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"version": 1, "minutes": ""}).status_code == 400
    assert client.post(url, {"version": 7, "minutes": "纪要"}).status_code == 409
    response = client.post(url, {"version": 1, "minutes": "到会25人，学习了有关文件。", "photos": [png_upload()]})
    assert response.status_code == 302
    held = fresh(activity)
    assert held.state == ActivityState.HELD
    assert held.minutes == "到会25人，学习了有关文件。"
    photo = held.photos.get()
    served = client.get(reverse("activities:activity-photo", args=[activity.pk, photo.pk]))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content)[:4] == b"\x89PNG"  # type: ignore[attr-defined]
    bad = client.post(
        reverse("activities:activity-photos", args=[activity.pk]),
        {"photos-photos": [SimpleUploadedFile("x.png", b"not an image", content_type="image/png")]},
    )
    assert bad.status_code == 400
    assert held.photos.count() == 1


def test_cancel(world: ActivityWorld) -> None:
    activity = upcoming(world, room=world.room)
    client = client_for(world.staff)
    url = reverse("activities:activity-cancel", args=[activity.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"version": 1, "reason": ""}).status_code == 400
    assert client.post(url, {"version": 5, "reason": "下雨"}).status_code == 409
    assert client.post(url, {"version": 1, "reason": "下雨"}).status_code == 302
    assert fresh(activity).state == ActivityState.CANCELLED
    assert Booking.objects.get().state == BookingState.CANCELLED
    assert client.post(url, {"version": 2, "reason": "再来"}).status_code == 409


# --- organisation life ------------------------------------------------------------------------------------------------


def test_the_life_page_and_its_export(world: ActivityWorld) -> None:
    client = client_for(world.staff)
    year = timezone.localdate().year - 1
    page = client.get(reverse("activities:life"), {"year": year})
    content = page.content.decode()
    assert page.status_code == 200
    assert "春晖社区第一网格党支部" in content
    assert "秋实社区第一党支部" not in content
    assert f'data-period="{year}-12" data-status="gap"' in content
    assert client.get(reverse("activities:life"), {"year": "1000"}).status_code == 400
    export = client.get(reverse("activities:life-export"), {"year": year})
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 12 * 3 + 4 * 2  # the header, monthly meetings × 12, quarterly × 4
    assert all(row[0] == "春晖社区第一网格党支部" for row in rows[1:])
    assert client_for(world.street2_staff).get(reverse("activities:life")).status_code == 200
    assert (
        "春晖社区第一网格党支部" not in client_for(world.street2_staff).get(reverse("activities:life")).content.decode()
    )
    assert client_for(world.resident).get(reverse("activities:life")).status_code == 403


# --- residents' pages -------------------------------------------------------------------------------------------------


def test_the_residents_list(world: ActivityWorld) -> None:
    activity = upcoming(world)
    mine = client_for(world.resident).get(reverse("activities_public:list"))
    assert mine.status_code == 200
    assert activity.title in mine.content.decode()
    anyone = client_for().get(reverse("activities_public:list"), {"community": world.tree.community.code})
    assert activity.title in anyone.content.decode()
    elsewhere = client_for().get(reverse("activities_public:list"), {"community": world.tree.community2.code})
    assert activity.title not in elsewhere.content.decode()
    assert client_for().get(reverse("activities_public:list"), {"community": "nope"}).status_code == 404


def test_sign_up_and_cancel_on_the_residents_pages(world: ActivityWorld) -> None:
    activity = upcoming(world)
    detail = reverse("activities_public:detail", args=[activity.pk])
    anonymous = client_for().get(detail).content.decode()
    assert 'data-testid="sign-in-to-sign-up"' in anonymous
    assert quote(detail, safe="") in anonymous
    assert client_for().post(reverse("activities_public:sign-up", args=[activity.pk])).status_code == 302
    client = client_for(world.resident)
    assert 'data-testid="sign-up"' in client.get(detail).content.decode()
    assert client.post(reverse("activities_public:sign-up", args=[activity.pk])).status_code == 302
    assert 'data-testid="signed-up"' in client.get(detail).content.decode()
    twice = client.post(reverse("activities_public:sign-up", args=[activity.pk]))
    assert twice.status_code == 400
    assert "already signed up" in twice.content.decode()
    assert activity.title in client.get(reverse("activities_public:mine")).content.decode()
    refused = client_for(world.resident2).post(reverse("activities_public:sign-up", args=[activity.pk]))
    assert refused.status_code == 400
    assert "秋实社区" in refused.content.decode()
    assert client.post(reverse("activities_public:sign-up-cancel", args=[activity.pk])).status_code == 302
    assert fresh(activity).signed_up == 0
    assert SignUp.objects.filter(user=world.resident2).count() == 0


def test_posts_need_the_csrf_token(world: ActivityWorld) -> None:
    activity = upcoming(world)
    client = Client(HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=True)
    client.force_login(world.resident)
    assert client.post(reverse("activities_public:sign-up", args=[activity.pk])).status_code == 403
    assert not SignUp.objects.exists()


def test_the_qr_link_checks_in(world: ActivityWorld) -> None:
    activity = on_now(world)
    link = reverse("activities_public:check-in", args=[activity.checkin_token])
    anonymous = client_for().get(link)
    assert anonymous.status_code == 302
    assert anonymous["Location"] == f"{reverse('accounts:phone')}?next={quote(link, safe='')}"
    client = client_for(world.resident)
    opened = client.get(link)  # opening the link writes nothing: the page asks to confirm
    assert opened.status_code == 200
    assert 'data-testid="check-in-confirm"' in opened.content.decode()
    assert not CheckIn.objects.exists()
    first = client.post(link)
    assert first.status_code == 200
    assert 'data-testid="checked-in"' in first.content.decode()
    second = client.get(link)
    assert second.status_code == 200
    assert 'data-testid="already-checked-in"' in second.content.decode()
    assert "already checked in" in second.content.decode()
    assert 'data-testid="already-checked-in"' in client.post(link).content.decode()
    for answer in (client_for(world.member2).get(link), client_for(world.member2).post(link)):
        assert answer.status_code == 403
        assert "秋实社区" in answer.content.decode()
    assert client_for(world.resident).post(link + "x").status_code == 404
    assert CheckIn.objects.filter(activity=activity).count() == 1


def test_the_qr_link_needs_the_csrf_token_to_check_in(world: ActivityWorld) -> None:
    """Another site cannot check a signed-in resident in: a GET writes nothing, a POST without the token is 403."""
    activity = on_now(world)
    link = reverse("activities_public:check-in", args=[activity.checkin_token])
    client = Client(HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=True)
    client.force_login(world.resident)
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 403
    assert not CheckIn.objects.exists()


def test_the_qr_link_outside_the_activitys_time(world: ActivityWorld) -> None:
    activity = upcoming(world)
    link = reverse("activities_public:check-in", args=[activity.checkin_token])
    response = client_for(world.resident).get(link)
    assert response.status_code == 403
    assert "opens at" in response.content.decode()
    assert not CheckIn.objects.exists()
