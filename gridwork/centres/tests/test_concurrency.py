"""Real threads, each with its own database connection, booking one slot at once: exactly one booking is made, and
every other request gets the same clear field error (``starts_at``: the room is already booked), never a 500 or a
second booking. The numbers stay gap-free.

Each race runs in modes: "at once" releases the threads together and lets them run; "check bypassed" also makes the
services' own check find the slot free, so that the database alone refuses (the exclusion constraint on PostgreSQL,
the triggers on SQLite) and the service turns the refusal into the field error; "in lockstep" (PostgreSQL only: on
SQLite a writer holds the database from BEGIN, so a second writer cannot even start until the first commits) holds
every thread after its check found the slot free until all have checked, so that all of them insert and all but one
must lose at the database. "In a caller's transaction" books as the activities do, inside an outer transaction that
goes on writing after the booking.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from gridwork.accounts.models import User
from gridwork.accounts.tests.factories import make_resident_user
from gridwork.centres import services
from gridwork.centres.models import BookerKind, Booking, BookingState
from gridwork.centres.tests.factories import NOW, World, at, book, make_world
from gridwork.common.tests.racing import race
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 6
MODES = ["at once", "check bypassed", "in lockstep", "in a caller's transaction"]
_gates: list[threading.Barrier] = []


@contextmanager
def mode_of(mode: str, parties: int) -> Iterator[None]:
    real = services.slot_taken
    if mode == "check bypassed":
        services.slot_taken = lambda *args, **kwargs: False  # type: ignore[assignment]
    elif mode == "in lockstep":
        if connection.vendor != "postgresql":
            pytest.skip("on SQLite the second writer waits at BEGIN: no two writers are ever between check and insert")
        gate = threading.Barrier(parties)
        _gates.append(gate)

        def check_then_wait(*args: Any, **kwargs: Any) -> bool:
            taken = real(*args, **kwargs)
            gate.wait(timeout=30)
            return taken

        services.slot_taken = check_then_wait  # type: ignore[assignment]
    try:
        yield
    finally:
        services.slot_taken = real  # type: ignore[assignment]
        _gates.clear()


@pytest.fixture
def world(tree: CityTree) -> World:
    return make_world(tree)


def _residents(count: int) -> list[User]:
    return [make_resident_user(phone=f"1370000{index:04d}", full_name=f"居民{index}") for index in range(count)]


def _attempt(mode: str, actor: User, world: World, starts: Any, ends: Any) -> Any:
    if mode != "in a caller's transaction":
        return book(actor, world.room, starts, ends)
    with transaction.atomic():
        booking = book(actor, world.room, starts, ends)
        User.objects.filter(pk=actor.pk).update(first_name="booked")  # the caller's own writes go on
        return booking


def _check_outcomes(outcomes: list[Any]) -> Booking:
    made = [outcome for outcome in outcomes if isinstance(outcome, Booking)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, ValidationError)]
    others = [outcome for outcome in outcomes if not isinstance(outcome, Booking | ValidationError)]
    assert others == [], others
    assert len(made) == 1, outcomes
    assert len(refused) == len(outcomes) - 1
    for error in refused:
        assert list(error.message_dict) == ["starts_at"]
        assert "already booked" in error.message_dict["starts_at"][0]
    assert Booking.objects.count() == 1
    return made[0]


@pytest.mark.parametrize("mode", MODES)
def test_one_slot_booked_by_many_at_once_gives_one_booking(world: World, mode: str) -> None:
    residents = _residents(THREADS)
    with mode_of(mode, THREADS):
        outcomes = race(
            lambda i, _prepared: _attempt(mode, residents[i], world, at(10), at(11)), threads=THREADS, gates=_gates
        )
    booking = _check_outcomes(outcomes)
    assert booking.number == "订-2026-000001"
    assert booking.state == BookingState.CONFIRMED
    assert booking.events.count() == 1


@pytest.mark.parametrize("mode", MODES)
def test_overlapping_slots_at_once_give_one_booking(world: World, mode: str) -> None:
    residents = _residents(THREADS)
    slots = [(at(9 + 0.1 * i), at(10 + 0.1 * i)) for i in range(THREADS)]  # each overlaps all the others
    with mode_of(mode, THREADS):
        outcomes = race(
            lambda i, _prepared: _attempt(mode, residents[i], world, *slots[i]), threads=THREADS, gates=_gates
        )
    _check_outcomes(outcomes)


@pytest.mark.parametrize("mode", ["at once", "check bypassed", "in lockstep"])
def test_different_slots_at_once_are_all_booked_with_gap_free_numbers(world: World, mode: str) -> None:
    residents = _residents(THREADS)
    slots = [(at(14 + i), at(15 + i)) for i in range(THREADS)]  # touching, not overlapping
    with mode_of(mode, THREADS):
        outcomes = race(lambda i, _prepared: book(residents[i], world.room, *slots[i]), threads=THREADS, gates=_gates)
    assert all(isinstance(outcome, Booking) for outcome in outcomes), outcomes
    numbers = sorted(Booking.objects.values_list("number", flat=True))
    assert numbers == [f"订-2026-{n:06d}" for n in range(1, THREADS + 1)]


def test_a_pending_booking_holds_against_a_simultaneous_one(world: World) -> None:
    """In a centre that approves its bookings, two residents at once: one pending booking, one refusal."""
    residents = _residents(2)
    outcomes = race(lambda i, _prepared: book(residents[i], world.hall, at(10), at(11)), threads=2)
    made = [outcome for outcome in outcomes if isinstance(outcome, Booking)]
    assert len(made) == 1
    assert made[0].state == BookingState.PENDING
    assert sum(isinstance(outcome, ValidationError) for outcome in outcomes) == 1


def test_cancelling_and_booking_the_slot_at_once(world: World) -> None:
    """The booker cancels while another books the same slot: either the new booking waits out the cancellation or
    is refused; never two holding bookings."""
    first = book(world.resident, world.room, at(10), at(11), kind=BookerKind.RESIDENT)

    def work(i: int, _prepared: Any) -> Any:
        if i == 0:
            return services.booking_cancel(actor=world.resident, booking=first, expected_version=1, at=NOW)
        return book(world.resident2, world.room, at(10), at(11))

    outcomes = race(work, threads=2)
    assert not [o for o in outcomes if not isinstance(o, Booking | ValidationError)], outcomes
    assert Booking.objects.filter(state__in=("pending", "confirmed")).count() <= 1
