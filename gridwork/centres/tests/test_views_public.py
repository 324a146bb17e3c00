"""The public pages at /centres/: the list anyone may read (a verified resident's community first), a centre's page,
a room's week (busy times without who or what), booking (signed-in residents and unit contacts; staff 403; the
refusals on their fields with 400), my bookings (only mine) and cancelling (someone else's: 404; stale: 409)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gridwork.centres.models import BookerKind, Booking, BookingState
from gridwork.centres.tests.factories import World, make_centre, make_room, make_world
from gridwork.centres.tests.test_views_staff import booked, client_of, next_tuesday
from gridwork.party.models import UnitContact
from gridwork.people.models import Resident
from gridwork.people.tests.factories import make_unit
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def form_data(**extra: Any) -> dict[str, Any]:
    data = {
        "day": next_tuesday().isoformat(),
        "starts_at": "10:00",
        "ends_at": "11:00",
        "booker": "resident",
        "purpose": "合唱团排练",
        "attendees": "15",
        "contact_name": "王小明",
        "contact_phone": "13900000001",
    }
    data.update(extra)
    return data


class TestReading:
    def test_anyone_reads_the_list_and_a_centre(self, world: World) -> None:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        page = client.get(reverse("centres_public:list"))
        assert page.status_code == 200
        assert {row["centre"] for row in page.context["rows"]} == {world.station, world.station2, world.approving}
        centre = client.get(reverse("centres_public:centre", args=[world.station.pk]))
        assert centre.status_code == 200
        assert "08:30-12:00, 14:00-21:00" in centre.content.decode()

    def test_a_verified_resident_sees_their_communitys_centres_first(self, world: World) -> None:
        Resident.objects.create(name="王小明", household=world.tree.household, user=world.resident)
        estate = make_centre(world.tree.microgrid, name="1号楼微站点", kind="micro_station")
        page = client_of(world.resident).get(reverse("centres_public:list"))
        assert page.context["community"] == world.tree.community
        assert {row["centre"] for row in page.context["rows"]} == {world.station, world.approving, estate}
        everything = client_of(world.resident).get(reverse("centres_public:list"), {"all": "1"})
        assert world.station2 in {row["centre"] for row in everything.context["rows"]}

    def test_search_and_a_chosen_community(self, world: World) -> None:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        chosen = client.get(reverse("centres_public:list"), {"community": world.tree.community2.code})
        assert {row["centre"] for row in chosen.context["rows"]} == {world.station2, world.approving}
        found = client.get(reverse("centres_public:list"), {"q": "望江街道党群"})
        assert [row["centre"] for row in found.context["rows"]] == [world.approving]

    def test_a_closed_centre_is_not_found(self, world: World) -> None:
        world.station2.is_active = False
        world.station2.save()
        client = Client()
        assert client.get(reverse("centres_public:centre", args=[world.station2.pk])).status_code == 404
        assert client.get(reverse("centres_public:room", args=[world.room2.pk])).status_code == 404

    def test_a_rooms_week_shows_busy_times_but_not_who_or_what(self, world: World) -> None:
        booked(world)
        page = Client(HTTP_ACCEPT_LANGUAGE="en").get(
            reverse("centres_public:room", args=[world.room.pk]), {"week": next_tuesday().isoformat()}
        )
        assert page.status_code == 200
        tuesday = page.context["days"][1]
        assert [(s.strftime("%H:%M"), e.strftime("%H:%M")) for s, e in tuesday.busy] == [("10:00", "11:00")]
        assert [(s.strftime("%H:%M"), e.strftime("%H:%M")) for s, e in tuesday.free] == [
            ("08:30", "10:00"),
            ("11:00", "12:00"),
            ("14:00", "21:00"),
        ]
        body = page.content.decode()
        assert "书法" not in body
        assert "王小明" not in body
        assert "13900000001" not in body


class TestBooking:
    def test_anonymous_is_sent_to_sign_in_and_staff_to_their_pages(self, world: World) -> None:
        url = reverse("centres_public:book", args=[world.room.pk])
        response = Client().get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]
        assert client_of(world.community).get(url).status_code == 403

    def test_a_resident_books(self, world: World) -> None:
        client = client_of(world.resident)
        url = reverse("centres_public:book", args=[world.room.pk])
        assert client.get(url).status_code == 200
        response = client.post(url, form_data())
        assert response.status_code == 302
        assert response["Location"] == reverse("centres_public:mine")
        booking = Booking.objects.get()
        assert (booking.booker, booking.booker_kind, booking.state) == (
            world.resident,
            BookerKind.RESIDENT,
            BookingState.CONFIRMED,
        )

    def test_the_refusals_are_on_their_fields(self, world: World) -> None:
        booked(world, actor=world.resident2)
        client = client_of(world.resident)
        url = reverse("centres_public:book", args=[world.room.pk])
        for data, field, words in (
            (form_data(), "starts_at", "already booked"),
            (form_data(starts_at="12:00", ends_at="13:00"), "starts_at", "opening hours"),
            (form_data(starts_at="15:00", ends_at="16:00", attendees="31"), "attendees", "at most 30"),
            (form_data(starts_at="15:00", ends_at="14:00"), "ends_at", "after it starts"),
            (form_data(starts_at="15:00", ends_at="16:00", booker="organisation"), "organisation_name", "name"),
            (form_data(booker="staff"), "booker", ""),
        ):
            response = client.post(url, data)
            assert response.status_code == 400, data
            errors = response.context["form"].errors
            assert field in errors, (data, errors)
            assert words in errors[field][0]
        assert Booking.objects.count() == 1

    def test_a_unit_contact_books_for_the_unit(self, world: World) -> None:
        unit = make_unit(world.tree.grid, "春晖物业公司")
        other = make_unit(world.tree.grid, "别家公司")
        UnitContact.objects.create(unit=unit, user=world.resident)
        client = client_of(world.resident)
        url = reverse("centres_public:book", args=[world.room.pk])
        forged = client.post(url, form_data(booker=f"unit:{other.pk}"))
        assert forged.status_code == 400
        assert "booker" in forged.context["form"].errors
        assert client.post(url, form_data(booker=f"unit:{unit.pk}")).status_code == 302
        assert Booking.objects.get().unit == unit

    def test_a_centre_that_approves(self, world: World) -> None:
        client = client_of(world.resident)
        response = client.post(reverse("centres_public:book", args=[world.hall.pk]), form_data())
        assert response.status_code == 302
        assert Booking.objects.get().state == BookingState.PENDING


class TestMine:
    def test_only_my_bookings_and_cancelling(self, world: World) -> None:
        mine = booked(world)
        theirs = booked(world, actor=world.resident2, hour=15)
        client = client_of(world.resident)
        page = client.get(reverse("centres_public:mine"))
        assert [row["booking"] for row in page.context["rows"]] == [mine]
        forged = client.post(reverse("centres_public:cancel", args=[theirs.pk]), {f"b{theirs.pk}-version": 1})
        assert forged.status_code == 404
        stale = client.post(reverse("centres_public:cancel", args=[mine.pk]), {f"b{mine.pk}-version": 2})
        assert stale.status_code == 409
        done = client.post(reverse("centres_public:cancel", args=[mine.pk]), {f"b{mine.pk}-version": 1})
        assert done.status_code == 302
        mine.refresh_from_db()
        theirs.refresh_from_db()
        assert (mine.state, theirs.state) == (BookingState.CANCELLED, BookingState.CONFIRMED)

    def test_cancel_needs_csrf(self, world: World) -> None:
        mine = booked(world)
        client = Client(enforce_csrf_checks=True)
        client.force_login(world.resident)
        assert (
            client.post(reverse("centres_public:cancel", args=[mine.pk]), {f"b{mine.pk}-version": 1}).status_code == 403
        )

    def test_anonymous_has_no_bookings(self, world: World) -> None:
        response = Client().get(reverse("centres_public:mine"))
        assert response.status_code == 302


def test_a_room_not_for_booking_has_no_booking_link(world: World) -> None:
    office = make_room(world.station, "办公室", bookable=False)
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("centres_public:room", args=[office.pk]))
    assert page.status_code == 200
    assert reverse("centres_public:book", args=[office.pk]) not in page.content.decode()
