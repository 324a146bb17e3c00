"""The staff pages of the Open311 keys: only the system administrator (MANAGE_INTEGRATIONS) gets in; a new key is
shown once and works; revoking asks first, then refuses the key."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.audit.models import AuditEvent
from gridwork.open311.models import Open311Key
from gridwork.open311.services import open311_key_authenticate, open311_key_create
from gridwork.places.tests.factories import CityTree

LIST, CREATE = reverse("staff_open311:key-list"), reverse("staff_open311:key-create")


@pytest.fixture
def admin(tree: CityTree) -> User:
    return make_staff(role=Role.SYSTEM_ADMIN, place=tree.city, username="sysadmin")


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_administrator_creates_a_key_that_is_shown_once_and_works(admin: User) -> None:
    client = _signed_in(admin)

    assert client.get(CREATE).status_code == 200
    response = client.post(CREATE, {"name": "东湖区12345系统"})

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    match = re.search(r'value="(o311_[^"]+)"[^>]*data-testid="secret"', response.content.decode())
    assert match is not None
    key = Open311Key.objects.get()
    assert (key.name, key.created_by) == ("东湖区12345系统", admin)
    assert match.group(1).startswith(f"o311_{key.prefix}_")
    assert match.group(1) not in key.digest
    assert open311_key_authenticate(match.group(1)) == key
    listing = client.get(LIST).content.decode()
    assert key.prefix in listing
    assert match.group(1) not in listing  # never shown again
    audit = AuditEvent.objects.get(action="open311.key.create")
    assert (audit.actor, audit.object_id) == (admin, str(key.pk))
    assert match.group(1) not in str(audit.detail)


def test_a_key_needs_a_name(admin: User) -> None:
    response = _signed_in(admin).post(CREATE, {"name": "  "})

    assert response.status_code == 200
    assert 'data-testid="form-errors"' in response.content.decode()
    assert not Open311Key.objects.exists()


def test_revoking_asks_first_then_refuses_the_key(admin: User) -> None:
    key, secret = open311_key_create(actor=admin, name="app")
    client = _signed_in(admin)
    revoke = reverse("staff_open311:key-revoke", args=[key.pk])

    assert client.get(revoke).status_code == 200
    key.refresh_from_db()
    assert key.is_active  # a GET only asks
    response = client.post(revoke)

    assert response.status_code == 302
    assert response["Location"] == LIST
    key.refresh_from_db()
    assert not key.is_active
    assert open311_key_authenticate(secret) is None
    assert AuditEvent.objects.filter(action="open311.key.revoke", object_id=str(key.pk)).count() == 1
    client.post(revoke)  # twice: nothing more happens
    assert AuditEvent.objects.filter(action="open311.key.revoke").count() == 1
    assert "Revoked" in client.get(LIST, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_an_unknown_key_is_not_found(admin: User) -> None:
    assert _signed_in(admin).get(reverse("staff_open311:key-revoke", args=[999])).status_code == 404


@pytest.mark.parametrize("role", [Role.CITY_STAFF, Role.AUDIT_ADMIN, Role.DISPATCH_CENTRE])
def test_other_staff_are_refused(tree: CityTree, admin: User, role: str) -> None:
    key, _ = open311_key_create(actor=admin, name="app")
    client = _signed_in(make_staff(role=role, place=tree.city, username="other"))

    for page in (LIST, CREATE, reverse("staff_open311:key-revoke", args=[key.pk])):
        assert client.get(page).status_code == 403
    assert client.post(CREATE, {"name": "mine"}).status_code == 403
    assert client.post(reverse("staff_open311:key-revoke", args=[key.pk])).status_code == 403
    key.refresh_from_db()
    assert key.is_active
    assert Open311Key.objects.count() == 1


def test_residents_are_refused_and_anonymous_users_sent_to_sign_in(tree: CityTree) -> None:
    resident = _signed_in(make_resident_user(phone="13700001111"))

    assert resident.get(LIST).status_code == 403
    anonymous = Client().get(LIST)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))
