"""Reads of the outbound webhooks. Staff see the endpoints (and their deliveries) of areas under a unit where they
manage integrations; the sender's own reads take no user."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404

from gridwork.accounts.roles import Perm
from gridwork.places.models import Place, PlaceLevel
from gridwork.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint

ENDPOINT_LEVELS = (PlaceLevel.CITY, PlaceLevel.DISTRICT, PlaceLevel.STREET, PlaceLevel.COMMUNITY)


def endpoint_list(*, user: Any) -> QuerySet[WebhookEndpoint]:
    """Endpoints whose area lies under a unit where the user manages integrations, active ones first."""
    return (
        WebhookEndpoint.objects.restrict(user, Perm.MANAGE_INTEGRATIONS)
        .select_related("place", "created_by")
        .order_by("-is_active", "name", "id")
    )


def endpoint_get(*, user: Any, pk: int) -> WebhookEndpoint:
    endpoint = endpoint_list(user=user).filter(pk=pk).first()
    if endpoint is None:
        raise Http404
    return endpoint


def endpoint_area_choices(*, user: Any) -> QuerySet[Place]:
    """Areas (city to community) an endpoint of the user's may cover."""
    return Place.objects.restrict(user, Perm.MANAGE_INTEGRATIONS).filter(level__in=ENDPOINT_LEVELS).order_by("path")


def delivery_list(
    *, user: Any, status: str = "", endpoint_id: int | None = None, event_type: str = ""
) -> QuerySet[WebhookDelivery]:
    """The delivery log of the user's endpoints, newest first."""
    deliveries = WebhookDelivery.objects.restrict(user, Perm.MANAGE_INTEGRATIONS).select_related("endpoint", "matter")
    if status:
        deliveries = deliveries.filter(status=status)
    if endpoint_id is not None:
        deliveries = deliveries.filter(endpoint_id=endpoint_id)
    if event_type:
        deliveries = deliveries.filter(event_type=event_type)
    return deliveries.order_by("-created_at", "-id")


def delivery_status_counts(*, user: Any, endpoint_id: int | None = None) -> dict[str, int]:
    """How many deliveries of the user's endpoints are in each status."""
    rows = (
        delivery_list(user=user, endpoint_id=endpoint_id)
        .order_by()
        .values("status")
        .annotate(count=Count("id"))
        .values_list("status", "count")
    )
    counts = dict.fromkeys(DeliveryStatus.values, 0)
    counts.update(dict(rows))
    return counts


def delivery_get(*, user: Any, public_id: uuid.UUID) -> WebhookDelivery:
    delivery = (
        WebhookDelivery.objects.restrict(user, Perm.MANAGE_INTEGRATIONS)
        .select_related("endpoint", "endpoint__place", "matter", "matter_event")
        .filter(public_id=public_id)
        .first()
    )
    if delivery is None:
        raise Http404
    return delivery


def delivery_attempts(*, delivery: WebhookDelivery) -> QuerySet[WebhookAttempt]:
    return delivery.attempt_log.order_by("at", "id")


def delivery_ids_due(*, now: datetime, limit: int) -> list[tuple[int, int]]:
    """(delivery, endpoint) of pending deliveries due at ``now`` for active endpoints, the longest waiting first."""
    return list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__is_active=True
        )
        .order_by("next_attempt_at", "id")
        .values_list("id", "endpoint_id")[:limit]
    )
