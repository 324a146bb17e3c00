"""The staff's second factor: who is asked, enrolment, the code page, backup codes, the lock, the reset, and that an
unverified session reaches nothing else (pages, the admin site, the API)."""

from __future__ import annotations

import json
from base64 import b32encode
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.utils import timezone, translation
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gridwork.accounts import services, twofactor
from gridwork.accounts.models import User, UserSession
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.conftest import Staff
from gridwork.accounts.tests.factories import STAFF_PASSWORD, make_resident_user, make_staff
from gridwork.api.services import api_token_create
from gridwork.audit.models import AuditEvent
from gridwork.places.tests.factories import CityTree

LOGIN = "/accounts/login/"
VERIFY = "/accounts/2fa/"
SETUP = "/accounts/2fa/setup/"
BACKUP_CODES = "/accounts/2fa/backup-codes/"
STAFF_HOME = "/staff/"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("second_factor_on")]


@pytest.fixture
def second_factor_on() -> Any:
    with override_settings(GRIDWORK_STAFF_2FA=True), translation.override("en"):
        yield


def sign_in(username: str, password: str = STAFF_PASSWORD, **extra: str) -> tuple[Client, Any]:
    """A new browser (a new session, in English) that signs in with the password."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(LOGIN, {"username": username, "password": password, **extra})
    assert response.status_code == 302, "the password sign-in failed"
    return client, response


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code an authenticator app holding the device's secret shows now (or ``steps_ahead`` × 30 s later)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead):06d}"


def wrong_code_for(device: TOTPDevice) -> str:
    valid = {code_for(device, offset) for offset in (-1, 0, 1)}
    return next(candidate for candidate in ("000000", "111111", "222222", "333333") if candidate not in valid)


def let_throttle_pass(user: User, seconds: int = 20) -> None:
    """As if the user waited out django-otp's short throttling delay (1, 2, 4, 8 s) before the next try."""
    since = timezone.now() - timedelta(seconds=seconds)
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user, throttling_failure_count__gt=0).update(throttling_failure_timestamp=since)


def as_if_the_next_time_step(user: User) -> None:
    """As if 30 seconds passed since the last accepted code (django-otp accepts only codes of a later time step)."""
    TOTPDevice.objects.filter(user=user).update(last_t=-1)


def enrol(username: str) -> tuple[Client, list[str]]:
    """Sign in and set up the authenticator; returns the verified browser and the backup codes shown."""
    client, _response = sign_in(username)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    response = client.post(SETUP, {"code": code_for(device)})
    assert response.status_code == 200
    codes = list(response.context["codes"])
    as_if_the_next_time_step(device.user)
    return client, codes


def verified_client(username: str) -> Client:
    client, _response = sign_in(username)
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 302
    as_if_the_next_time_step(device.user)
    return client


def is_verified(client: Client) -> bool:
    return client.get(STAFF_HOME).status_code == 200


# --- who is asked ----------------------------------------------------------------------------------------


def test_a_grid_worker_is_not_asked(staff: Staff) -> None:
    client, response = sign_in("gridworker")

    assert response["Location"] == STAFF_HOME
    assert client.get(STAFF_HOME).status_code == 200
    assert not TOTPDevice.objects.exists()


def test_residents_and_grid_workers_are_not_asked_and_staff_above_are(staff: Staff, tree: CityTree) -> None:
    resident = make_resident_user(phone="13800001111")
    both = make_staff(role=Role.GRID_WORKER, place=tree.grid, username="both")
    both.posts.create(role=Role.COMMUNITY_STAFF, place=tree.community)

    assert not twofactor.second_factor_required(resident)
    assert not twofactor.second_factor_required(staff.grid)
    assert twofactor.second_factor_required(User.objects.get(pk=both.pk))
    for user in (staff.community, staff.street, staff.city, staff.system_admin, staff.audit_admin):
        assert twofactor.second_factor_required(user), user


def test_with_the_setting_off_nobody_is_asked(staff: Staff) -> None:
    with override_settings(GRIDWORK_STAFF_2FA=False):
        client, response = sign_in("community")

        assert response["Location"] == STAFF_HOME
        assert client.get(STAFF_HOME).status_code == 200
        assert client.get("/staff/accounts/").status_code == 200
        assert not twofactor.second_factor_required(staff.community)


# --- an unverified session reaches nothing -------------------------------------------------------------


def test_community_staff_without_an_authenticator_is_sent_to_set_up_from_every_staff_page(staff: Staff) -> None:
    client, _response = sign_in("community")

    for url in (STAFF_HOME, "/staff/accounts/", "/staff/matters/", "/staff/places/", "/notifications/", "/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(SETUP), url
    assert client.get("/staff/accounts/")["Location"] == f"{SETUP}?next=%2Fstaff%2Faccounts%2F"
    # A form posted without the second factor is refused too (and not replayed later).
    response = client.post("/accounts/password/", {"old_password": STAFF_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == SETUP


def test_the_admin_site_is_out_of_reach_without_the_second_factor(staff: Staff) -> None:
    client, _response = sign_in("sysadmin")

    for url in ("/admin/", "/admin/accounts/user/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(SETUP), url


def test_the_api_answers_403_json_to_an_unverified_session(staff: Staff) -> None:
    client, _response = sign_in("community")

    for url in ("/api/v1/me/", "/api/v1/matters/", "/api/v1/places/"):
        response = client.get(url)
        assert response.status_code == 403, url
        body = json.loads(response.content)
        assert body["code"] == "second_factor_required"
    assert client.post("/api/v1/matters/", {}, content_type="application/json").status_code == 403


def test_an_api_token_is_not_a_session_and_is_left_alone(staff: Staff) -> None:
    key = api_token_create(actor=None, user=staff.community, name="hotline").key
    client = Client()

    response = client.get("/api/v1/me/", headers={"authorization": f"Token {key}"})

    assert response.status_code == 200
    assert json.loads(response.content)["username"] == "community"


def test_the_public_site_is_served_as_to_anyone_signed_out(staff: Staff) -> None:
    client, _response = sign_in("community")

    response = client.get("/accounts/phone/")

    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
    # The session itself stays: the staff member can still go on to the second factor.
    assert client.get(SETUP).status_code == 200


def test_sign_out_and_the_language_switch_work_before_the_second_factor(staff: Staff) -> None:
    client, _response = sign_in("community")

    response = client.post("/i18n/setlang/", {"language": "en", "next": SETUP})
    assert response.status_code == 302
    assert response["Location"] == SETUP
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_an_htmx_request_is_told_where_to_go(staff: Staff) -> None:
    client, _response = sign_in("community")

    response = client.get("/staff/matters/", headers={"hx-request": "true"})

    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(SETUP)


# --- enrolment -------------------------------------------------------------------------------------------


def test_the_setup_page_shows_a_qr_code_and_the_secret_inline(staff: Staff) -> None:
    client, _response = sign_in("community")

    response = client.get(SETUP)

    assert response.status_code == 200
    html = response.content.decode()
    device = TOTPDevice.objects.get(user=staff.community)
    assert not device.confirmed
    assert "<svg" in html
    assert 'data-testid="twofactor-qr"' in html
    assert "<img" not in html
    secret = b32encode(device.bin_key).decode()
    shown = response.context["secret"].replace(" ", "")
    assert shown == secret
    assert 'lang="zh-hans"' in html
    assert "style=" not in html
    assert "<script>" not in html
    # The page asked for again in the same session shows the same secret (the QR code may already be scanned).
    assert client.get(SETUP).context["secret"] == response.context["secret"]


def test_enrolment_with_a_code_from_the_secret_verifies_the_session(staff: Staff) -> None:
    client, _response = sign_in("community", next="/staff/accounts/")
    assert client.get("/staff/accounts/")["Location"] == f"{SETUP}?next=%2Fstaff%2Faccounts%2F"
    client.get(f"{SETUP}?next=%2Fstaff%2Faccounts%2F")
    device = TOTPDevice.objects.get(user=staff.community, confirmed=False)
    secret = device.key

    response = client.post(SETUP, {"code": code_for(device), "next": "/staff/accounts/"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    codes = list(response.context["codes"])
    assert len(codes) == 10 == len(set(codes))
    assert response.context["after"] == "/staff/accounts/"
    device.refresh_from_db()
    assert device.confirmed
    assert sorted(StaticToken.objects.filter(device__user=staff.community).values_list("token", flat=True)) == sorted(
        codes
    )
    assert client.get(STAFF_HOME).status_code == 200
    assert client.get("/staff/accounts/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    events = AuditEvent.objects.filter(action__startswith="twofactor.")
    assert set(events.values_list("action", flat=True)) == {"twofactor.enrolment_started", "twofactor.enrolled"}
    for event in events:
        text = json.dumps(event.detail)
        assert secret not in text
        assert all(code not in text for code in codes)


def test_a_wrong_code_does_not_confirm_the_set_up(staff: Staff) -> None:
    client, _response = sign_in("community")
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=staff.community)

    response = client.post(SETUP, {"code": wrong_code_for(device)})

    assert response.status_code == 200
    assert "This code is wrong" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.exists()
    assert AuditEvent.objects.filter(action="twofactor.failed", actor=staff.community).exists()
    assert client.get(STAFF_HOME).status_code == 302


def test_a_secret_shown_in_another_session_is_never_the_one_confirmed(staff: Staff) -> None:
    first, _response = sign_in("community")
    first.get(SETUP)
    old = TOTPDevice.objects.get(user=staff.community)
    second, _response = sign_in("community")
    second.get(SETUP)

    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    response = first.post(SETUP, {"code": code_for(old)})

    assert response.status_code == 200
    assert "expired" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=staff.community, confirmed=True).exists()
    assert first.get(STAFF_HOME).status_code == 302


def test_once_set_up_the_set_up_page_cannot_add_another_authenticator(staff: Staff) -> None:
    enrol("community")
    client, _response = sign_in("community")

    response = client.get(SETUP)

    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=staff.community).count() == 1
    with pytest.raises(Exception, match="already have an authenticator"):
        twofactor.enrolment_start(user=staff.community)


# --- signing in with the code --------------------------------------------------------------------------


def test_a_new_session_must_enter_a_code_again(staff: Staff) -> None:
    enrolled, _codes = enrol("community")
    client, _response = sign_in("community")

    assert client.get(STAFF_HOME)["Location"] == f"{VERIFY}?next=%2Fstaff%2F"
    assert client.get(SETUP)["Location"].startswith(VERIFY)
    assert is_verified(enrolled)


def test_the_right_code_verifies_and_goes_to_the_page_asked_for(staff: Staff) -> None:
    enrol("community")
    client, response = sign_in("community", next="/staff/accounts/")
    assert response["Location"] == "/staff/accounts/"
    assert client.get("/staff/accounts/")["Location"] == f"{VERIFY}?next=%2Fstaff%2Faccounts%2F"
    before = client.session.session_key
    device = TOTPDevice.objects.get(user=staff.community)

    response = client.post(VERIFY, {"code": code_for(device), "next": "/staff/accounts/"})

    assert response.status_code == 302
    assert response["Location"] == "/staff/accounts/"
    assert client.session.session_key != before
    assert client.get("/staff/accounts/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    assert AuditEvent.objects.filter(action="twofactor.verified", actor=staff.community).count() == 1


def test_a_next_to_another_site_is_ignored(staff: Staff) -> None:
    enrol("community")
    client, _response = sign_in("community")
    device = TOTPDevice.objects.get(user=staff.community)

    response = client.post(VERIFY, {"code": code_for(device), "next": "https://evil.example/"})

    assert response["Location"] == STAFF_HOME


def test_a_wrong_code_is_refused_and_audited(staff: Staff) -> None:
    enrol("community")
    client, _response = sign_in("community")
    device = TOTPDevice.objects.get(user=staff.community)

    response = client.post(VERIFY, {"code": wrong_code_for(device)})

    assert response.status_code == 200
    assert "This code is wrong" in response.content.decode()
    assert not is_verified(client)
    event = AuditEvent.objects.get(action="twofactor.failed")
    assert event.actor == staff.community
    assert event.detail == {"reason": "wrong_totp"}


def test_a_code_already_used_is_refused(staff: Staff) -> None:
    enrol("community")
    first, _response = sign_in("community")
    device = TOTPDevice.objects.get(user=staff.community)
    code = code_for(device)
    assert first.post(VERIFY, {"code": code}).status_code == 302
    second, _response = sign_in("community")

    response = second.post(VERIFY, {"code": code})

    assert response.status_code == 200
    assert not is_verified(second)
    assert is_verified(first)


def test_a_second_try_within_the_throttling_delay_is_refused_without_checking(staff: Staff) -> None:
    enrol("community")
    client, _response = sign_in("community")
    device = TOTPDevice.objects.get(user=staff.community)
    client.post(VERIFY, {"code": wrong_code_for(device)})

    response = client.post(VERIFY, {"code": code_for(device)})

    assert "Wait a few seconds" in response.content.decode()
    assert not is_verified(client)
    let_throttle_pass(staff.community)
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 302
    assert is_verified(client)


# --- backup codes ----------------------------------------------------------------------------------------


def test_a_backup_code_works_once(staff: Staff) -> None:
    _enrolled, codes = enrol("community")
    first, _response = sign_in("community")

    response = first.post(VERIFY, {"code": codes[3].upper()})

    assert response.status_code == 302
    assert is_verified(first)
    event = AuditEvent.objects.get(action="twofactor.backup_code_used")
    assert event.detail == {"backup_codes_left": 9}
    assert codes[3] not in json.dumps(event.detail)
    second, _response = sign_in("community")
    response = second.post(VERIFY, {"code": codes[3]})
    assert response.status_code == 200
    assert not is_verified(second)
    let_throttle_pass(staff.community)
    assert second.post(VERIFY, {"code": codes[4]}).status_code == 302


def test_new_backup_codes_replace_the_old_ones(staff: Staff) -> None:
    client, old = enrol("community")

    assert client.get(BACKUP_CODES).context["left"] == 10
    response = client.post(BACKUP_CODES)

    new = list(response.context["codes"])
    assert len(new) == 10
    assert not set(new) & set(old)
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(new)
    assert AuditEvent.objects.filter(action="twofactor.backup_codes_replaced").count() == 1


def test_the_staff_bar_links_the_backup_codes_only_for_a_verified_session(staff: Staff) -> None:
    client, _codes = enrol("community")
    assert 'data-testid="backup-codes"' in client.get(STAFF_HOME).content.decode()
    grid_client, _response = sign_in("gridworker")  # not asked, so never verified: no link to a page it cannot use
    assert 'data-testid="backup-codes"' not in grid_client.get(STAFF_HOME).content.decode()


def test_the_backup_codes_page_needs_a_verified_session(staff: Staff) -> None:
    enrol("community")
    client, _response = sign_in("community")

    response = client.post(BACKUP_CODES)

    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert StaticToken.objects.count() == 10


# --- the lock --------------------------------------------------------------------------------------------


def _fail(client: Client, user: User, times: int) -> list[int]:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    statuses = []
    for _attempt in range(times):
        statuses.append(client.post(VERIFY, {"code": wrong_code_for(device)}).status_code)
        let_throttle_pass(user)
    return statuses


def test_five_wrong_codes_in_a_row_lock_the_second_factor_for_thirty_minutes(staff: Staff) -> None:
    enrol("community")
    client, _response = sign_in("community")
    device = TOTPDevice.objects.get(user=staff.community)

    assert _fail(client, staff.community, 5) == [200, 200, 200, 200, 429]

    response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 429
    assert 'data-testid="twofactor-locked"' in response.content.decode()
    assert not is_verified(client)
    assert client.get(VERIFY).status_code == 429
    assert AuditEvent.objects.filter(action="twofactor.locked").count() == 1
    assert AuditEvent.objects.filter(action="twofactor.failed", detail__reason="locked").count() == 1
    until = twofactor.second_factor_locked_until(staff.community)
    assert until is not None
    assert timedelta(minutes=29) < until - timezone.now() <= timedelta(minutes=30)
    # Thirty minutes later the right code is accepted again.
    let_throttle_pass(staff.community, seconds=31 * 60)
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 302
    assert is_verified(client)


def test_signing_in_again_with_the_password_does_not_give_fresh_tries(staff: Staff) -> None:
    enrol("community")
    first, _response = sign_in("community")
    assert _fail(first, staff.community, 4) == [200] * 4

    second, _response = sign_in("community")

    assert _fail(second, staff.community, 1) == [429]


def test_wrong_backup_codes_count_towards_the_lock(staff: Staff) -> None:
    enrol("community")
    client, _response = sign_in("community")
    _fail(client, staff.community, 3)
    for _attempt in range(2):
        response = client.post(VERIFY, {"code": "aaaaaaaa"})
        let_throttle_pass(staff.community)

    assert response.status_code == 429
    assert twofactor.second_factor_locked_until(staff.community) is not None


# --- the security administrator's reset ------------------------------------------------------------------


def test_a_security_administrator_resets_and_the_user_must_set_up_again(staff: Staff, tree: CityTree) -> None:
    security = make_staff(role=Role.SECURITY_ADMIN, place=tree.city, username="security")
    client, _codes = enrol("community")
    assert is_verified(client)

    removed = twofactor.reset_second_factor(security, staff.community)

    assert removed == 2
    assert not TOTPDevice.objects.filter(user=staff.community).exists()
    assert not StaticDevice.objects.filter(user=staff.community).exists()
    event = AuditEvent.objects.get(action="twofactor.reset")
    assert event.actor == security
    assert event.object_id == str(staff.community.pk)
    # The open session is no longer verified: it is sent to set up a new authenticator.
    response = client.get(STAFF_HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)
    assert client.get(SETUP).status_code == 200


def test_a_reset_also_lifts_the_lock(staff: Staff, tree: CityTree) -> None:
    security = make_staff(role=Role.SECURITY_ADMIN, place=tree.city, username="security")
    enrol("community")
    client, _response = sign_in("community")
    _fail(client, staff.community, 5)

    twofactor.reset_second_factor(security, staff.community)

    assert twofactor.second_factor_locked_until(staff.community) is None
    assert client.get(SETUP).status_code == 200


def test_only_a_security_administrator_resets_and_never_their_own(staff: Staff, tree: CityTree) -> None:
    security = make_staff(role=Role.SECURITY_ADMIN, place=tree.city, username="security")
    enrol("community")

    for actor in (staff.system_admin, staff.city, staff.audit_admin, staff.community2):
        with pytest.raises(PermissionDenied):
            twofactor.reset_second_factor(actor, staff.community)
    with pytest.raises(PermissionDenied):
        twofactor.reset_second_factor(security, security)

    assert TOTPDevice.objects.filter(user=staff.community).exists()
    assert not AuditEvent.objects.filter(action="twofactor.reset").exists()


# --- with the password age -------------------------------------------------------------------------------


def test_a_forced_password_change_comes_after_the_second_factor_without_a_loop(staff: Staff) -> None:
    enrol("community")
    User.objects.filter(pk=staff.community.pk).update(must_change_password=True)
    client, _response = sign_in("community")

    response = client.get(STAFF_HOME)
    assert response["Location"].startswith(VERIFY)
    assert client.get(response["Location"]).status_code == 200
    device = TOTPDevice.objects.get(user=staff.community)
    response = client.post(VERIFY, {"code": code_for(device), "next": STAFF_HOME})
    assert response.status_code == 302

    response = client.get(STAFF_HOME)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/"
    assert client.get("/accounts/password/").status_code == 200


# --- the deployment check --------------------------------------------------------------------------------


def test_the_deployment_check_warns_when_the_second_factor_is_off() -> None:
    with override_settings(DEBUG=False, GRIDWORK_STAFF_2FA=False):
        messages = twofactor.check_staff_second_factor()
    assert [message.id for message in messages] == ["accounts.W001"]
    assert messages[0].is_serious() is False
    with override_settings(DEBUG=False, GRIDWORK_STAFF_2FA=True):
        assert twofactor.check_staff_second_factor() == []
    with override_settings(DEBUG=True, GRIDWORK_STAFF_2FA=False):
        assert twofactor.check_staff_second_factor() == []


def test_the_check_is_registered_for_deploy() -> None:
    from django.core import checks

    with override_settings(DEBUG=False, GRIDWORK_STAFF_2FA=False):
        ids = [message.id for message in checks.run_checks(include_deployment_checks=True)]
        plain = [message.id for message in checks.run_checks()]
    assert "accounts.W001" in ids
    assert "accounts.W001" not in plain


# --- review fixes: a disguised token header, the verified session's key, the set-up page's cache -------------------


@pytest.mark.parametrize("header", ["\xa0Token x", "\x85Bearer x", "Token\xa0x"])
def test_a_header_the_api_would_not_read_as_a_token_does_not_let_the_session_through(staff: Staff, header: str) -> None:
    client, _response = sign_in("community")

    for url in ("/api/v1/me/", "/api/v1/matters/"):
        response = client.get(url, HTTP_AUTHORIZATION=header)
        assert response.status_code in (401, 403), (url, response.status_code)


def test_the_api_itself_refuses_an_unverified_session_whatever_the_middleware_lets_through(
    staff: Staff, settings: Any
) -> None:
    client, _response = sign_in("community")
    settings.MIDDLEWARE = [
        name for name in settings.MIDDLEWARE if name != "gridwork.accounts.middleware_twofactor.SecondFactorMiddleware"
    ]

    assert client.get("/api/v1/me/").status_code in (401, 403)
    verified, _codes = enrol("community")
    assert verified.get("/api/v1/me/").status_code == 200


def test_the_verified_sessions_new_key_is_recorded_and_ended_by_the_security_administrator(
    staff: Staff, tree: CityTree
) -> None:
    security = make_staff(role=Role.SECURITY_ADMIN, place=tree.city, username="security")
    client, _codes = enrol("community")
    key = client.session.session_key
    assert UserSession.objects.filter(user=staff.community, session_key=key).exists()

    assert services.security_end_sessions(actor=security, user=staff.community) >= 1

    assert client.get(STAFF_HOME).status_code == 302
    assert not UserSession.objects.filter(session_key=key).exists()


def test_the_set_up_page_showing_the_secret_is_never_cached(staff: Staff) -> None:
    client, _response = sign_in("community")

    response = client.get(SETUP)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
