"""Staff sign-in and sign-out, the password page, and the idle timeout."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import reverse

from gridwork.accounts.middleware import IDLE_LOGOUT_KEY, LAST_SEEN_KEY, SIGNED_IN_AT_KEY
from gridwork.accounts.models import User
from gridwork.accounts.tests.conftest import Staff
from gridwork.accounts.tests.factories import STAFF_PASSWORD, make_resident_with_password
from gridwork.audit.models import AuditEvent

LOGIN = "/accounts/login/"
NEW_PASSWORD = "Autumn-Leaves-2026"


def sign_in(client: Client, username: str, password: str = STAFF_PASSWORD, **extra: str) -> object:
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


# --- the sign-in page ------------------------------------------------------------------------------------


def test_urls_are_where_the_brief_says() -> None:
    assert reverse("accounts:login") == LOGIN
    assert reverse("accounts:logout") == "/accounts/logout/"
    assert reverse("accounts:password-change") == "/accounts/password/"
    assert reverse("accounts:phone") == "/accounts/phone/"


@pytest.mark.django_db
def test_the_sign_in_page_is_a_form_in_chinese_with_a_link_to_phone_sign_in(client: Client) -> None:
    response = client.get(LOGIN)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html
    assert 'name="password"' in html
    assert 'type="submit"' in html
    assert reverse("accounts:phone") in html
    assert 'lang="zh-hans"' in html
    assert "csrfmiddlewaretoken" in html


@pytest.mark.django_db
def test_the_sign_in_page_is_english_when_asked(client: Client) -> None:
    response = client.get(LOGIN, headers={"accept-language": "en"})

    assert 'lang="en"' in response.content.decode()
    assert "Staff sign-in" in response.content.decode()


def test_staff_sign_in_goes_to_the_staff_home_with_a_new_session_id(client: Client, staff: Staff) -> None:
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    assert before

    response = sign_in(client, "street")

    assert response.status_code == 302
    assert response["Location"] == reverse("staff-home")
    assert signed_in_user_id(client) == str(staff.street.pk)
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()
    event = AuditEvent.objects.get(action="login.success")
    assert event.actor == staff.street
    assert event.ip_address == "127.0.0.1"


def test_a_resident_signing_in_with_a_password_goes_to_the_portal(client: Client, db: None) -> None:
    make_resident_with_password(phone="13700000001")

    response = sign_in(client, "r13700000001")

    assert response["Location"] == reverse("home")


def test_sign_in_follows_a_safe_next_and_ignores_another_site(client: Client, staff: Staff) -> None:
    response = sign_in(client, "street", next="/staff/accounts/")
    assert response["Location"] == "/staff/accounts/"

    client.logout()
    response = sign_in(client, "street", next="https://evil.example/phish")
    assert response["Location"] == reverse("staff-home")


def test_a_wrong_password_is_refused_and_audited_without_the_password(client: Client, staff: Staff) -> None:
    response = sign_in(client, "street", password="not-the-password")

    assert response.status_code == 200
    assert signed_in_user_id(client) is None
    assert 'data-testid="form-errors"' in response.content.decode()
    event = AuditEvent.objects.get(action="login.failed")
    assert event.actor is None
    assert event.actor_name == "street"
    assert event.ip_address == "127.0.0.1"
    assert "not-the-password" not in str(event.detail)


def test_an_unknown_username_gets_the_same_answer_as_a_wrong_password(client: Client, staff: Staff) -> None:
    wrong_password = sign_in(client, "street", password="not-the-password").content.decode()
    unknown_user = sign_in(client, "nobody", password="not-the-password").content.decode()

    def error(html: str) -> str:
        return html.split('data-testid="form-errors">')[1].split("</div>", maxsplit=1)[0]

    assert error(wrong_password) == error(unknown_user)


def test_a_deactivated_account_cannot_sign_in(client: Client, staff: Staff) -> None:
    User.objects.filter(pk=staff.street.pk).update(is_active=False)

    sign_in(client, "street")

    assert signed_in_user_id(client) is None


# --- sign-out --------------------------------------------------------------------------------------------


def test_sign_out_is_post_only_and_audited(client: Client, staff: Staff) -> None:
    sign_in(client, "street")

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert signed_in_user_id(client) == str(staff.street.pk)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert signed_in_user_id(client) is None
    assert AuditEvent.objects.filter(action="logout", actor=staff.street).count() == 1


# --- password change -------------------------------------------------------------------------------------


def test_the_password_page_needs_a_signed_in_staff_member(client: Client, db: None) -> None:
    response = client.get(reverse("accounts:password-change"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)

    resident = make_resident_with_password(phone="13700000001")
    client.force_login(resident)
    assert client.get(reverse("accounts:password-change")).status_code == 403


def test_the_password_page_shows_the_rules(client: Client, staff: Staff) -> None:
    client.force_login(staff.grid)

    html = client.get(reverse("accounts:password-change"), headers={"accept-language": "en"}).content.decode()

    assert "at least 10 characters" in html
    assert "at least 3 kinds of character" in html


def test_changing_the_password_needs_the_old_one(client: Client, staff: Staff) -> None:
    client.force_login(staff.grid)

    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": "wrong-old-one", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert 'data-testid="error-old_password"' in response.content.decode()
    assert User.objects.get(pk=staff.grid.pk).check_password(STAFF_PASSWORD)


def test_a_weak_new_password_is_refused_with_the_reason(client: Client, staff: Staff) -> None:
    client.force_login(staff.grid)

    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": STAFF_PASSWORD, "new_password1": "alllowercase", "new_password2": "alllowercase"},
        headers={"accept-language": "en"},
    )

    assert response.status_code == 200
    assert "kinds of character" in response.content.decode()
    assert User.objects.get(pk=staff.grid.pk).check_password(STAFF_PASSWORD)


def test_changing_the_password_keeps_this_session_and_is_audited(client: Client, staff: Staff) -> None:
    client.force_login(staff.grid)
    other = Client()
    other.force_login(staff.grid)

    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": STAFF_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert User.objects.get(pk=staff.grid.pk).check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="password.change", actor=staff.grid).count() == 1
    assert client.get(reverse("accounts:password-change")).status_code == 200
    # Another session of the same account, started with the old password, ends.
    assert other.get(reverse("accounts:password-change")).status_code == 302


# --- idle timeout ----------------------------------------------------------------------------------------


def set_session(client: Client, **values: float) -> None:
    session = client.session
    for key, value in values.items():
        session[key] = value
    session.save()


PAGE = "/accounts/password/"  # any page that needs a signed-in user


def test_signing_in_starts_the_idle_clock(client: Client, staff: Staff) -> None:
    sign_in(client, "gridworker")

    assert time.time() - client.session[LAST_SEEN_KEY] < 5
    assert time.time() - client.session[SIGNED_IN_AT_KEY] < 5


def test_thirty_idle_minutes_sign_the_user_out_and_the_sign_in_page_says_why(client: Client, staff: Staff) -> None:
    sign_in(client, "gridworker")
    set_session(client, **{LAST_SEEN_KEY: time.time() - 31 * 60})

    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert signed_in_user_id(client) is None
    assert AuditEvent.objects.filter(action="logout.idle", actor=staff.grid).count() == 1
    page = client.get(response["Location"], headers={"accept-language": "en"}).content.decode()
    assert "signed out after 30 minutes without activity" in page
    # Said once, not at every later visit.
    assert "without activity" not in client.get(LOGIN).content.decode()


def test_activity_within_the_window_keeps_the_session_and_moves_the_clock(client: Client, staff: Staff) -> None:
    sign_in(client, "gridworker")
    set_session(client, **{LAST_SEEN_KEY: time.time() - 29 * 60})

    assert client.get(PAGE).status_code == 200

    assert signed_in_user_id(client) == str(staff.grid.pk)
    assert time.time() - client.session[LAST_SEEN_KEY] < 5
    assert IDLE_LOGOUT_KEY not in client.session


def test_requests_within_a_minute_do_not_rewrite_the_session(client: Client, staff: Staff) -> None:
    sign_in(client, "gridworker")
    stamp = time.time() - 30
    set_session(client, **{LAST_SEEN_KEY: stamp})

    client.get(PAGE)

    assert client.session[LAST_SEEN_KEY] == stamp


@override_settings(SESSION_IDLE_TIMEOUT=timedelta(minutes=5))
def test_the_idle_limit_comes_from_the_settings(client: Client, staff: Staff) -> None:
    sign_in(client, "gridworker")
    set_session(client, **{LAST_SEEN_KEY: time.time() - 6 * 60})

    client.get(PAGE)

    assert signed_in_user_id(client) is None
    page = client.get(LOGIN, headers={"accept-language": "en"}).content.decode()
    assert "signed out after 5 minutes without activity" in page


def test_a_session_ends_twelve_hours_after_sign_in_however_busy(client: Client, staff: Staff) -> None:
    sign_in(client, "gridworker")
    set_session(client, **{SIGNED_IN_AT_KEY: time.time() - 12 * 60 * 60 - 60, LAST_SEEN_KEY: time.time()})

    response = client.get(PAGE)

    assert response.status_code == 302
    assert signed_in_user_id(client) is None
    assert AuditEvent.objects.filter(action="logout", actor=staff.grid, detail__reason="expired").count() == 1


def test_a_session_without_clocks_gets_them_at_the_next_request(client: Client, staff: Staff) -> None:
    sign_in(client, "gridworker")
    session = client.session
    del session[LAST_SEEN_KEY]
    del session[SIGNED_IN_AT_KEY]
    session.save()

    assert client.get(PAGE).status_code == 200

    assert LAST_SEEN_KEY in client.session
    assert SIGNED_IN_AT_KEY in client.session
