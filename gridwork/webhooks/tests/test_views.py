"""The staff pages of the webhooks as the system administrator, and refused to everyone else."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_resident_user, make_staff
from gridwork.audit.models import AuditEvent
from gridwork.places.tests.factories import CityTree
from gridwork.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from gridwork.webhooks.tests.factories import ALL_EVENTS, file_hotline_matter, make_admin, make_endpoint

pytestmark = pytest.mark.django_db

URL = "https://12345.example.gov.cn/hook"


@pytest.fixture
def admin(tree: CityTree) -> User:
    return make_admin(tree)


@pytest.fixture
def endpoint(tree: CityTree, admin: User) -> WebhookEndpoint:
    return make_endpoint(admin, url=URL, place=tree.city)


@pytest.fixture
def delivery(tree: CityTree, endpoint: WebhookEndpoint) -> WebhookDelivery:
    matter = file_hotline_matter(tree)
    return WebhookDelivery.objects.get(endpoint=endpoint, matter=matter)


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _all_urls(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> list[tuple[str, str]]:
    return [
        ("get", reverse("webhooks:endpoint-list")),
        ("get", reverse("webhooks:endpoint-create")),
        ("post", reverse("webhooks:endpoint-create")),
        ("get", reverse("webhooks:endpoint-edit", args=[endpoint.pk])),
        ("post", reverse("webhooks:endpoint-edit", args=[endpoint.pk])),
        ("post", reverse("webhooks:endpoint-deactivate", args=[endpoint.pk])),
        ("post", reverse("webhooks:endpoint-rotate", args=[endpoint.pk])),
        ("get", reverse("webhooks:delivery-list")),
        ("get", reverse("webhooks:delivery-detail", args=[delivery.public_id])),
        ("post", reverse("webhooks:delivery-redeliver", args=[delivery.public_id])),
    ]


@pytest.mark.parametrize(
    "role", [Role.STREET_STAFF, Role.DISTRICT_STAFF, Role.CITY_STAFF, Role.DISPATCH_CENTRE, Role.AUDIT_ADMIN]
)
def test_other_staff_are_refused_everywhere(
    tree: CityTree, endpoint: WebhookEndpoint, delivery: WebhookDelivery, role: str
) -> None:
    place = {Role.STREET_STAFF: tree.street, Role.DISTRICT_STAFF: tree.district}.get(role, tree.city)
    department = tree.dispatch_centre if role == Role.DISPATCH_CENTRE else None
    client = client_for(make_staff(role=role, place=place, department=department, username=f"u-{role}"))
    for method, url in _all_urls(endpoint, delivery):
        assert getattr(client, method)(url).status_code == 403, (role, method, url)
    endpoint.refresh_from_db()
    assert endpoint.is_active
    assert not AuditEvent.objects.filter(action__startswith="webhooks.").exclude(action="webhooks.endpoint.create")


def test_anonymous_users_sign_in_and_residents_are_refused(
    endpoint: WebhookEndpoint, delivery: WebhookDelivery
) -> None:
    resident = client_for(make_resident_user(phone="13900000001"))
    for method, url in _all_urls(endpoint, delivery):
        anonymous = getattr(Client(), method)(url)
        assert anonymous.status_code == 302
        assert reverse("accounts:login") in anonymous["Location"]
        assert getattr(resident, method)(url).status_code == 403


def test_the_endpoint_list(admin: User, endpoint: WebhookEndpoint) -> None:
    page = client_for(admin).get(reverse("webhooks:endpoint-list"))
    assert page.status_code == 200
    content = page.content.decode()
    assert reverse("webhooks:endpoint-edit", args=[endpoint.pk]) in content
    assert URL in content
    assert endpoint.secret not in content


def test_creating_an_endpoint_shows_its_secret_once_and_audits_it(tree: CityTree, admin: User) -> None:
    client = client_for(admin)
    assert client.get(reverse("webhooks:endpoint-create")).status_code == 200
    response = client.post(
        reverse("webhooks:endpoint-create"),
        {
            "name": "12345 热线",
            "url": URL,
            "events": ["matter.created", "matter.closed"],
            "area": tree.city.pk,
            "channel": "hotline",
        },
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("webhooks:endpoint-edit", args=[endpoint.pk])
    assert (endpoint.events, endpoint.channel, endpoint.place, endpoint.created_by) == (
        ["matter.created", "matter.closed"],
        "hotline",
        tree.city,
        admin,
    )
    first = client.get(response["Location"]).content.decode()
    assert 'data-testid="new-secret"' in first
    assert endpoint.secret in first
    again = client.get(response["Location"]).content.decode()
    assert endpoint.secret not in again  # shown once
    audit = AuditEvent.objects.get(action="webhooks.endpoint.create")
    assert audit.actor == admin
    assert endpoint.secret not in str(audit.detail)


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"name": "", "url": "ftp://example.com/x", "area": ""}, {"name", "url", "events", "area"}),
        ({"name": "x", "url": "not a url", "events": ["matter.created"]}, {"url", "area"}),
        ({"name": "x", "url": URL, "events": ["matter.opened"]}, {"events", "area"}),
        ({"name": "x", "url": "javascript:alert(1)", "events": ["matter.created"]}, {"url", "area"}),
    ],
)
def test_a_bad_endpoint_form_shows_field_errors_and_saves_nothing(
    tree: CityTree, admin: User, data: dict[str, Any], fields: set[str]
) -> None:
    response = client_for(admin).post(reverse("webhooks:endpoint-create"), data)
    assert response.status_code == 400
    content = response.content.decode()
    assert 'data-testid="form-errors"' in content
    assert set(re.findall(r'data-testid="error-([a-z_]+)"', content)) == fields
    assert not WebhookEndpoint.objects.exists()


def test_no_events_says_choose_at_least_one(tree: CityTree, admin: User) -> None:
    response = client_for(admin).post(
        reverse("webhooks:endpoint-create"), {"name": "x", "url": URL, "area": tree.city.pk}
    )
    assert response.status_code == 400
    assert "Choose at least one event." in response.content.decode()


def test_editing_an_endpoint(tree: CityTree, admin: User, endpoint: WebhookEndpoint) -> None:
    client = client_for(admin)
    url = reverse("webhooks:endpoint-edit", args=[endpoint.pk])
    page = client.get(url).content.decode()
    assert endpoint.secret not in page  # only right after creation or rotation
    response = client.post(
        url, {"name": "热线 2", "url": "http://10.0.0.5/in", "events": ["matter.replied"], "area": tree.district.pk}
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.name, endpoint.url, endpoint.events, endpoint.place, endpoint.is_active) == (
        "热线 2",
        "http://10.0.0.5/in",
        ["matter.replied"],
        tree.district,
        False,  # the box was not ticked
    )
    audit = AuditEvent.objects.get(action="webhooks.endpoint.update")
    assert audit.detail["before"]["url"] == URL
    assert audit.detail["after"]["url"] == "http://10.0.0.5/in"

    bad = client.post(url, {"name": "x", "url": URL, "events": [], "area": tree.city.pk, "is_active": "on"})
    assert bad.status_code == 400
    assert 'data-testid="error-events"' in bad.content.decode()


def test_deactivating_and_rotating(admin: User, endpoint: WebhookEndpoint) -> None:
    client = client_for(admin)
    edit = reverse("webhooks:endpoint-edit", args=[endpoint.pk])
    old_secret = endpoint.secret

    assert client.get(reverse("webhooks:endpoint-rotate", args=[endpoint.pk])).status_code == 405
    rotated = client.post(reverse("webhooks:endpoint-rotate", args=[endpoint.pk]))
    assert rotated.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret
    shown = client.get(edit).content.decode()
    assert endpoint.secret in shown
    assert old_secret not in shown
    assert endpoint.secret not in client.get(edit).content.decode()

    assert client.post(reverse("webhooks:endpoint-deactivate", args=[endpoint.pk])).status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert list(
        AuditEvent.objects.filter(action__startswith="webhooks.endpoint.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["webhooks.endpoint.create", "webhooks.endpoint.rotate_secret", "webhooks.endpoint.deactivate"]


def test_the_delivery_log_filters_by_status_and_endpoint(
    tree: CityTree, admin: User, endpoint: WebhookEndpoint, delivery: WebhookDelivery
) -> None:
    other = make_endpoint(admin, url=URL + "/2", place=tree.city, name="other")
    second = file_hotline_matter(tree, external_ref="B-2")
    failed = WebhookDelivery.objects.get(endpoint=other)
    also = WebhookDelivery.objects.get(endpoint=endpoint, matter=second)
    WebhookDelivery.objects.filter(pk=failed.pk).update(status=DeliveryStatus.FAILED, next_attempt_at=None)
    client = client_for(admin)

    def listed(query: str) -> set[str]:
        page = client.get(reverse("webhooks:delivery-list") + query)
        assert page.status_code == 200
        return set(re.findall(r'data-testid="delivery-row" data-id="([0-9a-f-]+)"', page.content.decode()))

    everything = {str(delivery.public_id), str(also.public_id), str(failed.public_id)}
    assert listed("") == everything
    assert listed("?status=failed") == {str(failed.public_id)}
    assert listed("?status=pending") == {str(delivery.public_id), str(also.public_id)}
    assert listed(f"?endpoint={other.pk}") == {str(failed.public_id)}
    assert listed(f"?endpoint={endpoint.pk}&status=pending") == {str(delivery.public_id), str(also.public_id)}
    assert listed("?event=matter.closed") == set()
    assert listed("?status=bogus&endpoint=abc") == everything  # unknown values are ignored, never a 500


def test_the_delivery_log_is_paginated(tree: CityTree, admin: User, endpoint: WebhookEndpoint) -> None:
    for n in range(51):
        file_hotline_matter(tree, external_ref=f"P-{n}")
    client = client_for(admin)
    first = client.get(reverse("webhooks:delivery-list")).content.decode()
    second = client.get(reverse("webhooks:delivery-list") + "?page=2").content.decode()
    assert first.count('data-testid="delivery-row"') == 50
    assert second.count('data-testid="delivery-row"') == 1


def test_a_delivery_page_shows_its_attempts_and_redelivers(admin: User, delivery: WebhookDelivery) -> None:
    now = timezone.now()
    WebhookAttempt.objects.create(delivery=delivery, number=1, at=now, url=URL, status_code=500, duration_ms=12)
    WebhookAttempt.objects.create(delivery=delivery, number=2, at=now, url=URL, error="timed out", duration_ms=10000)
    client = client_for(admin)
    detail = reverse("webhooks:delivery-detail", args=[delivery.public_id])
    redeliver = reverse("webhooks:delivery-redeliver", args=[delivery.public_id])

    page = client.get(detail).content.decode()
    assert page.count('data-testid="attempt-row"') == 2
    assert "timed out" in page
    assert 'data-testid="redeliver"' not in page  # pending: no button …
    client.post(redeliver)  # … and a forged POST changes nothing
    assert not AuditEvent.objects.filter(action="webhooks.delivery.redeliver").exists()

    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, next_attempt_at=None)
    assert 'data-testid="redeliver"' in client.get(detail).content.decode()
    assert client.get(redeliver).status_code == 405
    response = client.post(redeliver)
    assert response.status_code == 302
    assert response["Location"] == detail
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.next_attempt_at is not None
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == 2
    assert AuditEvent.objects.filter(action="webhooks.delivery.redeliver", actor=admin).count() == 1


def test_unknown_objects_are_not_found(admin: User) -> None:
    client = client_for(admin)
    assert client.get(reverse("webhooks:endpoint-edit", args=[999])).status_code == 404
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(reverse("webhooks:delivery-detail", args=[missing])).status_code == 404


def test_every_event_is_offered_in_the_form(admin: User) -> None:
    page = client_for(admin).get(reverse("webhooks:endpoint-create")).content.decode()
    for event in ALL_EVENTS:
        assert f'value="{event}"' in page
