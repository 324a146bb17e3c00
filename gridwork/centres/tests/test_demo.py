"""The demo's positions (``manage.py demo_centres``) on the small demo city: a centre per street and a station per
community with rooms, weeks of bookings in every state whose histories follow the flow, no two holding bookings of a
room overlapping; and a second run refuses, or with ``--if-empty`` adds nothing."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone, translation

from gridwork.centres.flows import BOOKING_FLOW
from gridwork.centres.models import HOLDING_STATES, Booking, BookingState, Centre, CentreKind
from gridwork.demo.build import demo_city_build
from gridwork.demo.plan import SCALES
from gridwork.places import locating

COMMUNITIES = 2


@pytest.fixture(scope="class")
def demo_output(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    with django_db_blocker.unblock(), translation.override("en"):
        locating.drop_grid_index()
        with transaction.atomic():
            demo_city_build(scale=SCALES["small"])
            output = StringIO()
            call_command("demo_centres", allow_without_debug=True, communities=COMMUNITIES, stdout=output)
            yield output.getvalue()
            transaction.set_rollback(True)
        locating.drop_grid_index()


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_output")
class TestTheDemo:
    def test_centres_and_rooms(self) -> None:
        kinds = set(Centre.objects.values_list("kind", flat=True))
        assert kinds == {CentreKind.STREET_CENTRE, CentreKind.COMMUNITY_STATION, CentreKind.ESTATE_STATION}
        assert Centre.objects.filter(kind=CentreKind.COMMUNITY_STATION).count() == COMMUNITIES
        assert all(centre.rooms.exists() for centre in Centre.objects.all())
        assert Centre.objects.filter(requires_approval=True).exists()

    def test_bookings_past_and_to_come_in_every_state(self) -> None:
        now = timezone.now()
        assert set(Booking.objects.values_list("state", flat=True)) == set(BookingState.values)
        assert Booking.objects.filter(starts_at__lt=now, state=BookingState.CONFIRMED).exists()
        assert Booking.objects.filter(starts_at__gt=now, state=BookingState.CONFIRMED).exists()
        assert Booking.objects.filter(starts_at__gt=now, state=BookingState.PENDING).exists()
        assert not Booking.objects.filter(starts_at__lt=now, state=BookingState.PENDING).exists()

    def test_histories_follow_the_flow_and_no_slot_is_held_twice(self) -> None:
        for booking in Booking.objects.prefetch_related("events"):
            events = sorted(booking.events.all(), key=lambda event: event.sequence)
            assert [event.sequence for event in events] == list(range(1, booking.version + 1))
            for before, event in itertools.pairwise(events):
                assert event.from_state == before.to_state
                assert BOOKING_FLOW.target(event.from_state, event.action) == event.to_state
            assert events[-1].to_state == booking.state
            assert events[0].at <= booking.starts_at
        holding = list(Booking.objects.filter(state__in=HOLDING_STATES).order_by("room_id", "starts_at"))
        for first, second in itertools.pairwise(holding):
            if first.room_id == second.room_id:
                assert first.ends_at <= second.starts_at

    def test_numbers_are_gap_free(self) -> None:
        for year in {number[2:6] for number in Booking.objects.values_list("number", flat=True)}:
            numbers = sorted(Booking.objects.filter(number__startswith=f"订-{year}-").values_list("number", flat=True))
            assert [int(number[-6:]) for number in numbers] == list(range(1, len(numbers) + 1))

    def test_a_second_run_adds_nothing(self, demo_output: str) -> None:
        assert "Service centres:" in demo_output
        before = (Centre.objects.count(), Booking.objects.count())
        output = StringIO()
        call_command("demo_centres", allow_without_debug=True, if_empty=True, stdout=output)
        assert "nothing is added" in output.getvalue()
        with pytest.raises(CommandError):
            call_command("demo_centres", allow_without_debug=True, stdout=StringIO())
        assert (Centre.objects.count(), Booking.objects.count()) == before
