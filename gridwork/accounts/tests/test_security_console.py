"""The security administrator's console (/staff/security/): only MANAGE_SECURITY gets in — the system administrator,
the audit administrator and city staff are refused (separation of duties); every action is a POST with CSRF, audited,
and refused on the administrator's own account."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from gridwork.accounts import services
from gridwork.accounts.models import User, UserSession
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.conftest import Staff
from gridwork.accounts.tests.factories import STAFF_PASSWORD, make_resident_user, make_staff
from gridwork.audit.models import AuditEvent
from gridwork.places.tests.factories import CityTree

LOGIN = "/accounts/login/"
PAGES = ["/staff/security/", "/staff/security/staff/", "/staff/security/sign-ins/"]


@pytest.fixture
def security(tree: CityTree) -> User:
    return make_staff(role=Role.SECURITY_ADMIN, place=tree.city, username="secadmin")


def as_user(user: User, **kwargs: Any) -> Client:
    client = Client(**{"HTTP_ACCEPT_LANGUAGE": "en", **kwargs})
    client.force_login(user)
    return client


def actions(target: User) -> list[tuple[str, dict[str, str]]]:
    return [
        ("/staff/security/unlock/", {"username": target.username}),
        (f"/staff/security/staff/{target.pk}/force-password-change/", {}),
        (f"/staff/security/staff/{target.pk}/end-sessions/", {}),
        (f"/staff/security/staff/{target.pk}/reset-second-factor/", {}),
    ]


def lock(client: Client, username: str) -> None:
    for _ in range(5):
        client.post(LOGIN, {"username": username, "password": "Wrong-Password-1"})


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def test_the_urls() -> None:
    assert reverse("security:locks") == "/staff/security/"
    assert reverse("security:staff") == "/staff/security/staff/"
    assert reverse("security:sign-ins") == "/staff/security/sign-ins/"
    assert reverse("security:unlock") == "/staff/security/unlock/"


# --- who gets in -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_sign_in(client: Client, staff: Staff) -> None:
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["system_admin", "audit_admin", "city", "grid"])
def test_the_other_administrators_and_staff_are_refused(staff: Staff, security: User, who: str) -> None:
    client = as_user(getattr(staff, who))

    for page in PAGES:
        assert client.get(page).status_code == 403, page
    for url, data in actions(staff.street):
        assert client.post(url, data).status_code == 403, url
    staff.street.refresh_from_db()
    assert staff.street.must_change_password is False
    assert not AuditEvent.objects.filter(action__startswith="security.").exists()


@pytest.mark.django_db
def test_a_resident_is_refused(tree: CityTree, security: User) -> None:
    client = as_user(make_resident_user(phone="13800000009"))

    for page in PAGES:
        assert client.get(page).status_code == 403


@pytest.mark.django_db
def test_the_security_administrator_sees_every_page_and_the_sidebar_link(staff: Staff, security: User) -> None:
    client = as_user(security)

    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 200, page
        assert 'data-testid="nav-security"' in response.content.decode()
    assert 'data-testid="nav-security"' not in as_user(staff.system_admin).get("/staff/").content.decode()


@pytest.mark.django_db
def test_the_services_refuse_other_roles_too(staff: Staff) -> None:
    from django.core.exceptions import PermissionDenied

    for actor in (staff.system_admin, staff.audit_admin, staff.city):
        with pytest.raises(PermissionDenied):
            services.security_force_password_change(actor=actor, user=staff.street)
        with pytest.raises(PermissionDenied):
            services.security_end_sessions(actor=actor, user=staff.street)
        with pytest.raises(PermissionDenied):
            services.security_unlock(actor=actor, username="street")


# --- actions: POST only, CSRF, audited -------------------------------------------------------------------


@pytest.mark.django_db
def test_actions_are_post_only(staff: Staff, security: User) -> None:
    client = as_user(security)

    for url, _data in actions(staff.street):
        assert client.get(url).status_code == 405, url


@pytest.mark.django_db
def test_actions_need_the_csrf_token(staff: Staff, security: User) -> None:
    client = as_user(security, enforce_csrf_checks=True)

    for url, data in actions(staff.street):
        assert client.post(url, data).status_code == 403, url
    staff.street.refresh_from_db()
    assert staff.street.must_change_password is False


@pytest.mark.django_db
def test_a_locked_account_is_listed_and_unlocked(staff: Staff, security: User) -> None:
    lock(Client(), "street")
    assert Client().post(LOGIN, {"username": "street", "password": STAFF_PASSWORD}).status_code == 429
    client = as_user(security)

    listed = client.get("/staff/security/")
    assert [attempt.username for attempt in listed.context["page_obj"]] == ["street"]

    response = client.post("/staff/security/unlock/", {"username": "street"}, follow=True)

    assert "has been unlocked" in " ".join(messages_of(response))
    assert not AccessAttempt.objects.filter(username="street").exists()
    assert Client().post(LOGIN, {"username": "street", "password": STAFF_PASSWORD}).status_code == 302
    event = AuditEvent.objects.get(action="security.unlock")
    assert event.actor_id == security.pk
    assert event.detail == {"username": "street", "attempts_removed": 1}


@pytest.mark.django_db
def test_a_few_failures_are_not_a_lock(staff: Staff, security: User) -> None:
    for _ in range(2):
        Client().post(LOGIN, {"username": "street", "password": "Wrong-Password-1"})

    assert list(as_user(security).get("/staff/security/").context["page_obj"]) == []


@pytest.mark.django_db
def test_forcing_a_password_change(staff: Staff, security: User) -> None:
    target = Client()
    target.force_login(staff.street)

    response = as_user(security).post(f"/staff/security/staff/{staff.street.pk}/force-password-change/")

    assert response.status_code == 302
    staff.street.refresh_from_db()
    assert staff.street.must_change_password is True
    event = AuditEvent.objects.get(action="security.force_password_change")
    assert (event.actor_id, event.object_id, event.detail) == (security.pk, str(staff.street.pk), {"sessions_ended": 1})
    again = Client()
    again.post(LOGIN, {"username": "street", "password": STAFF_PASSWORD})
    assert again.get("/staff/")["Location"] == "/accounts/password/"


@pytest.mark.django_db
def test_ending_all_sessions(staff: Staff, security: User) -> None:
    target = Client()
    target.force_login(staff.street)

    as_user(security).post(f"/staff/security/staff/{staff.street.pk}/end-sessions/")

    assert target.get("/staff/").status_code == 302
    assert not UserSession.objects.filter(user=staff.street).exists()
    assert AuditEvent.objects.get(action="security.end_sessions").detail == {"sessions_ended": 1}


@pytest.mark.django_db
def test_the_security_administrator_cannot_act_on_their_own_account(staff: Staff, tree: CityTree) -> None:
    security = make_staff(role=Role.SECURITY_ADMIN, place=tree.city, username="secadmin")
    client = as_user(security)

    for url, data in actions(security):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200, url
        assert any("Another security administrator" in text or "not part" in text for text in messages_of(response))
    security.refresh_from_db()
    assert security.must_change_password is False
    assert client.get("/staff/security/").status_code == 200  # still signed in
    assert not AuditEvent.objects.filter(action__startswith="security.").exists()
    # Nor are the buttons offered on their own row.
    html = client.get("/staff/security/staff/", {"q": "secadmin"}).content.decode()
    assert 'data-testid="security-force-password"' not in html


@pytest.mark.django_db
def test_a_non_staff_account_is_not_found(staff: Staff, security: User) -> None:
    resident = make_resident_user(phone="13800000008")

    response = as_user(security).post(f"/staff/security/staff/{resident.pk}/force-password-change/")

    assert response.status_code == 404


@pytest.mark.django_db
def test_reset_second_factor_calls_the_twofactor_service_and_ends_sessions(
    staff: Staff, security: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[User, User]] = []
    monkeypatch.setattr(
        services, "second_factor_resetter", lambda: lambda actor, user, request=None: calls.append((actor, user))
    )
    target = Client()
    target.force_login(staff.street)

    as_user(security).post(f"/staff/security/staff/{staff.street.pk}/reset-second-factor/")

    assert [(actor.pk, user.pk) for actor, user in calls] == [(security.pk, staff.street.pk)]
    assert target.get("/staff/").status_code == 302
    event = AuditEvent.objects.get(action="security.end_sessions")
    assert event.detail == {"sessions_ended": 1, "reason": "second_factor_reset"}


@pytest.mark.django_db
def test_reset_second_factor_is_refused_when_twofactor_is_missing(
    staff: Staff, security: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "second_factor_resetter", lambda: None)

    response = as_user(security).post(f"/staff/security/staff/{staff.street.pk}/reset-second-factor/", follow=True)

    assert "not part of this installation" in " ".join(messages_of(response))
    assert not AuditEvent.objects.filter(action__startswith="security.").exists()


# --- the staff list and the sign-in records --------------------------------------------------------------


@pytest.mark.django_db
def test_the_staff_list_shows_password_age_and_sessions(staff: Staff, security: User) -> None:
    Client().post(LOGIN, {"username": "street", "password": STAFF_PASSWORD})

    response = as_user(security).get("/staff/security/staff/", {"q": "street"})

    rows = {row.user.username: row for row in response.context["rows"]}
    assert set(rows) == {"street", "street2"}
    assert rows["street"].password_age_days == 0
    assert rows["street"].open_sessions == 1
    assert rows["street2"].open_sessions == 0
    assert 'data-testid="security-end-sessions"' in response.content.decode()


@pytest.mark.django_db
def test_sign_in_records_filter_by_user_and_outcome(staff: Staff, security: User) -> None:
    Client().post(LOGIN, {"username": "street", "password": STAFF_PASSWORD})
    Client().post(LOGIN, {"username": "street", "password": "Wrong-Password-1"})
    Client().post(LOGIN, {"username": "street2", "password": "Wrong-Password-1"})
    AuditEvent.objects.create(actor_name="x", action="staff.create")  # not a sign-in record
    client = as_user(security)

    def listed(**params: str) -> list[tuple[str, str]]:
        page = client.get("/staff/security/sign-ins/", params).context["page_obj"]
        return sorted((event.actor_name, event.action) for event in page)

    everything = listed()
    assert ("street", "login.success") in everything
    assert ("street", "login.failed") in everything
    assert ("street2", "login.failed") in everything
    assert all(action.startswith(("login.", "logout")) for _name, action in everything)
    assert listed(user="street", outcome="failed") == [("street", "login.failed")]
    assert listed(outcome="failed") == [("street", "login.failed"), ("street2", "login.failed")]
    assert ("secadmin", "login.success") in listed(outcome="success")
