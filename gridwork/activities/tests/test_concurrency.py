"""Real threads, each with its own database connection, on committed data: the sign-up limit never overshoots when
more people sign up at once than there are places; one person signing up twice at once is signed up once; two
activities created at once for one room and slot make one activity and one booking (the other a field error, nothing
of it saved); one person scanning twice at once is checked in once. Must pass on SQLite and on PostgreSQL
(scripts/with-postgres.sh)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from gridwork.accounts.tests.factories import make_resident_user
from gridwork.activities.models import Activity, Audience, CheckIn, SignUp
from gridwork.activities.services.participation import CheckInOutcome, checkin_scan, signup_create
from gridwork.activities.tests.factories import NOW, ActivityWorld, activity_world, fresh, make_activity
from gridwork.centres.models import Booking
from gridwork.common.tests.racing import race
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db(transaction=True)

LIMIT = 3
PEOPLE = 8


@pytest.fixture
def world(tree: CityTree) -> ActivityWorld:
    return activity_world(tree)


def test_the_sign_up_limit_never_overshoots(world: ActivityWorld) -> None:
    activity = make_activity(world, audience=Audience.OPEN, signup_limit=LIMIT)
    people = [make_resident_user(phone=f"1370000{i:04d}", full_name=f"居民{i}") for i in range(PEOPLE)]

    def sign_up(i: int, _: Any) -> Any:
        return signup_create(user=people[i], activity=Activity.objects.get(pk=activity.pk), at=NOW)

    outcomes = race(sign_up, threads=PEOPLE)
    signed = [outcome for outcome in outcomes if isinstance(outcome, SignUp)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, ValidationError)]
    assert len(signed) == LIMIT, outcomes
    assert len(refused) == PEOPLE - LIMIT, outcomes
    assert all("full" in " ".join(error.messages) for error in refused)
    assert SignUp.objects.filter(activity=activity, cancelled_at__isnull=True).count() == LIMIT
    assert fresh(activity).signed_up == LIMIT


def test_one_person_signing_up_twice_at_once_is_signed_up_once(world: ActivityWorld) -> None:
    activity = make_activity(world, signup_limit=5)

    def sign_up(_i: int, _: Any) -> Any:
        return signup_create(user=world.resident, activity=Activity.objects.get(pk=activity.pk), at=NOW)

    outcomes = race(sign_up, threads=2)
    assert sum(isinstance(outcome, SignUp) for outcome in outcomes) == 1, outcomes
    assert sum(isinstance(outcome, ValidationError) for outcome in outcomes) == 1, outcomes
    assert SignUp.objects.filter(activity=activity).count() == 1
    assert fresh(activity).signed_up == 1


def test_two_activities_for_one_room_at_once_make_one(world: ActivityWorld) -> None:
    first = make_activity(world)  # takes 活-…-000001, so the racers compete for the booking, not only the number
    starts_at = first.starts_at

    def create(i: int, _: Any) -> Any:
        return make_activity(world, room=world.room, starts_at=starts_at, title=f"活动{i}")

    outcomes = race(create, threads=2)
    created = [outcome for outcome in outcomes if isinstance(outcome, Activity)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, ValidationError)]
    assert len(created) == 1, outcomes
    assert len(refused) == 1, outcomes
    assert "starts_at" in refused[0].message_dict
    assert Activity.objects.count() == 2
    assert Booking.objects.count() == 1
    assert Activity.objects.get(pk=created[0].pk).booking_id == Booking.objects.get().pk


def test_one_person_scanning_twice_at_once_is_checked_in_once(world: ActivityWorld) -> None:
    activity = make_activity(world)

    def scan(_i: int, _: Any) -> Any:
        return checkin_scan(user=world.resident, token=activity.checkin_token, at=activity.starts_at)

    outcomes = race(scan, threads=2)
    assert all(isinstance(outcome, CheckInOutcome) for outcome in outcomes), outcomes
    assert sorted(outcome.already for outcome in outcomes) == [False, True]
    assert CheckIn.objects.filter(activity=activity).count() == 1
