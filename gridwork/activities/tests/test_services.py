"""Creating activities with the room booked in the same step (a taken slot: a field error, nothing saved), who may,
what is refused and why; cancelling (the booking with it, the slot freed, those signed up told); the minutes and
photos afterwards; a new check-in code. On a fixed clock (``NOW``)."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from PIL import Image

from gridwork.activities.flows import ActivityAction
from gridwork.activities.models import (
    Activity,
    ActivityEvent,
    ActivityKind,
    ActivityPhoto,
    ActivityState,
    Audience,
    CheckIn,
    CheckInMethod,
)
from gridwork.activities.services.activities import (
    activity_add_photos,
    activity_cancel,
    activity_record_minutes,
    activity_rotate_token,
    bookable_rooms,
)
from gridwork.activities.services.participation import signup_create
from gridwork.activities.tests.factories import NOW, ActivityWorld, activity_world, fresh, make_activity
from gridwork.centres.models import Booking, BookingState
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.notifications.models import Notification
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(tree: CityTree) -> ActivityWorld:
    return activity_world(tree)


def png(name: str = "photo.png") -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def errors_of(raised: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return raised.value.message_dict


# --- creating -------------------------------------------------------------------------------------------------------


def test_an_activity_without_a_room_names_its_place(world: ActivityWorld) -> None:
    activity = make_activity(world)
    assert activity.state == ActivityState.PLANNED
    assert activity.number == "活-2031-000001"
    assert (activity.place, activity.community, activity.booking) == (world.tree.community, world.tree.community, None)
    assert activity.location == "春晖小区中心广场"
    assert len(activity.checkin_token) >= 32
    event = ActivityEvent.objects.get(subject=activity)
    assert (event.sequence, event.action, event.to_state) == (1, ActivityAction.CREATE, ActivityState.PLANNED)
    assert make_activity(world).number == "活-2031-000002"


def test_the_room_is_booked_in_the_same_step(world: ActivityWorld) -> None:
    activity = make_activity(world, room=world.room, attendees=25, signup_limit=25)
    booking = activity.booking
    assert booking is not None
    assert (booking.room, booking.state, booking.booker) == (world.room, BookingState.CONFIRMED, world.staff)
    assert (booking.starts_at, booking.ends_at) == (activity.starts_at, activity.ends_at)
    assert booking.purpose == "邻里文化节"
    assert activity.location == str(world.room)


def test_a_taken_room_is_a_field_error_and_nothing_is_saved(world: ActivityWorld) -> None:
    first = make_activity(world, room=world.room)
    activities, bookings = Activity.objects.count(), Booking.objects.count()
    with pytest.raises(ValidationError) as raised:
        make_activity(world, room=world.room, starts_at=first.starts_at + timedelta(minutes=30), title="另一个活动")
    assert "starts_at" in errors_of(raised)
    assert (Activity.objects.count(), Booking.objects.count()) == (activities, bookings)
    # The number was not used up either: the next activity takes the next one.
    assert make_activity(world).number == "活-2031-000002"


def test_a_taken_room_inside_an_outer_transaction_leaves_nothing(world: ActivityWorld) -> None:
    first = make_activity(world, room=world.room)
    with transaction.atomic():
        with pytest.raises(ValidationError):
            make_activity(world, room=world.room, starts_at=first.starts_at, title="撞车")
        assert Activity.objects.count() == 1
    assert Booking.objects.count() == 1


def test_touching_slots_are_both_booked(world: ActivityWorld) -> None:
    first = make_activity(world, room=world.room, hours=1)
    second = make_activity(world, room=world.room, starts_at=first.ends_at, hours=1)
    assert second.booking is not None
    assert second.booking.state == BookingState.CONFIRMED


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"title": "  "}, "title"),
        ({"kind": "party"}, "kind"),
        ({"audience": "everyone"}, "audience"),
        ({"kind": ActivityKind.BRANCH_GENERAL_MEETING}, "organiser"),
        ({"kind": ActivityKind.THEME_PARTY_DAY}, "organiser"),
        ({"audience": Audience.PARTY_MEMBERS}, "audience"),
        ({"location": ""}, "location"),
        ({"signup_limit": 0}, "signup_limit"),
        ({"hours": -1}, "ends_at"),
        ({"hours": 0}, "ends_at"),
        ({"hours": 80}, "ends_at"),
    ],
)
def test_bad_input_names_the_field(world: ActivityWorld, values: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        make_activity(world, **values)
    assert field in errors_of(raised)
    assert not Activity.objects.exists()


def test_a_room_needs_the_expected_attendees_within_its_capacity(world: ActivityWorld) -> None:
    with pytest.raises(ValidationError) as raised:
        make_activity(world, room=world.small_room, attendees=None)
    assert "attendees" in errors_of(raised)
    with pytest.raises(ValidationError) as raised:
        make_activity(world, room=world.small_room, attendees=10, signup_limit=40)
    assert "signup_limit" in errors_of(raised)
    with pytest.raises(ValidationError) as raised:
        make_activity(world, room=world.small_room, attendees=20)
    assert "attendees" in errors_of(raised)
    assert not Booking.objects.exists()


def test_the_organiser_must_be_of_the_place(world: ActivityWorld) -> None:
    with pytest.raises(ValidationError) as raised:
        make_activity(world, kind=ActivityKind.BRANCH_COMMITTEE_MEETING, organiser=world.branch2)
    assert "organiser" in errors_of(raised)
    activity = make_activity(world, kind=ActivityKind.PARTY_GROUP_MEETING, organiser=world.group)
    assert activity.organiser == world.group


def test_an_activity_is_run_by_a_community_or_a_street(world: ActivityWorld) -> None:
    with pytest.raises(ValidationError) as raised:
        make_activity(world, place=world.tree.grid)
    assert "place" in errors_of(raised)
    street = make_activity(world, actor=world.street_staff, place=world.tree.street)
    assert (street.place, street.community) == (world.tree.street, None)


def test_only_staff_running_the_place_create(world: ActivityWorld) -> None:
    for actor in (world.staff2, world.grid_worker, world.street2_staff, world.resident):
        with pytest.raises(PermissionDenied):
            make_activity(world, actor=actor)
    assert not Activity.objects.exists()


def test_a_room_of_another_community_is_refused(world: ActivityWorld) -> None:
    assert world.room2 not in bookable_rooms(world.staff)
    assert world.room in bookable_rooms(world.street_staff)
    assert world.room2 in bookable_rooms(world.street_staff)
    with pytest.raises(ValidationError) as raised:
        make_activity(world, room=world.room2)
    assert "room" in errors_of(raised)
    assert not Booking.objects.exists()


def test_the_street_centre_serves_its_communities(world: ActivityWorld) -> None:
    from gridwork.activities.tests.factories import make_centre
    from gridwork.centres.models import CentreKind, Room

    street_centre = make_centre(world.tree.street, "望江街道党群服务中心", kind=CentreKind.STREET_CENTRE)
    hall = Room.objects.create(centre=street_centre, name="报告厅", capacity=120)
    assert hall in bookable_rooms(world.staff)
    activity = make_activity(world, room=hall, attendees=80)
    assert activity.booking is not None


# --- cancelling -----------------------------------------------------------------------------------------------------


def test_cancelling_frees_the_room_and_tells_those_signed_up(world: ActivityWorld) -> None:
    activity = make_activity(world, room=world.room)
    signup_create(user=world.resident, activity=activity, at=NOW)
    with pytest.raises(ValidationError) as raised:
        activity_cancel(actor=world.staff, activity=activity, expected_version=activity.version, reason=" ", at=NOW)
    assert "reason" in errors_of(raised)
    with pytest.raises(StaleState):
        activity_cancel(actor=world.staff, activity=activity, expected_version=0, reason="下雨", at=NOW)
    with pytest.raises(PermissionDenied):
        activity_cancel(actor=world.staff2, activity=activity, expected_version=activity.version, reason="x", at=NOW)
    activity_cancel(actor=world.staff, activity=activity, expected_version=activity.version, reason="暴雨预警", at=NOW)
    assert fresh(activity).state == ActivityState.CANCELLED
    assert Booking.objects.get(pk=activity.booking_id).state == BookingState.CANCELLED
    again = make_activity(world, room=world.room, starts_at=activity.starts_at, title="改期后的活动")
    assert again.booking is not None
    with pytest.raises(MoveRefused):
        activity_cancel(actor=world.staff, activity=fresh(activity), expected_version=2, reason="再取消", at=NOW)


def test_cancelling_tells_those_signed_up(world: ActivityWorld, django_capture_on_commit_callbacks: Any) -> None:
    activity = make_activity(world)
    signup_create(user=world.resident, activity=activity, at=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        activity_cancel(actor=world.staff, activity=activity, expected_version=activity.version, reason="暴雨", at=NOW)
    note = Notification.objects.get(recipient=world.resident)
    assert "邻里文化节" in note.text
    assert "暴雨" in note.text


# --- minutes, photos, the check-in code -------------------------------------------------------------------------------


def test_minutes_are_recorded_once_the_activity_has_begun(world: ActivityWorld) -> None:
    activity = make_activity(world)
    with pytest.raises(ValidationError):
        activity_record_minutes(
            actor=world.staff, activity=activity, minutes="纪要", expected_version=activity.version, at=NOW
        )
    begun = activity.starts_at + timedelta(minutes=5)
    with pytest.raises(ValidationError) as raised:
        activity_record_minutes(actor=world.staff, activity=activity, minutes=" ", expected_version=1, at=begun)
    assert "minutes" in errors_of(raised)
    with pytest.raises(PermissionDenied):
        activity_record_minutes(actor=world.staff2, activity=activity, minutes="纪要", expected_version=1, at=begun)
    activity_record_minutes(
        actor=world.staff, activity=activity, minutes="到会32人。", expected_version=1, photos=[png()], at=begun
    )
    held = fresh(activity)
    assert (held.state, held.minutes, held.minutes_recorded_by) == (ActivityState.HELD, "到会32人。", world.staff)
    photo = ActivityPhoto.objects.get(activity=activity)
    assert photo.content_type == "image/png"
    assert photo.file.name.startswith("activities/")
    assert "photo" not in Path(photo.file.name).name  # the client's name is never used
    with pytest.raises(StaleState):
        activity_record_minutes(actor=world.staff, activity=held, minutes="改", expected_version=1, at=begun)
    activity_record_minutes(actor=world.staff, activity=held, minutes="到会33人。", expected_version=2, at=begun)
    assert fresh(activity).minutes == "到会33人。"
    assert list(ActivityEvent.objects.filter(subject=activity).values_list("action", flat=True)) == [
        ActivityAction.CREATE,
        ActivityAction.RECORD_MINUTES,
        ActivityAction.RECORD_MINUTES,
    ]


def test_a_non_photo_is_refused_with_its_name(world: ActivityWorld) -> None:
    activity = make_activity(world)
    begun = activity.starts_at + timedelta(hours=1)
    pdf = io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF")
    pdf.name = "纪要.pdf"
    with pytest.raises(ValidationError) as raised:
        activity_record_minutes(
            actor=world.staff, activity=activity, minutes="纪要", expected_version=1, photos=[pdf], at=begun
        )
    assert "纪要.pdf" in " ".join(errors_of(raised)["photos"])
    assert fresh(activity).state == ActivityState.PLANNED
    added = activity_add_photos(actor=world.staff, activity=activity, photos=[png(), png()], at=begun)
    assert len(added) == 2
    with pytest.raises(ValidationError):
        activity_add_photos(actor=world.staff, activity=activity, photos=[png()], at=NOW)


def test_the_database_refuses_held_without_minutes(world: ActivityWorld) -> None:
    activity = make_activity(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(state=ActivityState.HELD)


def test_the_event_log_and_the_check_ins_are_append_only(world: ActivityWorld) -> None:
    activity = make_activity(world)
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        ActivityEvent.objects.filter(subject=activity).update(note="changed")
    checkin = CheckIn.objects.create(activity=activity, name="某人", kind="other", method=CheckInMethod.BY_HAND, at=NOW)
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        CheckIn.objects.filter(pk=checkin.pk).delete()


def test_a_new_code_replaces_the_old_one(world: ActivityWorld) -> None:
    activity = make_activity(world)
    old = activity.checkin_token
    with pytest.raises(PermissionDenied):
        activity_rotate_token(actor=world.staff2, activity=activity, expected_version=1, at=NOW)
    activity_rotate_token(actor=world.staff, activity=activity, expected_version=1, at=NOW)
    assert fresh(activity).checkin_token not in ("", old)
    assert not Activity.objects.filter(checkin_token=old).exists()


def test_cancelling_frees_a_room_the_canceller_could_not_cancel_alone(
    world: ActivityWorld, django_capture_on_commit_callbacks: Any
) -> None:
    """The room is in the street's centre (which the community's staff book but do not manage), booked by one
    colleague, and the activity has begun when another cancels it: the booking is cancelled with it all the same,
    on behalf of the activity, and its booker told — never an activity cancelled with its room still held, nor a
    cancellation failing half-way."""
    from gridwork.accounts.roles import Role
    from gridwork.accounts.tests.factories import make_staff
    from gridwork.activities.tests.factories import make_centre
    from gridwork.centres.models import CentreKind, Room
    from gridwork.centres.services import booking_cancel

    street_centre = make_centre(world.tree.street, "街道党群服务中心", kind=CentreKind.STREET_CENTRE)
    hall = Room.objects.create(centre=street_centre, name="报告厅", capacity=100)
    colleague = make_staff(role=Role.COMMUNITY_STAFF, place=world.tree.community, username="chunhui-2")
    activity = make_activity(world, room=hall)
    booking = Booking.objects.get(pk=activity.booking_id)
    assert (booking.booker, booking.state) == (world.staff, BookingState.CONFIRMED)
    begun = activity.starts_at + timedelta(minutes=10)
    # The booker alone may not cancel it: it has begun, and it is the activity's room.
    with pytest.raises(ValidationError, match="has begun"):
        booking_cancel(actor=world.staff, booking=booking, expected_version=booking.version, at=begun)
    with django_capture_on_commit_callbacks(execute=True):
        activity_cancel(
            actor=colleague, activity=fresh(activity), expected_version=activity.version, reason="停电", at=begun
        )
    assert fresh(activity).state == ActivityState.CANCELLED
    booking.refresh_from_db()
    assert booking.state == BookingState.CANCELLED
    event = booking.events.order_by("-sequence").first()
    assert event is not None
    assert (event.action, event.actor, event.data["by"], event.data["activity"]) == (
        "cancel",
        colleague,
        "activity",
        activity.number,
    )
    assert activity.number in Notification.objects.get(recipient=world.staff).text


def test_the_booker_cancels_an_activitys_room_only_with_the_activity(world: ActivityWorld) -> None:
    """A booking that is an activity's room is not cancelled on its own by its booker (the activity would announce a
    room it no longer holds): the refusal says to cancel the activity. A manager of the centre still may."""
    from gridwork.accounts.roles import Role
    from gridwork.accounts.tests.factories import make_staff
    from gridwork.activities.tests.factories import make_centre
    from gridwork.centres.models import CentreKind, Room
    from gridwork.centres.services import booking_cancel

    street_centre = make_centre(world.tree.street, "街道党群服务中心", kind=CentreKind.STREET_CENTRE)
    hall = Room.objects.create(centre=street_centre, name="报告厅", capacity=100)
    activity = make_activity(world, room=hall)
    booking = Booking.objects.get(pk=activity.booking_id)
    with pytest.raises(ValidationError, match=activity.number):
        booking_cancel(actor=world.staff, booking=booking, expected_version=booking.version, at=NOW)
    assert Booking.objects.get(pk=booking.pk).state == BookingState.CONFIRMED
    street_manager = make_staff(role=Role.STREET_STAFF, place=world.tree.street, username="street-manager")
    booking_cancel(actor=street_manager, booking=booking, expected_version=booking.version, at=NOW)
    assert Booking.objects.get(pk=booking.pk).state == BookingState.CANCELLED
