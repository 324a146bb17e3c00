"""Signing in to the API: tokens of other systems (Token or Bearer), the browser's session with CSRF, and refusals."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from gridwork.api.models import ApiToken
from gridwork.api.services import api_token_create, api_token_revoke
from gridwork.common.keys import key_digest
from gridwork.matters.models import Matter
from gridwork.matters.tests.factories import TEXT, LoopStaff
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def _client(authorization: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=authorization)
    return client


def _assert_refused(response: object, code: str) -> None:
    assert response.status_code == 401  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/json"  # type: ignore[index]
    assert response["WWW-Authenticate"] == "Token"  # type: ignore[index]
    body = response.json()  # type: ignore[attr-defined]
    assert body["code"] == code
    assert body["message"]
    assert body["errors"] == {}


def test_the_command_prints_a_working_token_on_its_last_line_and_lists_it_without_the_key(staff: LoopStaff) -> None:
    out = io.StringIO()
    call_command("api_token", "create", "--user", "operator", "--name", "12345 hotline", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    response = _client(f"Token {key}").get(ME)
    assert response.status_code == 200
    assert response.json()["username"] == "operator"
    assert [post["role"] for post in response.json()["posts"]] == ["dispatch_centre"]

    listing = io.StringIO()
    call_command("api_token", "list", stdout=listing)
    token = ApiToken.objects.get()
    assert f"{token.prefix}\tactive\toperator\t12345 hotline" in listing.getvalue()
    assert key not in listing.getvalue()

    call_command("api_token", "revoke", "--prefix", token.prefix, stdout=io.StringIO())
    _assert_refused(_client(f"Token {key}").get(ME), "authentication_failed")


@pytest.mark.parametrize("scheme", ["Token", "Bearer", "bearer", "token"])
def test_token_and_bearer_schemes_both_sign_in(staff: LoopStaff, scheme: str) -> None:
    key = api_token_create(actor=None, user=staff.dispatcher, name="system").key
    response = _client(f"{scheme} {key}").get(ME)
    assert response.status_code == 200
    assert response.json()["username"] == "dispatcher"


@pytest.mark.parametrize(
    "authorization",
    [
        "Token gw_deadbeef_not-a-key-that-was-ever-issued",
        "Token not-even-shaped-like-a-key",
        "Token",
        "Token two parts",
        "Bearer \xff\xfe",  # not UTF-8 once the header is read as bytes
        "Token gw_\x00bcdefg_a-nul-in-the-prefix",  # PostgreSQL refuses NUL in a query: never looked up
    ],
)
def test_a_wrong_or_garbled_token_is_401_json_with_www_authenticate(staff: LoopStaff, authorization: str) -> None:
    api_token_create(actor=None, user=staff.dispatcher, name="system")
    _assert_refused(_client(authorization).get(ME), "authentication_failed")


def test_a_right_prefix_with_a_wrong_secret_is_refused(staff: LoopStaff) -> None:
    issued = api_token_create(actor=None, user=staff.dispatcher, name="system")
    forged = f"gw_{issued.token.prefix}_{'x' * 43}"
    _assert_refused(_client(f"Token {forged}").get(ME), "authentication_failed")


def test_a_revoked_token_is_refused(staff: LoopStaff) -> None:
    issued = api_token_create(actor=None, user=staff.dispatcher, name="system")
    assert _client(f"Token {issued.key}").get(ME).status_code == 200
    api_token_revoke(actor=None, token=issued.token)
    _assert_refused(_client(f"Token {issued.key}").get(ME), "authentication_failed")


def test_an_expired_token_is_refused(staff: LoopStaff) -> None:
    issued = api_token_create(actor=None, user=staff.dispatcher, name="system", days=30)
    assert _client(f"Token {issued.key}").get(ME).status_code == 200
    ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    _assert_refused(_client(f"Token {issued.key}").get(ME), "authentication_failed")


def test_the_token_of_a_switched_off_account_is_refused(staff: LoopStaff) -> None:
    issued = api_token_create(actor=None, user=staff.dispatcher, name="system")
    staff.dispatcher.is_active = False
    staff.dispatcher.save(update_fields=["is_active"])
    _assert_refused(_client(f"Token {issued.key}").get(ME), "authentication_failed")


@pytest.mark.parametrize("authorization", [None, "Basic ZGlzcGF0Y2hlcjpwYXNz"])
def test_anonymous_is_401_not_authenticated(staff: LoopStaff, authorization: str | None) -> None:
    client = APIClient() if authorization is None else _client(authorization)
    _assert_refused(client.get(ME), "not_authenticated")
    _assert_refused(client.get("/api/v1/matters/"), "not_authenticated")
    assert client.post("/api/v1/matters/", {"text": TEXT}, format="json").status_code == 401


def test_the_browser_session_signs_in_and_a_post_needs_the_csrf_token(tree: CityTree, staff: LoopStaff) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(staff.dispatcher)
    assert client.get(ME).json()["username"] == "dispatcher"
    body = {"text": TEXT, "building": tree.microgrid.code}

    refused = client.post("/api/v1/matters/", body, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert "CSRF" in refused.json()["message"]
    assert Matter.objects.count() == 0

    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    filed = client.post("/api/v1/matters/", body, format="json", HTTP_X_CSRFTOKEN=secret)
    assert filed.status_code == 201
    assert Matter.objects.count() == 1


def test_a_token_needs_no_csrf_token(tree: CityTree, staff: LoopStaff) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(actor=None, user=staff.dispatcher, name='s').key}")
    response = client.post("/api/v1/matters/", {"text": TEXT, "building": tree.microgrid.code}, format="json")
    assert response.status_code == 201


def test_only_a_keyed_hash_of_the_token_is_stored(staff: LoopStaff) -> None:
    issued = api_token_create(actor=None, user=staff.dispatcher, name="system")
    secret = issued.key.split("_", 2)[2]
    row = ApiToken.objects.filter(pk=issued.token.pk).values().get()
    assert row["digest"] == key_digest(issued.key)
    stored = " ".join(str(value) for value in row.values())
    assert issued.key not in stored
    assert secret not in stored
    assert issued.key.startswith(f"gw_{row['prefix']}_")


def test_last_used_is_written_on_use_and_at_most_once_a_minute(staff: LoopStaff) -> None:
    issued = api_token_create(actor=None, user=staff.dispatcher, name="system")
    assert issued.token.last_used_at is None
    client = _client(f"Token {issued.key}")
    client.get(ME)
    first = ApiToken.objects.get(pk=issued.token.pk).last_used_at
    assert first is not None
    client.get(ME)
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at == first

    an_hour_ago = timezone.now() - timedelta(hours=1)
    ApiToken.objects.filter(pk=issued.token.pk).update(last_used_at=an_hour_ago)
    client.get(ME)
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at > an_hour_ago
