"""The schedule's task refuses the pending bookings nobody decided in time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gridwork.centres.models import BookingState
from gridwork.centres.tasks import expire_pending_bookings
from gridwork.centres.tests.factories import NOW, at, book, make_world
from gridwork.demo.clock import clock
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


def test_the_task_refuses_undecided_bookings_whose_time_came(tree: CityTree) -> None:
    world = make_world(tree)
    booking = book(world.resident, world.hall, at(10), at(11), now=NOW)
    with clock(at(10) + timedelta(minutes=1)):
        assert expire_pending_bookings.call() == {"refused": 1}
    booking.refresh_from_db()
    assert booking.state == BookingState.REFUSED
    assert "Not decided" in booking.decision_note
