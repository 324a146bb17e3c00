"""Outbound webhooks: the endpoints of other systems (the 12345 hotline first), one delivery per event and endpoint
written in the transaction of the matter's event (the outbox), and the log of every attempt to send it."""

from __future__ import annotations

import json
import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridwork.common.scope import ScopedQuerySet
from gridwork.matters.models import Channel, Matter, MatterEvent
from gridwork.places.models import Place
from gridwork.webhooks.events import WebhookEvent


class WebhookEndpoint(models.Model):
    """A receiver of another system: the matters of ``place``'s subtree (and of one channel, if set) that reach one of
    ``events`` are posted to ``url``, signed with ``secret``."""

    SCOPE_PATH: ClassVar[str] = "place__path"

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    # Needed in clear to sign each request (HMAC); shown to the administrator only when created or rotated.
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    events = models.JSONField(_("events"), default=list)
    place = models.ForeignKey(Place, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, blank=True, help_text=_("Empty: every channel.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def wants(self, *, event_type: str, channel: str, place_path: str) -> bool:
        """Whether a matter of ``channel`` at ``place_path`` reaching ``event_type`` goes to this endpoint."""
        return (
            self.is_active
            and event_type in self.events
            and (not self.channel or self.channel == channel)
            and place_path.startswith(self.place.path)
        )

    def event_labels(self) -> list[str]:
        return [str(WebhookEvent(value).label) for value in WebhookEvent.values if value in self.events]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event of one matter for one endpoint. Its body is fixed when it is written, so every attempt sends the same
    bytes; ``public_id`` is sent as ``X-Gridwork-Delivery`` for the receiver to recognise a repeat."""

    SCOPE_PATH: ClassVar[str] = "endpoint__place__path"

    public_id = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("endpoint"), on_delete=models.PROTECT, related_name="deliveries"
    )
    event_type = models.CharField(_("event"), max_length=32, choices=WebhookEvent.choices)
    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="+")
    matter_event = models.ForeignKey(MatterEvent, on_delete=models.PROTECT, related_name="+")
    # The exact JSON body, as text: a JSON column (jsonb) would not keep the bytes, and the signature covers them.
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)  # every attempt ever claimed; the claim's token
    failures = models.PositiveSmallIntegerField(_("failures in a row"), default=0)  # since written or redelivered
    # Pending: when the next attempt is due (or, while an attempt runs, when its claim lapses). Otherwise empty.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sender's question: pending deliveries due now, the oldest first.
            models.Index(fields=["next_attempt_at"], name="webhook_delivery_due", condition=Q(status="pending")),
            models.Index(fields=["status", "-created_at"], name="webhook_delivery_status"),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_endpoint"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "matter_event"], name="webhookdelivery_once_per_event"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.public_id}"

    @property
    def payload(self) -> Any:
        return json.loads(self.body)

    def body_bytes(self) -> bytes:
        return self.body.encode("utf-8")


class WebhookAttempt(models.Model):
    """The delivery log: one row per request sent, with the answer or the error."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField(_("attempt"))
    at = models.DateTimeField(_("at"))
    url = models.URLField(_("URL"), max_length=500)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    response_excerpt = models.CharField(_("response"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["delivery_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.delivery_id}#{self.number} {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
