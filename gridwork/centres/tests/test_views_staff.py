"""The staff pages at /staff/centres/: scope (another community's staff find nothing: 404; a grid worker may not
manage: 403), the forms' refusals (400 with the field), the moves (409 on a stale page), masking in lists, the
calendar's week, and the usage figures with their export."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gridwork.centres import services
from gridwork.centres.models import BookerKind, Booking, BookingState, Centre, Room
from gridwork.centres.tests.factories import World, make_world
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def client_of(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def next_tuesday() -> date:
    today = timezone.localdate()
    return today + timedelta(days=(1 - today.weekday()) % 7 + 7)


def local(day: date, hour: float) -> datetime:
    start = datetime.combine(day, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    return start + timedelta(minutes=round(hour * 60))


def booked(world: World, actor: Any = None, room: Room | None = None, hour: float = 10, **extra: Any) -> Booking:
    day = next_tuesday()
    values: dict[str, Any] = {
        "booker_kind": BookerKind.RESIDENT,
        "purpose": "书法兴趣小组活动",
        "attendees": 8,
        "contact_name": "王小明",
        "contact_phone": "13900000001",
    }
    values.update(extra)
    return services.booking_create(
        actor=actor or world.resident,
        room=room or world.room,
        starts_at=local(day, hour),
        ends_at=local(day, hour + 1),
        **values,
    )


# --- centres --------------------------------------------------------------------------------------------------------


class TestCentres:
    def test_the_list_shows_the_users_units_only(self, world: World) -> None:
        page = client_of(world.community).get(reverse("centres:centre-list"))
        assert page.status_code == 200
        assert list(page.context["page_obj"]) == [world.station]
        street = client_of(world.street).get(reverse("centres:centre-list")).context["page_obj"]
        assert set(street) == {world.station, world.station2, world.approving}

    def test_another_communitys_centre_is_not_found(self, world: World) -> None:
        client = client_of(world.community2)
        for name in ("centre-detail", "calendar", "centre-edit", "room-create"):
            assert client.get(reverse(f"centres:{name}", args=[world.station.pk])).status_code == 404
        assert client.get(reverse("centres:room-edit", args=[world.room.pk])).status_code == 404
        assert client.get(reverse("centres:centre-detail", args=[world.station2.pk])).status_code == 200

    def test_a_grid_worker_views_but_does_not_manage(self, world: World) -> None:
        """A grid worker reads their community's centres (a community-wide read), never the sibling community's, and
        changes none."""
        client = client_of(world.grid)
        assert client.get(reverse("centres:centre-list")).status_code == 200
        assert client.get(reverse("centres:centre-create")).status_code == 403
        detail = client.get(reverse("centres:centre-detail", args=[world.station.pk]))
        assert detail.status_code == 200
        assert 'data-testid="centre-edit"' not in detail.content.decode()
        assert 'data-testid="room-new"' not in detail.content.decode()
        assert client.get(reverse("centres:centre-detail", args=[world.station2.pk])).status_code == 404
        assert client.post(reverse("centres:centre-edit", args=[world.station.pk]), {}).status_code == 403
        assert client.post(reverse("centres:room-edit", args=[world.room.pk]), {}).status_code == 403

    def test_residents_and_anonymous_are_kept_out(self, world: World) -> None:
        assert client_of(world.resident).get(reverse("centres:centre-list")).status_code == 403
        response = Client().get(reverse("centres:centre-list"))
        assert response.status_code == 302
        assert "login" in response["Location"]

    def test_create_a_centre_with_functions_and_hours(self, world: World) -> None:
        data = {
            "name": "春晖社区1号小区党群服务站",
            "kind": "estate_station",
            "place": world.tree.grid.pk,
            "address": "春晖路1号",
            "phone": "0851-7654321",
            "functions": ["branch_office", "reception", "leisure"],
            "hours_mon": "08:30-12:00, 14:00-17:30",
            "hours_sat": "09:00-12:00",
            "requires_approval": "on",
            "is_active": "on",
        }
        response = client_of(world.community).post(reverse("centres:centre-create"), data)
        assert response.status_code == 302
        centre = Centre.objects.get(name="春晖社区1号小区党群服务站")
        assert centre.functions == ["branch_office", "reception", "leisure"]
        assert centre.opening_hours["mon"] == [["08:30", "12:00"], ["14:00", "17:30"]]
        assert centre.opening_hours["sun"] == []
        assert centre.requires_approval

    def test_a_refused_centre_form_names_the_fields(self, world: World) -> None:
        data = {
            "name": "x",
            "kind": "street_centre",  # serves a street, not a community
            "place": world.tree.community.pk,
            "address": "春晖路1号",
            "hours_mon": "08:30-07:00",
            "hours_tue": "nine to five",
            "is_active": "on",
        }
        response = client_of(world.community).post(reverse("centres:centre-create"), data)
        assert response.status_code == 400
        errors = response.context["form"].errors
        assert set(errors) >= {"place", "hours_mon", "hours_tue"}
        assert Centre.objects.filter(name="x").count() == 0

    def test_a_place_outside_the_users_units_is_not_a_choice(self, world: World) -> None:
        data = {
            "name": "x",
            "kind": "community_station",
            "place": world.tree.community2.pk,
            "address": "秋实路1号",
            "is_active": "on",
        }
        response = client_of(world.community).post(reverse("centres:centre-create"), data)
        assert response.status_code == 400
        assert "place" in response.context["form"].errors

    def test_edit_keeps_hours_and_audits(self, world: World) -> None:
        from gridwork.audit.models import AuditEvent

        client = client_of(world.community)
        page = client.get(reverse("centres:centre-edit", args=[world.station.pk]))
        data = {key: value for key, value in page.context["form"].initial.items() if value not in (None, False)}
        data["functions"] = ["culture"]
        data["name"] = "春晖社区党群服务站（新）"
        data["place"] = world.tree.community.pk
        response = client.post(reverse("centres:centre-edit", args=[world.station.pk]), data)
        assert response.status_code == 302
        world.station.refresh_from_db()
        assert world.station.name == "春晖社区党群服务站（新）"
        assert world.station.opening_hours["tue"] == [["08:30", "12:00"], ["14:00", "21:00"]]
        assert AuditEvent.objects.filter(action="centres.centre_update", object_id=str(world.station.pk)).exists()

    def test_rooms(self, world: World) -> None:
        client = client_of(world.community)
        url = reverse("centres:room-create", args=[world.station.pk])
        bad = client.post(url, {"name": "多功能厅", "capacity": "0"})
        assert bad.status_code == 400
        assert set(bad.context["form"].errors) == {"capacity"}
        duplicate = client.post(url, {"name": "多功能厅", "capacity": "10"})
        assert duplicate.status_code == 400
        assert "name" in duplicate.context["form"].errors
        assert (
            client.post(
                url, {"name": "会议室", "capacity": "12", "equipment": "投影仪，白板", "bookable": "on"}
            ).status_code
            == 302
        )
        room = Room.objects.get(centre=world.station, name="会议室")
        assert room.equipment == ["投影仪", "白板"]
        edit = client.post(reverse("centres:room-edit", args=[room.pk]), {"name": "会议室", "capacity": "14"})
        assert edit.status_code == 302
        room.refresh_from_db()
        assert (room.capacity, room.bookable) == (14, False)


# --- the calendar ---------------------------------------------------------------------------------------------------


def test_the_calendar_shows_a_week_of_rooms_and_days(world: World) -> None:
    booking = booked(world)
    cancelled = booked(world, hour=15)
    services.booking_cancel(actor=world.resident, booking=cancelled, expected_version=1)
    client = client_of(world.community)
    url = reverse("centres:calendar", args=[world.station.pk])
    page = client.get(url, {"week": next_tuesday().isoformat()})
    assert page.status_code == 200
    monday = next_tuesday() - timedelta(days=1)
    assert page.context["monday"] == monday
    cells = page.context["grid"][0].cells
    assert [cell.day for cell in cells] == [monday + timedelta(days=i) for i in range(7)]
    assert cells[1].bookings == [booking]  # the cancelled one frees its slot and is not shown
    assert page.context["previous"] == (monday - timedelta(days=7)).isoformat()
    this_week = client.get(url)
    assert this_week.context["this_week"]
    assert this_week.context["grid"][0].cells[0].bookings == []
    assert client.get(url, {"week": "not-a-date"}).status_code == 200


# --- bookings -------------------------------------------------------------------------------------------------------


class TestBookings:
    def test_the_list_masks_contacts_and_keeps_to_scope(self, world: World) -> None:
        mine = booked(world)
        other = booked(world, room=world.room2)
        page = client_of(world.community).get(reverse("centres:booking-list"))
        assert [row["booking"] for row in page.context["rows"]] == [mine]
        body = page.content.decode()
        assert "139****0001" in body
        assert "13900000001" not in body
        assert "王小明" not in body
        assert other.number not in body

    def test_filters(self, world: World) -> None:
        first = booked(world)
        booked(world, hour=15)
        client = client_of(world.street)
        by_state = client.get(reverse("centres:booking-list"), {"state": "pending"})
        assert by_state.context["rows"] == []
        by_room = client.get(reverse("centres:booking-list"), {"room": world.room.pk, "q": first.number})
        assert [row["booking"] for row in by_room.context["rows"]] == [first]
        by_day = client.get(reverse("centres:booking-list"), {"day": (next_tuesday() + timedelta(days=1)).isoformat()})
        assert by_day.context["rows"] == []
        assert client.get(reverse("centres:booking-list"), {"day": "31/02"}).status_code == 400

    def test_staff_book_and_a_taken_slot_is_a_field_error(self, world: World) -> None:
        booked(world)
        client = client_of(world.community)
        data = {
            "room": world.room.pk,
            "day": next_tuesday().isoformat(),
            "starts_at": "10:30",
            "ends_at": "11:30",
            "booker_kind": "staff",
            "purpose": "支部党员大会",
            "attendees": "20",
            "contact_name": "社区书记",
            "contact_phone": "0851-1234567",
        }
        taken = client.post(reverse("centres:booking-create"), data)
        assert taken.status_code == 400
        assert "already booked" in taken.context["form"].errors["starts_at"][0]
        data["starts_at"], data["ends_at"] = "19:00", "22:30"  # a manager may book outside the hours
        made = client.post(reverse("centres:booking-create"), data)
        assert made.status_code == 302
        booking = Booking.objects.get(purpose="支部党员大会")
        assert made["Location"] == reverse("centres:booking-detail", args=[booking.pk])
        assert booking.state == BookingState.CONFIRMED
        assert booking.booker_kind == BookerKind.STAFF

    def test_a_room_outside_the_users_reach_is_not_a_choice(self, world: World) -> None:
        data = {
            "room": world.room.pk,
            "day": next_tuesday().isoformat(),
            "starts_at": "10:00",
            "ends_at": "11:00",
            "booker_kind": "staff",
            "purpose": "x",
            "attendees": "5",
            "contact_name": "x",
            "contact_phone": "0851-1234567",
        }
        response = client_of(world.community2).post(reverse("centres:booking-create"), data)
        assert response.status_code == 400
        assert "room" in response.context["form"].errors

    def test_a_community_sees_its_own_booking_of_the_streets_hall(self, world: World) -> None:
        booking = booked(world, actor=world.community, room=world.approving.rooms.get(), booker_kind=BookerKind.STAFF)
        client = client_of(world.community)
        assert client.get(reverse("centres:booking-detail", args=[booking.pk])).status_code == 200
        assert (
            client.post(reverse("centres:booking-approve", args=[booking.pk]), {"version": 1}).status_code == 404
        )  # seen as its booker, not decided by it

    def test_the_detail_shows_the_contact_in_full_only_with_the_right(self, world: World) -> None:
        booking = booked(world)
        full = client_of(world.community).get(reverse("centres:booking-detail", args=[booking.pk]))
        assert full.context["contact_phone"] == "13900000001"
        masked = client_of(world.street).get(reverse("centres:booking-detail", args=[booking.pk]))
        assert masked.context["contact_phone"] == "139****0001"
        assert client_of(world.community2).get(reverse("centres:booking-detail", args=[booking.pk])).status_code == 404

    def test_approve_and_refuse(self, world: World) -> None:
        first = booked(world, room=world.hall)
        second = booked(world, room=world.hall, hour=15)
        client = client_of(world.street)
        no_reason = client.post(reverse("centres:booking-refuse", args=[second.pk]), {"version": 1, "reason": ""})
        assert no_reason.status_code == 400
        assert "reason" in no_reason.context["refuse_form"].errors
        assert client.post(reverse("centres:booking-approve", args=[first.pk]), {"version": 1}).status_code == 302
        stale = client.post(reverse("centres:booking-approve", args=[first.pk]), {"version": 1})
        assert stale.status_code == 409
        assert "Someone else changed this" in stale.context["refusal"]
        refused = client.post(reverse("centres:booking-refuse", args=[second.pk]), {"version": 1, "reason": "维修"})
        assert refused.status_code == 302
        second.refresh_from_db()
        assert (second.state, second.decision_note) == (BookingState.REFUSED, "维修")

    def test_only_the_centres_managers_decide(self, world: World) -> None:
        booking = booked(world, room=world.hall)
        assert (
            client_of(world.community2)
            .post(reverse("centres:booking-approve", args=[booking.pk]), {"version": 1})
            .status_code
            == 404
        )
        assert (
            client_of(world.grid)
            .post(reverse("centres:booking-approve", args=[booking.pk]), {"version": 1})
            .status_code
            == 403
        )
        booking.refresh_from_db()
        assert booking.state == BookingState.PENDING

    def test_cancel(self, world: World) -> None:
        booking = booked(world)
        client = client_of(world.community)
        assert client.post(reverse("centres:booking-cancel", args=[booking.pk]), {"version": 2}).status_code == 409
        assert client.post(reverse("centres:booking-cancel", args=[booking.pk]), {"version": 1}).status_code == 302
        booking.refresh_from_db()
        assert booking.state == BookingState.CANCELLED

    def test_csrf_is_required(self, world: World) -> None:
        booking = booked(world, room=world.hall)
        client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(world.street)
        assert client.post(reverse("centres:booking-approve", args=[booking.pk]), {"version": 1}).status_code == 403


# --- usage ----------------------------------------------------------------------------------------------------------


class TestUsage:
    def test_the_months_figures(self, world: World) -> None:
        first = booked(world)  # 1 h, 8 attendees
        booked(world, hour=15, attendees=12, booker_kind=BookerKind.ORGANISATION, organisation_name="舞蹈队")
        cancelled = booked(world, hour=17)
        services.booking_cancel(actor=world.resident, booking=cancelled, expected_version=1)
        month = first.starts_at.astimezone(timezone.get_current_timezone()).strftime("%Y-%m")
        page = client_of(world.community).get(reverse("centres:usage"), {"month": month})
        assert page.status_code == 200
        [centre] = page.context["rows"]
        total = centre.total
        assert (total.confirmed, total.hours_booked, total.attendees, total.cancelled) == (2, 2.0, 20, 1)
        assert total.by_kind == {BookerKind.RESIDENT: 1, BookerKind.ORGANISATION: 1}
        assert total.hours_open > 0
        assert total.occupancy == round(100 * 2 / total.hours_open, 1)
        assert "Hours booked ÷ hours open" in page.content.decode()

    def test_hours_open_follow_the_weekly_hours(self, world: World) -> None:
        from gridwork.centres.figures import usage

        [centre] = usage(Centre.objects.filter(pk=world.station.pk), date(2026, 3, 1))
        # March 2026: 26 days Monday to Saturday, 10.5 hours each; one bookable room.
        assert centre.total.hours_open == 26 * 10.5

    def test_export(self, world: World) -> None:
        booked(world)
        response = client_of(world.community).get(reverse("centres:usage-export"))
        assert response.status_code == 200
        workbook = load_workbook(io.BytesIO(response.content))
        assert workbook.sheetnames[1:] == ["Definitions", "About this export"]
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
        assert rows[1][0] == world.station.name
        assert rows[2][1] == world.room.name

    def test_bad_query_and_scope(self, world: World) -> None:
        client = client_of(world.community)
        assert client.get(reverse("centres:usage"), {"month": "2026-13"}).status_code == 400
        assert client.get(reverse("centres:usage-export"), {"month": "march"}).status_code == 400
        assert client.get(reverse("centres:usage"), {"centre": world.station2.pk}).status_code == 404
        assert client.get(reverse("centres:usage-export"), {"centre": world.station2.pk}).status_code == 404


def test_every_page_answers_in_chinese_too(world: World) -> None:
    """The pages render in the default language (zh-Hans) as well."""
    booking = booked(world, room=world.hall)
    client = Client()
    client.force_login(world.street)
    for url in (
        reverse("centres:centre-list"),
        reverse("centres:centre-create"),
        reverse("centres:centre-detail", args=[world.station.pk]),
        reverse("centres:centre-edit", args=[world.station.pk]),
        reverse("centres:calendar", args=[world.approving.pk]) + f"?week={next_tuesday().isoformat()}",
        reverse("centres:room-create", args=[world.station.pk]),
        reverse("centres:room-edit", args=[world.room.pk]),
        reverse("centres:booking-list"),
        reverse("centres:booking-create") + f"?room={world.hall.pk}",
        reverse("centres:booking-detail", args=[booking.pk]),
        reverse("centres:usage"),
    ):
        assert client.get(url).status_code == 200, url
    public = Client()
    public.force_login(world.resident)
    for url in (
        reverse("centres_public:list"),
        reverse("centres_public:centre", args=[world.approving.pk]),
        reverse("centres_public:room", args=[world.hall.pk]),
        reverse("centres_public:book", args=[world.hall.pk]),
        reverse("centres_public:mine"),
    ):
        assert public.get(url).status_code == 200, url
