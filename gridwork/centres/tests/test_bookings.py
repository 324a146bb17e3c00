"""Booking a room (``services.booking_create``), approving, refusing, cancelling and the expiry of undecided bookings:
the slot rule (touching is allowed; refused and cancelled bookings free the slot), the field errors, who may book
and decide, stale pages, gap-free numbers, and the database's own refusal of an overlap made around the services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.test import override_settings

from gridwork.accounts.models import User
from gridwork.centres import services
from gridwork.centres.models import BookerKind, Booking, BookingEvent, BookingState
from gridwork.centres.tests.factories import NOW, TUESDAY, World, at, book, make_world
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.notifications.models import Notification
from gridwork.party.models import UnitContact
from gridwork.people.tests.factories import make_unit
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def _fields(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict


def _raw(world: World, starts: Any, ends: Any, *, state: str = BookingState.CONFIRMED, number: str = "X-1") -> Booking:
    return Booking.objects.create(
        number=number,
        room=world.room,
        starts_at=starts,
        ends_at=ends,
        state=state,
        booker=world.resident,
        booker_kind=BookerKind.RESIDENT,
        contact_name="王小明",
        contact_phone="13900000001",
        purpose="raw",
        attendees=3,
    )


# --- the slot -------------------------------------------------------------------------------------------------------


class TestSlot:
    def test_a_booking_in_a_centre_without_approval_is_confirmed_and_numbered(self, world: World) -> None:
        first = book(world.resident, world.room, at(10), at(11))
        second = book(world.resident2, world.room, at(15), at(16))
        assert first.state == BookingState.CONFIRMED
        assert (first.number, second.number) == ("订-2026-000001", "订-2026-000002")
        event = BookingEvent.objects.get(subject=first)
        assert (event.sequence, event.action, event.to_state) == (1, "create", BookingState.CONFIRMED)
        assert event.actor_id == world.resident.pk
        assert event.actor_name != world.resident.full_name  # the booker's name is not on the staff timeline

    def test_an_overlapping_booking_is_refused_on_starts_at(self, world: World) -> None:
        book(world.resident, world.room, at(10), at(11))
        for starts, ends in ((at(10), at(11)), (at(10.5), at(11.5)), (at(9), at(10.25)), (at(9), at(11.5))):
            with pytest.raises(ValidationError) as refused:
                book(world.resident2, world.room, starts, ends)
            assert "already booked" in _fields(refused.value)["starts_at"][0]
        assert Booking.objects.count() == 1

    def test_touching_bookings_are_both_allowed(self, world: World) -> None:
        book(world.resident, world.room, at(10), at(11))
        book(world.resident2, world.room, at(11), at(12))
        book(world.resident2, world.room, at(9), at(10))
        assert Booking.objects.filter(state=BookingState.CONFIRMED).count() == 3

    def test_another_room_is_another_slot(self, world: World) -> None:
        book(world.resident, world.room, at(10), at(11))
        book(world.resident2, world.room2, at(10), at(11))
        assert Booking.objects.count() == 2

    def test_a_cancelled_booking_frees_the_slot(self, world: World) -> None:
        booking = book(world.resident, world.room, at(10), at(11))
        services.booking_cancel(actor=world.resident, booking=booking, expected_version=1, reason="改期", at=NOW)
        again = book(world.resident2, world.room, at(10), at(11))
        assert again.state == BookingState.CONFIRMED

    def test_a_refused_booking_frees_the_slot(self, world: World) -> None:
        booking = book(world.resident, world.hall, at(10), at(11))
        assert booking.state == BookingState.PENDING
        with pytest.raises(ValidationError):
            book(world.resident2, world.hall, at(10), at(11))  # a pending booking holds its slot
        services.booking_refuse(actor=world.street, booking=booking, expected_version=1, reason="场地维修", at=NOW)
        assert book(world.resident2, world.hall, at(10), at(11)).state == BookingState.PENDING

    def test_numbers_have_no_gaps_after_a_refusal(self, world: World) -> None:
        book(world.resident, world.room, at(10), at(11))
        with pytest.raises(ValidationError):
            book(world.resident2, world.room, at(10), at(11))
        with mock.patch.object(services, "slot_taken", return_value=False), pytest.raises(ValidationError):
            book(world.resident2, world.room, at(10), at(11))  # refused by the database this time
        assert book(world.resident2, world.room, at(12 - 0.5), at(12)).number == "订-2026-000002"


class TestTheDatabaseRefuses:
    """The rule holds for any writer, not only the services."""

    def test_a_raw_overlapping_insert(self, world: World) -> None:
        _raw(world, at(10), at(11))
        with pytest.raises(IntegrityError), transaction.atomic():
            _raw(world, at(10.5), at(11.5), number="X-2")
        assert Booking.objects.count() == 1

    def test_a_raw_overlapping_pending_insert(self, world: World) -> None:
        _raw(world, at(10), at(11), state=BookingState.PENDING)
        with pytest.raises(IntegrityError), transaction.atomic():
            _raw(world, at(10), at(11), number="X-2")

    def test_raw_touching_and_non_holding_rows_pass(self, world: World) -> None:
        _raw(world, at(10), at(11))
        _raw(world, at(11), at(12), number="X-2")
        _raw(world, at(10), at(11), state=BookingState.CANCELLED, number="X-3")
        _raw(world, at(10), at(11), state=BookingState.REFUSED, number="X-4")
        assert Booking.objects.count() == 4

    def test_a_raw_update_back_into_a_held_slot(self, world: World) -> None:
        _raw(world, at(10), at(11))
        cancelled = _raw(world, at(10), at(11), state=BookingState.CANCELLED, number="X-2")
        with pytest.raises(IntegrityError), transaction.atomic():
            Booking.objects.filter(pk=cancelled.pk).update(state=BookingState.CONFIRMED)
        _raw(world, at(11), at(12), number="X-3")
        with pytest.raises(IntegrityError), transaction.atomic():
            Booking.objects.filter(number="X-1").update(ends_at=at(11.5))  # onto the next booking's slot
        Booking.objects.filter(number="X-1").update(ends_at=at(10.5))  # within its own slot: the row may move
        assert Booking.objects.get(number="X-1").ends_at == at(10.5)

    def test_inside_a_callers_transaction_the_refusal_is_a_field_error_and_the_transaction_goes_on(
        self, world: World
    ) -> None:
        book(world.resident, world.room, at(10), at(11))
        with transaction.atomic():
            with mock.patch.object(services, "slot_taken", return_value=False), pytest.raises(ValidationError) as e:
                book(world.community, world.room, at(10), at(11), kind=BookerKind.STAFF)
            assert "starts_at" in _fields(e.value)
            made = book(world.community, world.room, at(15), at(16), kind=BookerKind.STAFF)
        assert Booking.objects.filter(pk=made.pk).exists()
        assert made.number == "订-2026-000002"


# --- the field errors -----------------------------------------------------------------------------------------------


class TestRefusals:
    def test_ends_after_it_starts(self, world: World) -> None:
        with pytest.raises(ValidationError) as refused:
            book(world.resident, world.room, at(11), at(11))
        assert list(_fields(refused.value)) == ["ends_at"]

    def test_not_in_the_past(self, world: World) -> None:
        with pytest.raises(ValidationError) as refused:
            book(world.resident, world.room, NOW - timedelta(hours=1), NOW + timedelta(minutes=30))
        assert "passed" in _fields(refused.value)["starts_at"][0]

    def test_outside_opening_hours(self, world: World) -> None:
        for starts, ends in ((at(7), at(8)), (at(11), at(15)), (at(20.5), at(21.5)), (at(22), at(23))):
            with pytest.raises(ValidationError) as refused:
                book(world.resident, world.room, starts, ends)
            message = _fields(refused.value)["starts_at"][0]
            assert "opening hours" in message
            assert "08:30-12:00, 14:00-21:00" in message
        sunday = TUESDAY + timedelta(days=5)
        with pytest.raises(ValidationError) as refused:
            book(world.resident, world.room, at(10, sunday), at(11, sunday))
        assert "closed" in _fields(refused.value)["starts_at"][0]

    def test_on_the_edges_of_the_opening_hours(self, world: World) -> None:
        book(world.resident, world.room, at(8.5), at(12))
        book(world.resident, world.room, at(14), at(21))

    def test_a_manager_may_book_outside_the_hours(self, world: World) -> None:
        booking = book(world.community, world.room, at(19), at(22), kind=BookerKind.STAFF)
        assert booking.state == BookingState.CONFIRMED
        with pytest.raises(ValidationError):  # staff who do not manage the station keep to its hours
            book(world.grid, world.room, at(21), at(22), kind=BookerKind.STAFF)

    def test_capacity(self, world: World) -> None:
        with pytest.raises(ValidationError) as refused:
            book(world.resident, world.room, at(10), at(11), attendees=31)
        assert "at most 30 people" in _fields(refused.value)["attendees"][0]
        with pytest.raises(ValidationError) as refused:
            book(world.resident, world.room, at(10), at(11), attendees=0)
        assert "attendees" in _fields(refused.value)
        book(world.resident, world.room, at(10), at(11), attendees=30)

    @override_settings(CENTRES_MAX_BOOKING_HOURS=2)
    def test_at_most_the_configured_length(self, world: World) -> None:
        with pytest.raises(ValidationError) as refused:
            book(world.community, world.room, at(14), at(16.5), kind=BookerKind.STAFF)
        assert "at most 2 hours" in _fields(refused.value)["ends_at"][0]
        book(world.community, world.room, at(14), at(16), kind=BookerKind.STAFF)

    def test_a_room_not_for_booking_and_a_closed_centre(self, world: World) -> None:
        world.room.bookable = False
        world.room.save()
        with pytest.raises(ValidationError) as refused:
            book(world.resident, world.room, at(10), at(11))
        assert "room" in _fields(refused.value)
        world.station2.is_active = False
        world.station2.save()
        with pytest.raises(ValidationError) as refused:
            book(world.resident, world.room2, at(10), at(11))
        assert "closed" in _fields(refused.value)["room"][0]

    def test_contact_purpose_and_organisation(self, world: World) -> None:
        with pytest.raises(ValidationError) as refused:
            book(
                world.resident,
                world.room,
                at(10),
                at(11),
                kind=BookerKind.ORGANISATION,
                purpose=" ",
                contact_name="",
                contact_phone="call me",
            )
        assert set(_fields(refused.value)) == {"purpose", "contact_name", "contact_phone", "organisation_name"}

    def test_residents_book_at_most_the_horizon_ahead(self, world: World) -> None:
        far = TUESDAY + timedelta(days=91)
        with pytest.raises(ValidationError) as refused:
            book(world.resident, world.room, at(10, far), at(11, far))
        assert "days ahead" in _fields(refused.value)["starts_at"][0]
        book(world.community, world.room, at(10, far), at(11, far), kind=BookerKind.STAFF)

    @override_settings(CENTRES_MAX_UPCOMING_BOOKINGS=2)
    def test_a_resident_holds_a_limited_number_of_upcoming_bookings(self, world: World) -> None:
        first = book(world.resident, world.room, at(10), at(11))
        book(world.resident, world.room, at(15), at(16))
        with pytest.raises(ValidationError) as refused:
            book(world.resident, world.room, at(17), at(18))
        assert NON_FIELD_ERRORS in _fields(refused.value)
        services.booking_cancel(actor=world.resident, booking=first, expected_version=1, at=NOW)
        book(world.resident, world.room, at(17), at(18))


# --- who may book ---------------------------------------------------------------------------------------------------


class TestWhoBooks:
    def test_residents_book_any_open_centre_as_themselves_or_an_organisation(self, world: World) -> None:
        book(world.resident, world.room2, at(10), at(11))
        made = book(
            world.resident, world.room, at(10), at(11), kind=BookerKind.ORGANISATION, organisation_name="舞蹈队"
        )
        assert made.organisation_name == "舞蹈队"
        for kind in (BookerKind.STAFF,):
            with pytest.raises(PermissionDenied):
                book(world.resident, world.room, at(15), at(16), kind=kind)

    def test_a_unit_is_booked_by_its_contact_only(self, world: World) -> None:
        unit = make_unit(world.tree.grid, "春晖物业公司")
        with pytest.raises(PermissionDenied):
            book(world.resident, world.room, at(10), at(11), kind=BookerKind.UNIT, unit=unit)
        UnitContact.objects.create(unit=unit, user=world.resident)
        made = book(world.resident, world.room, at(10), at(11), kind=BookerKind.UNIT, unit=unit)
        assert made.unit == unit
        with pytest.raises(ValidationError) as refused:
            book(world.resident, world.room, at(15), at(16), kind=BookerKind.UNIT)
        assert "unit" in _fields(refused.value)

    def test_a_manager_books_on_a_units_behalf(self, world: World) -> None:
        unit = make_unit(world.tree.grid, "春晖物业公司")
        made = book(world.community, world.room, at(10), at(11), kind=BookerKind.UNIT, unit=unit)
        assert made.booker == world.community
        assert made.unit == unit
        with pytest.raises(PermissionDenied):
            book(world.grid, world.room, at(15), at(16), kind=BookerKind.UNIT, unit=unit)

    def test_staff_do_not_book_as_residents(self, world: World) -> None:
        with pytest.raises(PermissionDenied):
            book(world.community, world.room, at(10), at(11), kind=BookerKind.RESIDENT)

    def test_staff_book_within_their_reach_only(self, world: World) -> None:
        with pytest.raises(PermissionDenied):
            book(world.community2, world.room, at(10), at(11), kind=BookerKind.STAFF)
        # The street's centre serves its communities' staff: pending, since they do not manage it.
        made = book(world.community, world.hall, at(10), at(11), kind=BookerKind.STAFF)
        assert made.state == BookingState.PENDING

    def test_a_manager_of_the_centre_books_it_confirmed(self, world: World) -> None:
        assert book(world.street, world.hall, at(10), at(11), kind=BookerKind.STAFF).state == BookingState.CONFIRMED

    def test_nobody_signed_in(self, world: World) -> None:
        from django.contrib.auth.models import AnonymousUser

        with pytest.raises(PermissionDenied):
            book(AnonymousUser(), world.room, at(10), at(11))


# --- deciding -------------------------------------------------------------------------------------------------------


class TestDeciding:
    def test_a_pending_booking_tells_the_centres_managers(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            booking = book(world.resident, world.hall, at(10), at(11))
        told = Notification.objects.filter(text__contains=booking.number)
        assert set(told.values_list("recipient_id", flat=True)) == {world.street.pk}

    def test_approve_tells_the_booker(self, world: World, django_capture_on_commit_callbacks: Any) -> None:
        booking = book(world.resident, world.hall, at(10), at(11))
        with django_capture_on_commit_callbacks(execute=True):
            services.booking_approve(actor=world.street, booking=booking, expected_version=1, at=NOW)
        booking.refresh_from_db()
        assert (booking.state, booking.decided_by, booking.version) == (BookingState.CONFIRMED, world.street, 2)
        note = Notification.objects.get(recipient=world.resident)
        assert "approved" in note.text
        assert note.url == "/centres/mine/"

    def test_refuse_needs_a_reason_and_tells_the_booker(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        booking = book(world.resident, world.hall, at(10), at(11))
        with pytest.raises(ValidationError) as refused:
            services.booking_refuse(actor=world.street, booking=booking, expected_version=1, reason=" ", at=NOW)
        assert "reason" in _fields(refused.value)
        booking.refresh_from_db()
        assert booking.state == BookingState.PENDING
        with django_capture_on_commit_callbacks(execute=True):
            services.booking_refuse(actor=world.street, booking=booking, expected_version=1, reason="礼堂维修", at=NOW)
        assert "礼堂维修" in Notification.objects.get(recipient=world.resident).text
        assert booking.events.last().note == "礼堂维修"  # type: ignore[union-attr]

    def test_only_the_centres_managers_decide(self, world: World) -> None:
        booking = book(world.resident, world.hall, at(10), at(11))
        for outsider in (world.community, world.community2, world.grid, world.resident):
            with pytest.raises(PermissionDenied):
                services.booking_approve(actor=outsider, booking=booking, expected_version=1, at=NOW)
            with pytest.raises(PermissionDenied):
                services.booking_refuse(actor=outsider, booking=booking, expected_version=1, reason="no", at=NOW)
        booking.refresh_from_db()
        assert booking.state == BookingState.PENDING

    def test_a_stale_page_and_a_second_decision(self, world: World) -> None:
        booking = book(world.resident, world.hall, at(10), at(11))
        copy = Booking.objects.get(pk=booking.pk)
        services.booking_approve(actor=world.street, booking=booking, expected_version=1, at=NOW)
        with pytest.raises(StaleState):
            services.booking_refuse(actor=world.street, booking=copy, expected_version=1, reason="late", at=NOW)
        with pytest.raises(StaleState):
            services.booking_refuse(actor=world.street, booking=booking, expected_version=1, reason="late", at=NOW)
        with pytest.raises(MoveRefused):
            services.booking_approve(actor=world.street, booking=booking, expected_version=2, at=NOW)

    def test_a_past_booking_is_not_approved(self, world: World) -> None:
        booking = book(world.resident, world.hall, at(10), at(11))
        with pytest.raises(ValidationError):
            services.booking_approve(actor=world.street, booking=booking, expected_version=1, at=at(11))

    def test_undecided_bookings_are_refused_when_their_time_comes(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        early = book(world.resident, world.hall, at(10), at(11))
        later = book(world.resident2, world.hall, at(15), at(16))
        with django_capture_on_commit_callbacks(execute=True):
            assert services.bookings_expire(at=at(10)) == 1
        early.refresh_from_db()
        later.refresh_from_db()
        assert (early.state, later.state) == (BookingState.REFUSED, BookingState.PENDING)
        assert early.events.last().actor_id is None  # type: ignore[union-attr]
        assert Notification.objects.filter(recipient=world.resident, text__contains="refused").exists()


# --- cancelling -----------------------------------------------------------------------------------------------------


class TestCancelling:
    def test_the_booker_cancels_before_the_start(self, world: World) -> None:
        booking = book(world.resident, world.room, at(10), at(11))
        services.booking_cancel(actor=world.resident, booking=booking, expected_version=1, reason="下雨", at=at(9))
        booking.refresh_from_db()
        assert booking.state == BookingState.CANCELLED
        assert booking.events.last().data == {"by": "booker"}  # type: ignore[union-attr]

    def test_a_resident_cannot_cancel_someone_elses_booking(self, world: World) -> None:
        booking = book(world.resident, world.room, at(10), at(11))
        for outsider in (world.resident2, world.community2, world.grid):
            with pytest.raises(PermissionDenied):
                services.booking_cancel(actor=outsider, booking=booking, expected_version=1, at=NOW)
        booking.refresh_from_db()
        assert booking.state == BookingState.CONFIRMED

    def test_the_booker_cannot_cancel_once_begun_the_manager_can_until_the_end(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        booking = book(world.resident, world.room, at(10), at(11))
        with pytest.raises(ValidationError):
            services.booking_cancel(actor=world.resident, booking=booking, expected_version=1, at=at(10.5))
        with django_capture_on_commit_callbacks(execute=True):
            services.booking_cancel(
                actor=world.community, booking=booking, expected_version=1, reason="停电", at=at(10.5)
            )
        assert "cancelled by the centre" in Notification.objects.get(recipient=world.resident).text
        other = book(world.resident, world.room, at(15), at(16))
        with pytest.raises(ValidationError):
            services.booking_cancel(actor=world.community, booking=other, expected_version=1, at=at(16))

    def test_a_stale_cancel(self, world: World) -> None:
        booking = book(world.resident, world.room, at(10), at(11))
        with pytest.raises(StaleState):
            services.booking_cancel(actor=world.resident, booking=booking, expected_version=2, at=NOW)
        services.booking_cancel(actor=world.resident, booking=booking, expected_version=1, at=NOW)
        with pytest.raises(MoveRefused):
            services.booking_cancel(actor=world.resident, booking=booking, expected_version=2, at=NOW)

    def test_events_are_append_only(self, world: World) -> None:
        booking = book(world.resident, world.room, at(10), at(11))
        with pytest.raises(DatabaseError), transaction.atomic():  # the database's own refusal, whatever the vendor
            BookingEvent.objects.filter(subject=booking).update(note="rewritten")


def test_managers_come_from_above_when_the_place_has_none(world: World) -> None:
    from gridwork.centres.models import CentreKind
    from gridwork.centres.tests.factories import make_centre

    estate = make_centre(world.tree.grid, name="1号小区党群服务站", kind=CentreKind.ESTATE_STATION)
    assert services.centre_managers(estate) == [world.community]
    assert services.centre_managers(world.approving) == [world.street]
    assert isinstance(world.community, User)


def test_a_grid_worker_books_in_their_own_grid_and_above_never_in_a_neighbouring_grid(world: World) -> None:
    """A grid worker reads every centre of their community (a community-wide read) but books as posted: their grid's
    station and the centres above it, not the station of the grid next door."""
    from gridwork.centres import selectors
    from gridwork.centres.models import CentreKind
    from gridwork.centres.tests.factories import make_centre, make_room

    own = make_room(make_centre(world.tree.grid, name="1号小区党群服务站", kind=CentreKind.ESTATE_STATION))
    next_door = make_room(make_centre(world.tree.grid2, name="2号小区党群服务站", kind=CentreKind.ESTATE_STATION))
    assert services.staff_reaches(world.grid, own.centre)
    assert services.staff_reaches(world.grid, world.station)
    assert not services.staff_reaches(world.grid, next_door.centre)
    rooms = set(selectors.bookable_rooms(user=world.grid))
    assert own in rooms
    assert next_door not in rooms
    with pytest.raises(PermissionDenied):
        book(world.grid, next_door, at(10), at(11), kind=BookerKind.STAFF)
    assert not Booking.objects.filter(room=next_door).exists()
    assert book(world.grid, own, at(10), at(11), kind=BookerKind.STAFF).state == BookingState.CONFIRMED
