"""Taking part: who may (each audience), signing up within the limit and once, cancelling a sign-up, and checking in
by the QR code's link — refused before the hour before the start and after the end, refused to a member or resident of
another community when the activity is restricted, a second scan answered with the first one's time, a rotated code no
longer found — and by hand. On a fixed clock (``NOW``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from gridwork.activities.models import ActivityKind, Audience, CheckIn, CheckInMethod, ParticipantKind, SignUp
from gridwork.activities.services.activities import activity_cancel, activity_rotate_token
from gridwork.activities.services.participation import (
    CheckInRefused,
    UnknownCode,
    checkin_by_hand,
    checkin_scan,
    participant_standing,
    signup_cancel,
    signup_create,
)
from gridwork.activities.tests.factories import NOW, ActivityWorld, activity_world, fresh, make_activity
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: CityTree) -> ActivityWorld:
    return activity_world(tree)


# --- who may take part ----------------------------------------------------------------------------------------------


def test_the_community_audience(world: ActivityWorld) -> None:
    activity = make_activity(world, audience=Audience.COMMUNITY)
    assert participant_standing(world.resident, activity).kind == ParticipantKind.RESIDENT
    assert participant_standing(world.member, activity).kind == ParticipantKind.MEMBER
    for user, other in ((world.resident2, "秋实社区"), (world.member2, "秋实社区")):
        standing = participant_standing(user, activity)
        assert not standing.allowed
        assert other in standing.reason
        assert "春晖社区" in standing.reason
    outsider = participant_standing(world.outsider, activity)
    assert not outsider.allowed
    assert "not linked to a household" in outsider.reason


def test_the_party_members_of_the_organiser(world: ActivityWorld) -> None:
    activity = make_activity(
        world, kind=ActivityKind.THEME_PARTY_DAY, organiser=world.branch, audience=Audience.PARTY_MEMBERS
    )
    on_the_roll = participant_standing(world.party_member, activity)  # on the roll of the branch's party group
    assert (on_the_roll.allowed, on_the_roll.kind, on_the_roll.name) == (True, ParticipantKind.PARTY_MEMBER, "孙红梅")
    assert participant_standing(world.member, activity).allowed  # registered (双报到) in the community
    assert not participant_standing(world.resident, activity).allowed  # a resident, not a party member
    elsewhere = participant_standing(world.member2, activity)
    assert not elsewhere.allowed
    assert "秋实社区" in elsewhere.reason


def test_an_open_activity_takes_anyone_signed_in(world: ActivityWorld) -> None:
    activity = make_activity(world, audience=Audience.OPEN)
    assert participant_standing(world.resident2, activity).kind == ParticipantKind.RESIDENT
    assert participant_standing(world.member2, activity).kind == ParticipantKind.MEMBER
    assert participant_standing(world.outsider, activity).allowed
    assert participant_standing(world.staff2, activity).kind == ParticipantKind.STAFF


# --- signing up -----------------------------------------------------------------------------------------------------


def test_sign_up_once_within_the_limit(world: ActivityWorld) -> None:
    activity = make_activity(world, signup_limit=2, audience=Audience.OPEN)
    signup = signup_create(user=world.resident, activity=activity, at=NOW)
    assert (signup.name, signup.kind) == ("张桂芳", ParticipantKind.RESIDENT)
    with pytest.raises(ValidationError, match="already signed up"):
        signup_create(user=world.resident, activity=activity, at=NOW)
    signup_create(user=world.member, activity=activity, at=NOW)
    with pytest.raises(ValidationError, match="full"):
        signup_create(user=world.party_member, activity=activity, at=NOW)
    assert fresh(activity).signed_up == 2
    signup_cancel(user=world.resident, activity=activity, at=NOW)
    assert fresh(activity).signed_up == 1
    signup_create(user=world.party_member, activity=activity, at=NOW)
    assert SignUp.objects.filter(activity=activity, cancelled_at__isnull=True).count() == 2
    assert fresh(activity).signed_up == 2


def test_sign_up_again_after_cancelling(world: ActivityWorld) -> None:
    activity = make_activity(world)
    signup_create(user=world.resident, activity=activity, at=NOW)
    signup_cancel(user=world.resident, activity=activity, at=NOW)
    signup_create(user=world.resident, activity=activity, at=NOW)
    assert SignUp.objects.filter(activity=activity, user=world.resident).count() == 2
    assert fresh(activity).signed_up == 1
    with pytest.raises(ValidationError, match="not signed up"):
        signup_cancel(user=world.member, activity=activity, at=NOW)


def test_sign_up_refusals_say_why(world: ActivityWorld) -> None:
    activity = make_activity(world)
    with pytest.raises(ValidationError, match="秋实社区"):
        signup_create(user=world.resident2, activity=activity, at=NOW)
    with pytest.raises(ValidationError, match="closed when the activity started"):
        signup_create(user=world.resident, activity=activity, at=activity.starts_at)
    signup_create(user=world.resident, activity=activity, at=NOW)
    with pytest.raises(ValidationError, match="has started"):
        signup_cancel(user=world.resident, activity=activity, at=activity.starts_at + timedelta(minutes=1))
    activity_cancel(actor=world.staff, activity=activity, expected_version=1, reason="取消", at=NOW)
    with pytest.raises(ValidationError, match="no longer open"):
        signup_create(user=world.member, activity=fresh(activity), at=NOW)
    assert fresh(activity).signed_up == 1


def test_the_database_holds_the_limit(world: ActivityWorld) -> None:
    activity = make_activity(world, signup_limit=1)
    signup_create(user=world.resident, activity=activity, at=NOW)
    from gridwork.activities.models import Activity

    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(signed_up=2)


# --- checking in by the QR code -------------------------------------------------------------------------------------


def test_check_in_while_the_activity_is_on(world: ActivityWorld) -> None:
    activity = make_activity(world)
    token = activity.checkin_token
    with pytest.raises(CheckInRefused, match="opens at"):
        checkin_scan(user=world.resident, token=token, at=activity.starts_at - timedelta(minutes=61))
    outcome = checkin_scan(user=world.resident, token=token, at=activity.starts_at - timedelta(minutes=60))
    assert not outcome.already
    assert (outcome.checkin.name, outcome.checkin.method) == ("张桂芳", CheckInMethod.QR)
    assert checkin_scan(user=world.member, token=token, at=activity.ends_at).checkin.kind == ParticipantKind.MEMBER
    with pytest.raises(CheckInRefused, match="ended"):
        checkin_scan(user=world.party_member, token=token, at=activity.ends_at + timedelta(seconds=1))


def test_a_second_scan_says_when_the_first_was(world: ActivityWorld) -> None:
    activity = make_activity(world)
    first = checkin_scan(user=world.resident, token=activity.checkin_token, at=activity.starts_at)
    second = checkin_scan(user=world.resident, token=activity.checkin_token, at=activity.starts_at + timedelta(hours=1))
    assert second.already
    assert second.checkin.pk == first.checkin.pk
    assert CheckIn.objects.filter(activity=activity).count() == 1
    # Even after the end, the second scan is answered (not refused as late).
    late = checkin_scan(user=world.resident, token=activity.checkin_token, at=activity.ends_at + timedelta(hours=1))
    assert late.already


def test_the_database_refuses_a_second_check_in(world: ActivityWorld) -> None:
    activity = make_activity(world)
    checkin_scan(user=world.resident, token=activity.checkin_token, at=activity.starts_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.create(
            activity=activity, user=world.resident, name="张桂芳", kind="resident", method="qr", at=activity.starts_at
        )


def test_a_member_of_another_community_is_refused_when_restricted(world: ActivityWorld) -> None:
    restricted = make_activity(world, audience=Audience.COMMUNITY)
    with pytest.raises(CheckInRefused, match="秋实社区"):
        checkin_scan(user=world.member2, token=restricted.checkin_token, at=restricted.starts_at)
    with pytest.raises(CheckInRefused, match="秋实社区"):
        checkin_scan(user=world.resident2, token=restricted.checkin_token, at=restricted.starts_at)
    party = make_activity(
        world, kind=ActivityKind.THEME_PARTY_DAY, organiser=world.branch, audience=Audience.PARTY_MEMBERS
    )
    with pytest.raises(CheckInRefused, match="party members of 春晖社区第一网格党支部"):
        checkin_scan(user=world.member2, token=party.checkin_token, at=party.starts_at)
    assert not CheckIn.objects.exists()
    open_to_all = make_activity(world, audience=Audience.OPEN)
    assert not checkin_scan(user=world.member2, token=open_to_all.checkin_token, at=open_to_all.starts_at).already


def test_a_rotated_code_is_no_longer_found(world: ActivityWorld) -> None:
    activity = make_activity(world)
    old = activity.checkin_token
    activity_rotate_token(actor=world.staff, activity=activity, expected_version=1, at=NOW)
    with pytest.raises(UnknownCode):
        checkin_scan(user=world.resident, token=old, at=activity.starts_at)
    with pytest.raises(UnknownCode):
        checkin_scan(user=world.resident, token="", at=activity.starts_at)
    assert not CheckIn.objects.exists()
    assert not checkin_scan(user=world.resident, token=fresh(activity).checkin_token, at=activity.starts_at).already


def test_no_check_in_to_a_cancelled_activity(world: ActivityWorld) -> None:
    activity = make_activity(world)
    activity_cancel(actor=world.staff, activity=activity, expected_version=1, reason="取消", at=NOW)
    with pytest.raises(CheckInRefused, match="cancelled"):
        checkin_scan(user=world.resident, token=activity.checkin_token, at=activity.starts_at)


# --- by hand ----------------------------------------------------------------------------------------------------------


def test_check_in_by_hand(world: ActivityWorld) -> None:
    activity = make_activity(world)
    signup = signup_create(user=world.resident, activity=activity, at=NOW)
    at = activity.starts_at
    with pytest.raises(ValidationError, match="opens at"):
        checkin_by_hand(actor=world.staff, activity=activity, signup=signup, at=NOW)
    with pytest.raises(PermissionDenied):
        checkin_by_hand(actor=world.staff2, activity=activity, signup=signup, at=at)
    checkin = checkin_by_hand(actor=world.staff, activity=activity, signup=signup, at=at)
    assert (checkin.user, checkin.method, checkin.recorded_by) == (world.resident, CheckInMethod.BY_HAND, world.staff)
    with pytest.raises(ValidationError, match="already checked in"):
        checkin_by_hand(actor=world.staff, activity=activity, signup=signup, at=at)
    assert checkin_scan(user=world.resident, token=activity.checkin_token, at=at).already
    walk_in = checkin_by_hand(actor=world.staff, activity=activity, name="王大爷", kind=ParticipantKind.RESIDENT, at=at)
    assert walk_in.user is None
    with pytest.raises(ValidationError) as raised:
        checkin_by_hand(actor=world.staff, activity=activity, name="王大爷", at=at)
    assert "name" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        checkin_by_hand(actor=world.staff, activity=activity, name=" ", at=at)
    assert "name" in raised.value.message_dict
    # Recording the attendance afterwards is allowed.
    checkin_by_hand(actor=world.staff, activity=activity, name="李奶奶", at=activity.ends_at + timedelta(days=1))


def test_a_sign_up_of_another_activity_cannot_be_checked_in(world: ActivityWorld) -> None:
    one, other = make_activity(world), make_activity(world, title="另一个")
    signup = signup_create(user=world.resident, activity=other, at=NOW)
    with pytest.raises(PermissionDenied):
        checkin_by_hand(actor=world.staff, activity=one, signup=signup, at=one.starts_at)


def test_with_a_sign_up_limit_only_those_signed_up_check_in_by_the_code(world: ActivityWorld) -> None:
    """The limit is the room's: a code shared outside the room does not fill it past the limit. A walk-in is checked
    in by hand at the door."""
    activity = make_activity(world, audience=Audience.OPEN, signup_limit=1)
    signup_create(user=world.resident, activity=activity, at=NOW)
    with pytest.raises(CheckInRefused, match="not signed up"):
        checkin_scan(user=world.member2, token=activity.checkin_token, at=activity.starts_at)
    assert not CheckIn.objects.exists()
    assert not checkin_scan(user=world.resident, token=activity.checkin_token, at=activity.starts_at).already
    walk_in = checkin_by_hand(actor=world.staff, activity=activity, name="王大爷", at=activity.starts_at)
    assert walk_in.method == CheckInMethod.BY_HAND
