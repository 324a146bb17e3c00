"""Disabling a user, forcing a new password or changing it ends their sessions in the session store, not just at the
next request: the rows (with the personal data in them) are deleted, whatever the SESSION_ENGINE."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client, override_settings

from gridwork.accounts import services, sessions
from gridwork.accounts.models import User, UserSession
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.conftest import Staff
from gridwork.accounts.tests.factories import STAFF_PASSWORD, make_staff
from gridwork.audit.models import AuditEvent
from gridwork.places.tests.factories import CityTree

LOGIN = "/accounts/login/"
STAFF_HOME = "/staff/"
NEW_PASSWORD = "Another-Pass-2026-Gw"


def sign_in(username: str, password: str = STAFF_PASSWORD) -> Client:
    client = Client()
    response = client.post(LOGIN, {"username": username, "password": password})
    assert response.status_code == 302, response
    return client


def key_of(client: Client) -> str:
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert key
    return key


def is_anonymous_now(client: Client) -> bool:
    response = client.get(STAFF_HOME)
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_signing_in_records_the_session_and_signing_out_forgets_it(staff: Staff) -> None:
    client = sign_in("street")
    key = key_of(client)
    assert UserSession.objects.filter(user=staff.street, session_key=key).exists()

    client.post("/accounts/logout/")

    assert not UserSession.objects.filter(session_key=key).exists()


@pytest.mark.django_db
def test_deactivating_a_user_deletes_all_their_sessions(staff: Staff) -> None:
    first, second = sign_in("street"), sign_in("street")
    keys = [key_of(first), key_of(second)]
    assert keys[0] != keys[1]
    assert Session.objects.filter(session_key__in=keys).count() == 2
    bystander = sign_in("street2")

    services.staff_deactivate(actor=staff.district, user=staff.street)

    assert not Session.objects.filter(session_key__in=keys).exists()
    assert not UserSession.objects.filter(user=staff.street).exists()
    assert is_anonymous_now(first)
    assert is_anonymous_now(second)
    assert bystander.get(STAFF_HOME).status_code == 200
    event = AuditEvent.objects.get(action="staff.deactivate")
    assert event.detail["sessions_ended"] == 2


@pytest.mark.django_db
def test_deactivating_through_the_staff_page_ends_the_sessions_too(staff: Staff) -> None:
    target = sign_in("street")
    manager = sign_in("district")

    response = manager.post(f"/staff/accounts/{staff.street.pk}/deactivate/")

    assert response.status_code == 302
    assert is_anonymous_now(target)
    assert AuditEvent.objects.get(action="staff.deactivate").detail["sessions_ended"] == 1


@pytest.mark.django_db
def test_an_own_password_change_keeps_this_session_and_ends_the_others(staff: Staff) -> None:
    here, elsewhere = sign_in("street"), sign_in("street")
    elsewhere_key = key_of(elsewhere)

    response = here.post(
        "/accounts/password/",
        {"old_password": STAFF_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert here.get(STAFF_HOME).status_code == 200
    assert is_anonymous_now(elsewhere)
    assert not Session.objects.filter(session_key=elsewhere_key).exists()
    # The session got a new key when its auth hash was updated: that key, and only it, is recorded now.
    assert list(UserSession.objects.filter(user=staff.street).values_list("session_key", flat=True)) == [key_of(here)]
    assert AuditEvent.objects.get(action="password.change").detail["sessions_ended"] == 1


@pytest.mark.django_db
def test_forcing_a_password_change_ends_every_session(staff: Staff, tree: CityTree) -> None:
    security = make_staff(role=Role.SECURITY_ADMIN, place=tree.city, username="secadmin")
    first, second = sign_in("street"), sign_in("street")

    ended = services.security_force_password_change(actor=security, user=staff.street)

    assert ended == 2
    assert is_anonymous_now(first)
    assert is_anonymous_now(second)
    staff.street.refresh_from_db()
    assert staff.street.must_change_password is True


@pytest.mark.django_db
def test_sessions_that_expired_on_their_own_are_not_counted(staff: Staff) -> None:
    client = sign_in("street")
    Session.objects.filter(session_key=key_of(client)).delete()

    assert sessions.sessions_end(user=staff.street) == 0
    assert not UserSession.objects.filter(user=staff.street).exists()


@pytest.mark.django_db
@override_settings(
    SESSION_ENGINE="django.contrib.sessions.backends.cache",
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kill-test"}},
)
def test_sessions_in_a_cache_backend_are_ended_too(staff: Staff) -> None:
    cache.clear()
    first, second = sign_in("street"), sign_in("street")
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = [key_of(first), key_of(second)]
    assert all(store().exists(key) for key in keys)
    assert not Session.objects.exists()  # nothing in the database table: the cache holds them

    ended = services.staff_deactivate(actor=None, user=staff.street)

    assert ended.is_active is False
    assert not any(store().exists(key) for key in keys)
    assert is_anonymous_now(first)
    assert is_anonymous_now(second)
    assert AuditEvent.objects.get(action="staff.deactivate").detail["sessions_ended"] == 2


@pytest.mark.django_db
def test_another_users_sessions_are_left_alone(staff: Staff) -> None:
    sign_in("street")
    other = sign_in("street2")

    sessions.sessions_end(user=staff.street)

    assert other.get(STAFF_HOME).status_code == 200
    assert UserSession.objects.filter(user=staff.street2).count() == 1
    assert User.objects.get(pk=staff.street2.pk).is_active
