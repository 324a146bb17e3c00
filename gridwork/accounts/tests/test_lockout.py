"""Lockout by django-axes: five failures lock the account (not the IP) for thirty minutes."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone

from gridwork.accounts.tests.conftest import Staff
from gridwork.accounts.tests.factories import STAFF_PASSWORD
from gridwork.audit.models import AuditEvent

LOGIN = "/accounts/login/"
WRONG = "Wrong-Password-1"
LOCKED_STATUS = 429


def attempt(client: Client, username: str, password: str = WRONG) -> object:
    return client.post(LOGIN, {"username": username, "password": password}, headers={"accept-language": "en"})


def fail(client: Client, username: str, times: int) -> list[int]:
    return [attempt(client, username).status_code for _ in range(times)]


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_settings_are_five_failures_thirty_minutes_per_username() -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=30) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username"]
    assert settings.AXES_RESET_ON_SUCCESS is True


def test_four_failures_do_not_lock(client: Client, staff: Staff) -> None:
    assert fail(client, "street", 4) == [200] * 4

    attempt(client, "street", STAFF_PASSWORD)

    assert signed_in(client)


def test_the_fifth_failure_locks_and_the_sixth_attempt_is_refused_even_with_the_right_password(
    client: Client, staff: Staff
) -> None:
    statuses = fail(client, "street", 5)

    assert statuses == [200, 200, 200, 200, LOCKED_STATUS]
    response = attempt(client, "street", STAFF_PASSWORD)
    assert response.status_code == LOCKED_STATUS
    assert not signed_in(client)
    html = response.content.decode()
    assert 'data-testid="locked-out"' in html
    assert "locked for 30 minutes" in html
    assert "contact your administrator" in html


def test_the_lockout_is_audited_with_the_username_and_ip(client: Client, staff: Staff) -> None:
    fail(client, "street", 5)

    event = AuditEvent.objects.get(action="login.locked_out")
    assert event.actor_name == "street"
    assert event.detail == {"username": "street", "ip_address": "127.0.0.1"}
    assert event.ip_address == "127.0.0.1"
    assert AuditEvent.objects.filter(action="login.failed", actor_name="street").count() == 5


def test_an_attempt_while_locked_is_audited_too(client: Client, staff: Staff) -> None:
    fail(client, "street", 5)

    attempt(client, "street", STAFF_PASSWORD)

    assert AuditEvent.objects.filter(action="login.locked_out", actor_name="street").count() == 2
    assert not AuditEvent.objects.filter(action="login.success").exists()


def test_the_account_opens_again_after_the_cool_off(client: Client, staff: Staff) -> None:
    fail(client, "street", 5)
    assert attempt(client, "street", STAFF_PASSWORD).status_code == LOCKED_STATUS

    AccessAttempt.objects.filter(username="street").update(attempt_time=timezone.now() - timedelta(minutes=31))

    response = attempt(client, "street", STAFF_PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_the_account_stays_locked_before_the_cool_off_ends(client: Client, staff: Staff) -> None:
    fail(client, "street", 5)

    AccessAttempt.objects.filter(username="street").update(attempt_time=timezone.now() - timedelta(minutes=29))

    assert attempt(client, "street", STAFF_PASSWORD).status_code == LOCKED_STATUS
    assert not signed_in(client)


@override_settings(AXES_COOLOFF_TIME=timedelta(seconds=0))
def test_a_zero_cool_off_setting_unlocks_at_once(client: Client, staff: Staff) -> None:
    fail(client, "street", 5)

    assert attempt(client, "street", STAFF_PASSWORD).status_code == 302


def test_another_account_from_the_same_ip_is_not_locked(client: Client, staff: Staff) -> None:
    fail(client, "street", 5)

    response = attempt(client, "street2", STAFF_PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.street2.pk)


def test_the_same_account_from_another_ip_is_locked(client: Client, staff: Staff) -> None:
    fail(client, "street", 5)

    other = Client(REMOTE_ADDR="10.1.2.3")
    response = other.post(LOGIN, {"username": "street", "password": STAFF_PASSWORD})

    assert response.status_code == LOCKED_STATUS
    assert "_auth_user_id" not in other.session


def test_a_successful_sign_in_resets_the_count(client: Client, staff: Staff) -> None:
    fail(client, "street", 4)
    attempt(client, "street", STAFF_PASSWORD)
    client.logout()

    assert fail(client, "street", 4) == [200] * 4
    attempt(client, "street", STAFF_PASSWORD)
    assert signed_in(client)


def test_an_unknown_username_is_locked_like_a_real_one(client: Client, staff: Staff) -> None:
    # Same answer for both: the lockout does not reveal which usernames exist.
    assert fail(client, "no-such-user", 5)[-1] == LOCKED_STATUS
