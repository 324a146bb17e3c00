"""Sending, against a real HTTP receiver on loopback that checks every signature itself: a 500 is retried after the
back-off, every event arrives and is accepted exactly once with the same body on every attempt, a claimed delivery
is never sent twice, and a failed one can be sent again. Time is driven with ``now=``, never slept."""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from gridwork.accounts.models import User
from gridwork.audit.models import AuditEvent
from gridwork.matters.models import Matter
from gridwork.matters.tests.factories import LoopStaff, make_loop_staff
from gridwork.places.tests.factories import CityTree
from gridwork.webhooks import services, transport
from gridwork.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from gridwork.webhooks.services import (
    BACKOFF,
    LEASE,
    deliveries_send_due,
    delivery_attempt,
    delivery_redeliver,
    endpoint_create,
    endpoint_rotate_secret,
    endpoint_update,
)
from gridwork.webhooks.signing import verify
from gridwork.webhooks.tests.factories import (
    ALL_EVENTS,
    Receiver,
    file_hotline_matter,
    loopback_receiver,
    make_admin,
    make_endpoint,
    through_the_loop,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(tree: CityTree) -> User:
    return make_admin(tree)


@pytest.fixture
def staff(tree: CityTree) -> LoopStaff:
    return make_loop_staff(tree)


def _send_new(deliveries_before: set[int], now: datetime | None = None) -> None:
    """What the task enqueued after each commit does: the first attempt of each new delivery."""
    for delivery in WebhookDelivery.objects.exclude(pk__in=deliveries_before).order_by("id"):
        delivery_attempt(delivery_id=delivery.pk, now=now)


def _ids() -> set[int]:
    return set(WebhookDelivery.objects.values_list("pk", flat=True))


def _one_delivery(endpoint: WebhookEndpoint, matter: Matter) -> WebhookDelivery:
    return WebhookDelivery.objects.get(endpoint=endpoint, matter=matter)


def test_a_whole_loop_arrives_signed_each_event_once_after_a_500_and_a_retry(
    tree: CityTree, admin: User, staff: LoopStaff, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with loopback_receiver(answers=[500]) as receiver:
        endpoint = make_endpoint(admin, url=receiver.url, place=tree.city, receiver=receiver)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            matter = file_hotline_matter(tree)
        assert len(callbacks) == 1  # the task that sends it, after the commit
        started = timezone.now()
        _send_new(set(), now=started)  # the receiver answers 500

        created = _one_delivery(endpoint, matter)
        assert (created.status, created.attempts, created.failures, created.last_status_code) == ("pending", 1, 1, 500)
        assert created.next_attempt_at == started + BACKOFF[0]

        before = _ids()
        through_the_loop(tree, staff, matter)
        _send_new(before)  # dispatched, replied, closed: answered 200 at once

        assert deliveries_send_due(now=started + BACKOFF[0] - timedelta(seconds=1)).attempted == 0  # not yet
        report = deliveries_send_due(now=started + BACKOFF[0])
        assert (report.attempted, report.delivered) == (1, 1)
        assert deliveries_send_due(now=started + timedelta(days=2)).attempted == 0  # nothing left

    # Every request carried a valid signature of the endpoint's secret, checked by the receiver on its own …
    assert len(receiver.requests) == 5
    assert all(request.signature_valid for request in receiver.requests)
    assert all(verify(receiver.secret, r.body, r.headers["X-Gridwork-Signature"]) for r in receiver.requests)
    assert [r.headers["X-Gridwork-Event"] for r in receiver.requests] == [*ALL_EVENTS, "matter.created"]
    assert [r.status for r in receiver.requests] == [500, 200, 200, 200, 200]
    # … every event was accepted exactly once (no loss, no duplicate) …
    deliveries = list(WebhookDelivery.objects.filter(endpoint=endpoint).order_by("id"))
    assert [d.event_type for d in deliveries] == ALL_EVENTS
    accepted = receiver.accepted()
    assert sorted(accepted) == sorted(str(d.public_id) for d in deliveries)
    assert all(len(requests) == 1 for requests in accepted.values())
    assert all(d.status == DeliveryStatus.DELIVERED and d.delivered_at is not None for d in deliveries)
    # … and the retry sent the very same body as the first attempt.
    first, retry = receiver.by_delivery()[str(created.public_id)]
    assert first.body == retry.body == created.body.encode()
    assert first.headers["Content-Type"] == "application/json"
    assert first.headers["User-Agent"] == "Gridwork-Webhooks/1"
    log = list(WebhookAttempt.objects.filter(delivery=created).order_by("number"))
    assert [(a.number, a.status_code) for a in log] == [(1, 500), (2, 200)]
    assert log[0].response_excerpt == '{"error":"try later"}'


def test_the_back_off_schedule_then_failed_then_a_redelivery(tree: CityTree, admin: User) -> None:
    with loopback_receiver(answers=[500] * (len(BACKOFF) + 1)) as receiver:
        endpoint = make_endpoint(admin, url=receiver.url, place=tree.city, receiver=receiver, events=["matter.created"])
        matter = file_hotline_matter(tree)
        delivery = _one_delivery(endpoint, matter)
        moment = timezone.now()
        assert delivery_attempt(delivery_id=delivery.pk, now=moment) is not None
        for wait in BACKOFF:
            delivery.refresh_from_db()
            assert delivery.next_attempt_at == moment + wait
            assert deliveries_send_due(now=moment + wait - timedelta(seconds=1)).attempted == 0
            moment += wait
            report = deliveries_send_due(now=moment)
            assert report.attempted == 1
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", len(BACKOFF) + 1, None)
        assert report.given_up == 1
        assert deliveries_send_due(now=moment + timedelta(days=30)).attempted == 0  # kept, not retried any more

        assert delivery_redeliver(actor=admin, delivery=delivery) is True
        assert (delivery.status, delivery.failures) == ("pending", 0)
        outcome = delivery_attempt(delivery_id=delivery.pk)
        assert outcome is not None
        assert outcome.status == DeliveryStatus.DELIVERED

    assert len(receiver.requests) == len(BACKOFF) + 2
    assert len({request.body for request in receiver.requests}) == 1
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == len(BACKOFF) + 2  # the log is kept
    assert AuditEvent.objects.filter(action="webhooks.delivery.redeliver", object_id=str(delivery.pk)).exists()
    assert delivery_redeliver(actor=admin, delivery=delivery) is True  # a delivered one may be sent again too
    delivery.refresh_from_db()
    assert delivery_redeliver(actor=admin, delivery=delivery) is False  # but not while pending


def test_a_claimed_delivery_is_not_sent_again_until_its_claim_lapses(
    tree: CityTree, admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While one sender waits for the receiver, the other sender (the task or the periodic retry) finds nothing to
    do; once the claim has lapsed it takes over, and the first sender's late answer is logged but changes nothing."""
    with loopback_receiver() as receiver:
        endpoint = make_endpoint(admin, url=receiver.url, place=tree.city, receiver=receiver, events=["matter.created"])
        delivery = _one_delivery(endpoint, file_hotline_matter(tree))
        moment = timezone.now()
        inside: list[Any] = []
        real_post = transport.post

        def slow_first_post(url: str, body: bytes, headers: dict[str, str], **kwargs: Any) -> transport.Answer:
            if not inside:
                inside.append(delivery_attempt(delivery_id=delivery.pk, now=moment))  # the task again
                inside.append(deliveries_send_due(now=moment + LEASE - timedelta(seconds=1)).attempted)
                inside.append(delivery_attempt(delivery_id=delivery.pk, now=moment + LEASE))  # the claim has lapsed
                return transport.Answer(status_code=None, error="timed out", excerpt="", duration_ms=10_000)
            return real_post(url, body, headers, **kwargs)

        monkeypatch.setattr(transport, "post", slow_first_post)
        late = delivery_attempt(delivery_id=delivery.pk, now=moment)

    assert inside[0] is None
    assert inside[1] == 0
    assert inside[2] is not None
    assert (inside[2].number, inside[2].status, inside[2].recorded) == (2, "delivered", True)
    assert late is not None
    assert (late.number, late.recorded) == (1, False)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.failures) == ("delivered", 2, 0)
    assert sorted(WebhookAttempt.objects.filter(delivery=delivery).values_list("number", "status_code")) == [
        (1, None),
        (2, 200),
    ]
    assert len(receiver.requests) == 1


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_receiver_is_retried_and_left_alone_for_the_rest_of_a_pass(tree: CityTree, admin: User) -> None:
    endpoint = make_endpoint(admin, url=f"http://127.0.0.1:{_closed_port()}/hook", place=tree.city)
    matters = [file_hotline_matter(tree, external_ref=f"R-{n}") for n in range(3)]
    report = deliveries_send_due()
    assert (report.attempted, report.skipped) == (1, 2)  # one refused connection is enough for this pass
    tried = WebhookDelivery.objects.get(endpoint=endpoint, matter=matters[0])
    assert (tried.status, tried.last_status_code, tried.failures) == ("pending", None, 1)
    assert tried.last_error
    attempt = WebhookAttempt.objects.get(delivery=tried)
    assert attempt.status_code is None
    assert attempt.error


def test_a_redirect_is_not_followed_and_counts_as_a_failure(tree: CityTree, admin: User) -> None:
    with loopback_receiver(answers=[302]) as receiver:
        endpoint = make_endpoint(admin, url=receiver.url, place=tree.city, receiver=receiver)
        delivery = _one_delivery(endpoint, file_hotline_matter(tree))
        outcome = delivery_attempt(delivery_id=delivery.pk)
    assert outcome is not None
    assert (outcome.status_code, outcome.status) == (302, "pending")
    assert len(receiver.requests) == 1  # nothing was sent to the Location


def test_an_inactive_endpoint_keeps_its_pending_deliveries_until_it_is_active_again(
    tree: CityTree, admin: User
) -> None:
    with loopback_receiver() as receiver:
        endpoint = make_endpoint(admin, url=receiver.url, place=tree.city, receiver=receiver)
        delivery = _one_delivery(endpoint, file_hotline_matter(tree))
        endpoint_update(
            actor=admin,
            endpoint=endpoint,
            name=endpoint.name,
            url=endpoint.url,
            events=endpoint.events,
            place=endpoint.place,
            channel="",
            is_active=False,
        )
        assert delivery_attempt(delivery_id=delivery.pk) is None
        assert deliveries_send_due().attempted == 0
        file_hotline_matter(tree, external_ref="later")  # nothing is written while inactive
        assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 1

        endpoint_update(
            actor=admin,
            endpoint=endpoint,
            name=endpoint.name,
            url=endpoint.url,
            events=endpoint.events,
            place=endpoint.place,
            channel="",
            is_active=True,
        )
        assert deliveries_send_due().delivered == 1
    assert len(receiver.requests) == 1


def test_after_a_rotation_the_receiver_with_the_old_secret_refuses_until_it_has_the_new_one(
    tree: CityTree, admin: User
) -> None:
    with loopback_receiver() as receiver:
        endpoint = make_endpoint(admin, url=receiver.url, place=tree.city, receiver=receiver)
        old_secret = receiver.secret
        new_secret = endpoint_rotate_secret(actor=admin, endpoint=endpoint)
        assert new_secret != old_secret
        delivery = _one_delivery(endpoint, file_hotline_matter(tree))
        moment = timezone.now()
        refused = delivery_attempt(delivery_id=delivery.pk, now=moment)
        assert refused is not None
        assert (refused.status_code, refused.status) == (401, "pending")
        receiver.secret = new_secret
        assert deliveries_send_due(now=moment + BACKOFF[0]).delivered == 1
    assert [r.signature_valid for r in receiver.requests] == [False, True]
    rotation = AuditEvent.objects.get(action="webhooks.endpoint.rotate_secret")
    assert new_secret not in str(rotation.detail)
    assert old_secret not in str(rotation.detail)


def test_endpoint_validation(tree: CityTree, admin: User, staff: LoopStaff) -> None:
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError) as error:
        endpoint_create(actor=admin, name=" ", url="ftp://example.com/x", events=[], place=tree.city)
    assert set(error.value.message_dict) == {"name", "url", "events"}
    with pytest.raises(ValidationError) as error:
        endpoint_create(actor=admin, name="x", url="https://example.com", events=["matter.opened"], place=tree.city)
    assert set(error.value.message_dict) == {"events"}
    with pytest.raises(PermissionDenied):  # street staff hold no integrations permission anywhere
        endpoint_create(
            actor=staff.dispatcher, name="x", url="https://example.com", events=ALL_EVENTS, place=tree.street
        )

    endpoint, secret = endpoint_create(
        actor=admin,
        name="热线",
        url="https://example.com/h",
        events=["matter.closed", "matter.created"],
        place=tree.city,
    )
    assert endpoint.events == ["matter.created", "matter.closed"]  # stored in the table's order
    assert secret == endpoint.secret
    assert len(secret) > 40
    created = AuditEvent.objects.get(action="webhooks.endpoint.create")
    assert secret not in str(created.detail)
    assert created.detail["after"]["url"] == "https://example.com/h"


def test_a_receiver_object_outside_the_flow_is_only_a_helper() -> None:
    """The receiver checks signatures on its own: a request signed with another secret is refused."""
    receiver = Receiver(url="http://127.0.0.1/", secret="right")
    from gridwork.webhooks.signing import signed_headers

    body = b"{}"
    good = signed_headers(
        secret="right", body=body, event_type="e", delivery_id="d", timestamp=int(timezone.now().timestamp())
    )
    bad = signed_headers(
        secret="wrong", body=body, event_type="e", delivery_id="d", timestamp=int(timezone.now().timestamp())
    )
    assert receiver.handle(good, body) == 200
    assert receiver.handle(bad, body) == 401


def test_the_claim_uses_the_attempt_count_as_its_token(tree: CityTree, admin: User) -> None:
    endpoint = make_endpoint(admin, url="https://example.invalid/hook", place=tree.city)
    delivery = _one_delivery(endpoint, file_hotline_matter(tree))
    moment = timezone.now()
    stale = WebhookDelivery.objects.get(pk=delivery.pk)
    assert services._claim(delivery, moment) is True
    assert services._claim(stale, moment + LEASE) is False  # same token: someone else already claimed it
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert delivery.next_attempt_at == moment + LEASE
