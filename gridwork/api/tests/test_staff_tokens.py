"""The staff pages of API tokens (/staff/api/): the list, a new token shown once, revoking; who may open them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.api.models import ApiToken
from gridwork.api.services import MAX_TOKEN_DAYS, api_token_create, api_token_revoke
from gridwork.audit.models import AuditEvent
from gridwork.places.tests.factories import CityTree

LIST = "/staff/api/"
NEW = "/staff/api/new/"
ME = "/api/v1/me/"
KEY = re.compile(r"gw_[0-9a-f]{8}_[A-Za-z0-9_-]{20,}")


@dataclass
class People:
    admin: User
    city: User
    street: User
    grid: User
    auditor: User
    hotline: User  # the 12345 hotline's system account, a dispatch-centre post at the city


@pytest.fixture
def people(tree: CityTree) -> People:
    return People(
        admin=make_staff(role=Role.SYSTEM_ADMIN, place=tree.city, username="sysadmin"),
        city=make_staff(role=Role.CITY_STAFF, place=tree.city, username="city"),
        street=make_staff(role=Role.STREET_STAFF, place=tree.street, username="street"),
        grid=make_staff(role=Role.GRID_WORKER, place=tree.grid, username="gridworker"),
        auditor=make_staff(role=Role.AUDIT_ADMIN, place=tree.city, username="auditor"),
        hotline=make_staff(
            role=Role.DISPATCH_CENTRE,
            place=tree.city,
            department=tree.dispatch_centre,
            username="hotline12345",
            full_name="12345 热线",
        ),
    )


@pytest.fixture
def admin_client(people: People) -> Client:
    """The system administrator, reading the pages in English (they answer in zh-Hans by default)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(people.admin)
    return client


def revoke_url(token: ApiToken) -> str:
    return reverse("staff_api:token-revoke", args=[token.pk])


def api_me(key: str) -> int:
    """The status of /api/v1/me/ asked with this key, from a client with no session."""
    return Client().get(ME, HTTP_AUTHORIZATION=f"Token {key}").status_code


def unit_name(user: User) -> str:
    post = user.active_posts[0]
    return post.department.name if post.department else post.place.name


def listed(client: Client, **params: str) -> list[str]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return [token.name for token in response.context["page_obj"]]


def test_the_urls_are_where_the_brief_says() -> None:
    assert reverse("staff_api:token-list") == LIST
    assert reverse("staff_api:token-create") == NEW
    assert reverse("staff_api:token-revoke", args=[7]) == "/staff/api/7/revoke/"


# --- who may open the pages ------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_sign_in(client: Client, people: People) -> None:
    token = api_token_create(actor=people.admin, user=people.hotline, name="12345").token
    for url in (LIST, NEW, revoke_url(token)):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url
    assert client.post(revoke_url(token)).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is None


def test_other_staff_and_residents_are_refused(client: Client, people: People) -> None:
    token = api_token_create(actor=people.admin, user=people.hotline, name="12345").token
    resident = make_resident_user(phone="13700000009")
    for user in (people.city, people.street, people.grid, people.auditor, people.hotline, resident):
        client.force_login(user)
        assert client.get(LIST).status_code == 403, user.username
        assert client.get(NEW).status_code == 403, user.username
        assert client.post(NEW, {"name": "x", "username": "city"}).status_code == 403, user.username
        assert client.get(revoke_url(token)).status_code == 403, user.username
        assert client.post(revoke_url(token)).status_code == 403, user.username
    assert ApiToken.objects.count() == 1
    token.refresh_from_db()
    assert token.revoked_at is None


def test_only_the_system_administrator_gets_the_sidebar_link(client: Client, people: People) -> None:
    client.force_login(people.admin)
    assert 'data-testid="nav-api-tokens"' in client.get(reverse("staff-home")).content.decode()
    client.force_login(people.city)
    assert 'data-testid="nav-api-tokens"' not in client.get(reverse("staff-home")).content.decode()


# --- the list --------------------------------------------------------------------------------------------


def test_the_list_shows_each_token_without_its_key(admin_client: Client, people: People) -> None:
    issued = api_token_create(actor=people.admin, user=people.hotline, name="12345 hotline", days=30)

    response = admin_client.get(LIST)

    html = response.content.decode()
    assert response.status_code == 200
    assert "12345 hotline" in html
    assert f"gw_{issued.token.prefix}_…" in html
    assert "hotline12345" in html
    assert unit_name(people.hotline) in html  # the role and unit it acts in
    assert str(Role.DISPATCH_CENTRE.label) in html
    assert issued.key not in html
    assert f'href="{reverse("api:docs")}"' in html
    assert f'href="{revoke_url(issued.token)}"' in html


def test_the_list_filters_by_status(admin_client: Client, people: People) -> None:
    api_token_create(actor=people.admin, user=people.hotline, name="active")
    revoked = api_token_create(actor=people.admin, user=people.hotline, name="revoked").token
    api_token_revoke(actor=people.admin, token=revoked)
    expired = api_token_create(actor=people.admin, user=people.hotline, name="expired", days=1).token
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert set(listed(admin_client)) == {"active", "revoked", "expired"}
    assert listed(admin_client, status="active") == ["active"]
    assert listed(admin_client, status="revoked") == ["revoked"]
    assert listed(admin_client, status="expired") == ["expired"]
    assert set(listed(admin_client, status="nonsense")) == {"active", "revoked", "expired"}


def test_the_list_searches_name_prefix_and_username(admin_client: Client, people: People) -> None:
    hotline = api_token_create(actor=people.admin, user=people.hotline, name="12345 hotline").token
    api_token_create(actor=people.admin, user=people.city, name="Open data portal")

    assert listed(admin_client, q="portal") == ["Open data portal"]
    assert listed(admin_client, q=hotline.prefix[:6]) == ["12345 hotline"]
    assert listed(admin_client, q=f"gw_{hotline.prefix}") == ["12345 hotline"]
    assert listed(admin_client, q="hotline1234") == ["12345 hotline"]
    assert listed(admin_client, q="nothing-like-this") == []


def test_the_list_is_paginated(admin_client: Client, people: People) -> None:
    for number in range(52):
        api_token_create(actor=people.admin, user=people.hotline, name=f"system {number:02d}")

    first = admin_client.get(LIST, {"status": "active"})
    second = admin_client.get(LIST, {"status": "active", "page": 2})

    assert len(first.context["page_obj"]) == 50
    assert len(second.context["page_obj"]) == 2
    assert "status=active&amp;page=2" in first.content.decode()


# --- a new token -----------------------------------------------------------------------------------------


def test_a_new_token_is_shown_once_and_works(admin_client: Client, people: People) -> None:
    assert admin_client.get(NEW).status_code == 200

    response = admin_client.post(NEW, {"name": "12345 hotline", "username": "hotline12345", "days": ""})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    match = KEY.search(html)
    assert match is not None
    key = match.group(0)
    assert f'curl -H "Authorization: Token {key}" http://testserver{ME}' in html
    assert "not shown again" in html
    token = ApiToken.objects.get()
    assert (token.name, token.user, token.created_by, token.expires_at) == (
        "12345 hotline",
        people.hotline,
        people.admin,
        None,
    )
    assert key.startswith(f"gw_{token.prefix}_")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert not any(key in str(value) or key.split("_", 2)[2] in str(value) for value in stored.values())

    answer = Client().get(ME, HTTP_AUTHORIZATION=f"Token {key}")
    assert answer.status_code == 200
    assert answer.json()["username"] == "hotline12345"

    assert key not in admin_client.get(LIST).content.decode()


def test_a_new_token_may_expire(admin_client: Client, people: People) -> None:
    before = timezone.now()

    admin_client.post(NEW, {"name": "Pilot", "username": "city", "days": "30"})

    token = ApiToken.objects.get()
    assert token.expires_at is not None
    assert before + timedelta(days=30) <= token.expires_at <= timezone.now() + timedelta(days=30)


def test_creating_a_token_is_audited_without_the_key(admin_client: Client, people: People) -> None:
    response = admin_client.post(NEW, {"name": "12345 hotline", "username": "hotline12345"})
    match = KEY.search(response.content.decode())
    assert match is not None

    event = AuditEvent.objects.get(action="api.token.create")
    token = ApiToken.objects.get()
    assert event.actor == people.admin
    assert event.object_id == str(token.pk)
    assert event.detail["user"] == "hotline12345"
    assert event.detail["prefix"] == token.prefix
    assert match.group(0) not in str(event.detail)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "username": "hotline12345"}, "name"),
        ({"name": "   ", "username": "hotline12345"}, "name"),
        ({"name": "x" * 101, "username": "hotline12345"}, "name"),
        ({"name": "12345", "username": ""}, "username"),
        ({"name": "12345", "username": "nobody"}, "username"),
        ({"name": "12345", "username": "r13700000009"}, "username"),  # a resident
        ({"name": "12345", "username": "retired"}, "username"),  # a deactivated account
        ({"name": "12345", "username": "auditor"}, "username"),  # never lent to another system
        ({"name": "12345", "username": "hotline12345", "days": "0"}, "days"),
        ({"name": "12345", "username": "hotline12345", "days": str(MAX_TOKEN_DAYS + 1)}, "days"),
        ({"name": "12345", "username": "hotline12345", "days": "soon"}, "days"),
    ],
)
def test_a_bad_form_shows_the_field_error_and_creates_nothing(
    admin_client: Client, people: People, tree: CityTree, data: dict[str, str], field: str
) -> None:
    make_resident_user(phone="13700000009")
    retired = make_staff(role=Role.CITY_STAFF, place=tree.city, username="retired")
    retired.is_active = False
    retired.save(update_fields=["is_active"])

    response = admin_client.post(NEW, data)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert "no-store" not in response.get("Cache-Control", "")
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action="api.token.create").exists()


def test_the_services_refusal_is_shown_on_the_form(
    admin_client: Client, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**kwargs: object) -> None:
        raise ValidationError({"user": ["Not this account."], "days": ["Not so long."]})

    monkeypatch.setattr("gridwork.api.staff_views.api_token_create", refuse)

    response = admin_client.post(NEW, {"name": "12345", "username": "hotline12345", "days": "30"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"username": ["Not this account."], "days": ["Not so long."]}
    assert KEY.search(response.content.decode()) is None


# --- revoking --------------------------------------------------------------------------------------------


def test_revoking_asks_first_then_the_token_stops_working(admin_client: Client, people: People) -> None:
    issued = api_token_create(actor=people.admin, user=people.hotline, name="12345 hotline")
    assert api_me(issued.key) == 200

    confirm = admin_client.get(revoke_url(issued.token))

    assert confirm.status_code == 200
    assert 'data-testid="confirm-revoke"' in confirm.content.decode()
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None
    assert api_me(issued.key) == 200

    response = admin_client.post(revoke_url(issued.token), follow=True)

    assert response.redirect_chain == [(LIST, 302)]
    assert "has been revoked" in response.content.decode()
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None
    assert api_me(issued.key) == 401
    event = AuditEvent.objects.get(action="api.token.revoke")
    assert (event.actor, event.object_id) == (people.admin, str(issued.token.pk))


def test_revoking_twice_changes_and_audits_nothing_more(admin_client: Client, people: People) -> None:
    token = api_token_create(actor=people.admin, user=people.hotline, name="12345").token
    admin_client.post(revoke_url(token))
    token.refresh_from_db()
    revoked_at = token.revoked_at

    page = admin_client.get(revoke_url(token))
    admin_client.post(revoke_url(token))

    assert 'data-testid="confirm-revoke"' not in page.content.decode()
    token.refresh_from_db()
    assert token.revoked_at == revoked_at
    assert AuditEvent.objects.filter(action="api.token.revoke").count() == 1


def test_an_unknown_token_is_not_found(admin_client: Client) -> None:
    assert admin_client.get(reverse("staff_api:token-revoke", args=[999])).status_code == 404
    assert admin_client.post(reverse("staff_api:token-revoke", args=[999])).status_code == 404


@pytest.mark.django_db
def test_the_service_never_lends_the_audit_administrators_account(people: People) -> None:
    """The command line goes through the same service as the page: the auditor's account is refused there too."""
    with pytest.raises(ValidationError) as refused:
        api_token_create(actor=None, user=people.auditor, name="export")
    assert "user" in refused.value.message_dict
    assert not ApiToken.objects.filter(user=people.auditor).exists()
