"""Writes of the outbound webhooks: managing endpoints (audited), and sending deliveries.

Sending one attempt (``delivery_attempt``):

1. *Claim* it with a compare-and-set, ``UPDATE … SET attempts = n + 1, next_attempt_at = now + LEASE WHERE id = …
   AND status = 'pending' AND next_attempt_at <= now AND attempts = n``. Only one sender wins; the immediate task
   and the periodic retry never send the same attempt twice at once. A sender that dies mid-way leaves the delivery
   pending, due again when the lease lapses.
2. *Send* it, outside any transaction, signed with the current timestamp.
3. *Record* the attempt in the log and the outcome on the delivery, only if the claim still holds (``attempts`` is
   the claim's token): delivered on 2xx; otherwise due again after the next step of ``BACKOFF``, or failed after
   the last one, kept for a manual redelivery.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.audit.services import audit_record
from gridwork.matters.models import Channel
from gridwork.places.models import Place
from gridwork.webhooks import transport
from gridwork.webhooks.events import WebhookEvent
from gridwork.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from gridwork.webhooks.selectors import delivery_ids_due
from gridwork.webhooks.signing import signed_headers

# Waits after the 1st, 2nd, … failed attempt; after the last one the delivery is failed (9 attempts, about 22 hours).
BACKOFF: tuple[timedelta, ...] = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
    timedelta(hours=12),
)
LEASE = timedelta(seconds=60)  # longer than the request's timeout: a claim outlives its attempt
SECRET_BYTES = 32
URL_SCHEMES = ("http", "https")


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(SECRET_BYTES)}"


# --- endpoints ------------------------------------------------------------------------------------------


def endpoint_snapshot(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """What the audit log keeps of an endpoint; never the secret."""
    return {
        "name": endpoint.name,
        "url": endpoint.url,
        "events": list(endpoint.events),
        "place": endpoint.place.code,
        "channel": endpoint.channel,
        "is_active": endpoint.is_active,
    }


def _validate(*, actor: Any, name: str, url: str, events: list[str], place: Place, channel: str) -> list[str]:
    """The events in canonical order, or a ValidationError naming each bad field."""
    if not Place.objects.restrict(actor, Perm.MANAGE_INTEGRATIONS).filter(pk=place.pk).exists():
        raise PermissionDenied(_("You may not manage webhooks for this area."))
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Give the endpoint a name.")
    try:
        URLValidator(schemes=list(URL_SCHEMES))(url)
    except ValidationError:
        errors["url"] = _("Enter an http or https URL.")
    else:
        if urlsplit(url).scheme not in URL_SCHEMES:
            errors["url"] = _("Enter an http or https URL.")
    unknown = set(events) - set(WebhookEvent.values)
    if not events:
        errors["events"] = _("Choose at least one event.")
    elif unknown:
        errors["events"] = _("Unknown event: %(events)s.") % {"events": ", ".join(sorted(unknown))}
    if channel and channel not in Channel.values:
        errors["channel"] = _("Unknown channel.")
    if errors:
        raise ValidationError(errors)
    return [value for value in WebhookEvent.values if value in events]


def endpoint_create(
    *,
    actor: Any,
    name: str,
    url: str,
    events: list[str],
    place: Place,
    channel: str = "",
    request: HttpRequest | None = None,
) -> tuple[WebhookEndpoint, str]:
    """A new active endpoint with a new secret, audited. Returns the endpoint and its secret, to show once."""
    ordered = _validate(actor=actor, name=name, url=url, events=events, place=place, channel=channel)
    secret = new_secret()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            name=name.strip(),
            url=url,
            secret=secret,
            events=ordered,
            place=place,
            channel=channel,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action="webhooks.endpoint.create",
            target=endpoint,
            detail={"before": None, "after": endpoint_snapshot(endpoint)},
            request=request,
        )
    return endpoint, secret


def endpoint_update(
    *,
    actor: Any,
    endpoint: WebhookEndpoint,
    name: str,
    url: str,
    events: list[str],
    place: Place,
    channel: str,
    is_active: bool,
    request: HttpRequest | None = None,
) -> WebhookEndpoint:
    """Change an endpoint, audited. Pending deliveries go to the new URL; deliveries already written keep their
    events, area and channel."""
    ordered = _validate(actor=actor, name=name, url=url, events=events, place=place, channel=channel)
    before = endpoint_snapshot(endpoint)
    endpoint.name = name.strip()
    endpoint.url = url
    endpoint.events = ordered
    endpoint.place = place
    endpoint.channel = channel
    endpoint.is_active = is_active
    with transaction.atomic():
        endpoint.save(update_fields=["name", "url", "events", "place", "channel", "is_active", "updated_at"])
        audit_record(
            actor=actor,
            action="webhooks.endpoint.update",
            target=endpoint,
            detail={"before": before, "after": endpoint_snapshot(endpoint)},
            request=request,
        )
    return endpoint


def endpoint_deactivate(*, actor: Any, endpoint: WebhookEndpoint, request: HttpRequest | None = None) -> None:
    """Stop writing deliveries for the endpoint, and stop sending its pending ones until it is active again."""
    if not endpoint.is_active:
        return
    before = endpoint_snapshot(endpoint)
    endpoint.is_active = False
    with transaction.atomic():
        endpoint.save(update_fields=["is_active", "updated_at"])
        audit_record(
            actor=actor,
            action="webhooks.endpoint.deactivate",
            target=endpoint,
            detail={"before": before, "after": endpoint_snapshot(endpoint)},
            request=request,
        )


def endpoint_rotate_secret(*, actor: Any, endpoint: WebhookEndpoint, request: HttpRequest | None = None) -> str:
    """A new secret for the endpoint, at once, audited (without the secret). Returns it, to show once.

    Every attempt from now on is signed with the new secret, retries of older deliveries included: a request the
    receiver refuses while it still holds the old secret fails and is retried on the back-off schedule.
    """
    secret = new_secret()
    endpoint.secret = secret
    with transaction.atomic():
        endpoint.save(update_fields=["secret", "updated_at"])
        audit_record(actor=actor, action="webhooks.endpoint.rotate_secret", target=endpoint, request=request)
    return secret


# --- deliveries -----------------------------------------------------------------------------------------


def delivery_redeliver(
    *, actor: Any, delivery: WebhookDelivery, request: HttpRequest | None = None, now: datetime | None = None
) -> bool:
    """Send a failed or delivered delivery again, now, with a fresh back-off; its log of attempts is kept.

    A pending one is refused (False): it is already due or being sent."""
    when = now or timezone.now()
    with transaction.atomic():
        updated = WebhookDelivery.objects.filter(
            pk=delivery.pk, status__in=[DeliveryStatus.FAILED, DeliveryStatus.DELIVERED]
        ).update(status=DeliveryStatus.PENDING, failures=0, next_attempt_at=when, delivered_at=None)
        if updated != 1:
            return False
        audit_record(
            actor=actor,
            action="webhooks.delivery.redeliver",
            target=delivery,
            detail={"delivery": str(delivery.public_id), "previous_status": delivery.status},
            request=request,
        )
    from gridwork.webhooks.outbox import send_soon

    transaction.on_commit(lambda: send_soon([delivery.pk]))
    delivery.refresh_from_db()
    return True


@dataclass(frozen=True)
class AttemptOutcome:
    delivery_id: int
    endpoint_id: int
    number: int
    status_code: int | None
    error: str
    status: str  # of the delivery afterwards: pending (to retry), delivered or failed
    recorded: bool  # False if the claim lapsed and another sender took the delivery over meanwhile

    @property
    def unreachable(self) -> bool:
        """No HTTP answer at all (refused, timed out): the endpoint's other deliveries would likely fail too."""
        return self.status_code is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "delivery_id": self.delivery_id,
            "attempt": self.number,
            "status_code": self.status_code,
            "error": self.error,
            "status": self.status,
            "recorded": self.recorded,
        }


def _claim(delivery: WebhookDelivery, now: datetime) -> bool:
    return (
        WebhookDelivery.objects.filter(
            pk=delivery.pk, status=DeliveryStatus.PENDING, next_attempt_at__lte=now, attempts=delivery.attempts
        ).update(attempts=delivery.attempts + 1, next_attempt_at=now + LEASE)
        == 1
    )


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> AttemptOutcome | None:
    """Send one attempt of a delivery if it is pending, due at ``now`` and not claimed by another sender; record it.

    None when there is nothing to do: the delivery is not due, not pending, its endpoint is inactive, or another
    sender claimed it first."""
    when = now or timezone.now()
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if (
        delivery is None
        or delivery.status != DeliveryStatus.PENDING
        or delivery.next_attempt_at is None
        or delivery.next_attempt_at > when
        or not delivery.endpoint.is_active
    ):
        return None
    if not _claim(delivery, when):
        return None
    number = delivery.attempts + 1
    endpoint = delivery.endpoint
    body = delivery.body_bytes()
    headers = signed_headers(
        secret=endpoint.secret,
        body=body,
        event_type=delivery.event_type,
        delivery_id=str(delivery.public_id),
        timestamp=int(time.time()),  # the real moment of sending, whatever ``now`` schedules by
    )
    answer = transport.post(endpoint.url, body, headers)
    return _record(delivery=delivery, number=number, url=endpoint.url, answer=answer, when=when)


def _record(
    *, delivery: WebhookDelivery, number: int, url: str, answer: transport.Answer, when: datetime
) -> AttemptOutcome:
    error = answer.error or ("" if answer.ok else f"HTTP {answer.status_code}")
    changes: dict[str, Any] = {"last_status_code": answer.status_code, "last_error": error[:500]}
    if answer.ok:
        changes.update(status=DeliveryStatus.DELIVERED, next_attempt_at=None, delivered_at=when)
    else:
        failures = delivery.failures + 1
        changes["failures"] = failures
        if failures > len(BACKOFF):
            changes.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
        else:
            changes.update(status=DeliveryStatus.PENDING, next_attempt_at=when + BACKOFF[failures - 1])
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            at=when,
            url=url,
            status_code=answer.status_code,
            error=answer.error,
            response_excerpt=answer.excerpt,
            duration_ms=answer.duration_ms,
        )
        recorded = (
            WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING, attempts=number).update(
                **changes
            )
            == 1
        )
    return AttemptOutcome(
        delivery_id=delivery.pk,
        endpoint_id=delivery.endpoint_id,
        number=number,
        status_code=answer.status_code,
        error=error,
        status=changes["status"] if recorded else DeliveryStatus.PENDING,
        recorded=recorded,
    )


@dataclass
class DueReport:
    """What one pass of the retry did."""

    attempted: int = 0
    delivered: int = 0
    failed_attempts: int = 0
    given_up: int = 0
    skipped: int = 0  # due, but left for the next pass (endpoint unreachable in this pass, or out of time)
    outcomes: list[AttemptOutcome] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "attempted": self.attempted,
            "delivered": self.delivered,
            "failed_attempts": self.failed_attempts,
            "given_up": self.given_up,
            "skipped": self.skipped,
        }


def deliveries_send_due(*, now: datetime | None = None, limit: int = 200, budget_seconds: float = 45.0) -> DueReport:
    """Send every pending delivery that is due, the oldest first, for at most ``budget_seconds`` (a pass every minute
    must not pile up behind a dead receiver). An endpoint that gave no answer is left alone for the rest of the pass.
    """
    report = DueReport()
    started = time.monotonic()
    unreachable: set[int] = set()
    for delivery_id, endpoint_id in delivery_ids_due(now=now or timezone.now(), limit=limit):
        if endpoint_id in unreachable or time.monotonic() - started > budget_seconds:
            report.skipped += 1
            continue
        outcome = delivery_attempt(delivery_id=delivery_id, now=now)
        if outcome is None:
            continue
        report.attempted += 1
        report.outcomes.append(outcome)
        if outcome.status == DeliveryStatus.DELIVERED:
            report.delivered += 1
        else:
            report.failed_attempts += 1
            report.given_up += outcome.status == DeliveryStatus.FAILED
            if outcome.unreachable:
                unreachable.add(endpoint_id)
    return report
