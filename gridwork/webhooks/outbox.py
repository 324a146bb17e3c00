"""The outbox: a matter's event becomes one delivery per endpoint that wants it, in the event's own transaction.

``matters.services`` calls ``enqueue_for_event`` right after writing each ``MatterEvent``, inside the transaction.
The deliveries are therefore committed with the move or rolled back with it: a move the platform acknowledged
always has its deliveries, even if the process dies before sending, and a move that failed has none. After the
commit a task is enqueued to send each at once; if that enqueue is lost, the periodic ``deliver_due`` sends it.
No HTTP request is ever made inside the transaction.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from gridwork.matters.models import Matter, MatterEvent
from gridwork.matters.workflow import MatterState
from gridwork.webhooks.events import WebhookEvent, event_type_for
from gridwork.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger("gridwork.webhooks")

_REPLY_EVENTS = frozenset({WebhookEvent.REPLIED, WebhookEvent.CLOSED})


def _local_iso(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment is not None else None


def matter_payload(*, matter: Matter, event_type: str) -> dict[str, Any]:
    """What another system learns of a matter: its state and the unit's answer, never the reporter's name or phone."""
    if matter.lead_department_id is not None and matter.lead_department is not None:
        lead_unit: str | None = matter.lead_department.name
    elif matter.lead_place_id is not None and matter.lead_place is not None:
        lead_unit = matter.lead_place.name
    else:
        lead_unit = None
    return {
        "number": matter.number,
        "external_ref": matter.external_ref or None,
        "channel": matter.channel,
        "state": matter.state,
        "status": "closed" if matter.state == MatterState.CLOSED else "open",
        "category_code": matter.category.code if matter.category_id is not None and matter.category else None,
        "kind": matter.kind,
        "lead_unit": lead_unit,
        "reply_text": (matter.reply_text or None) if event_type in _REPLY_EVENTS else None,
        "satisfaction": matter.satisfaction or None,
        "closure_reason": matter.closure_reason or None,
        "updated_at": _local_iso(matter.updated_at),
        "version": matter.version,
    }


def delivery_body(*, delivery_id: uuid.UUID, event_type: str, event: MatterEvent, matter: Matter) -> str:
    """The JSON body of a delivery, serialised once: every attempt sends these bytes."""
    payload = {
        "id": str(delivery_id),
        "event": event_type,
        "action": event.action,
        "occurred_at": _local_iso(event.at),
        "matter": matter_payload(matter=matter, event_type=event_type),
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def enqueue_for_event(event: MatterEvent, *, now: datetime | None = None) -> None:
    """Write the deliveries of ``event``, inside the caller's transaction, and send them once it commits."""
    event_type = event_type_for(event.action, event.to_state)
    if event_type is None:
        return
    # Channel and place never change after filing: the caller's matter object is current enough to choose endpoints.
    channel, place_path = event.matter.channel, event.matter.place_path
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(is_active=True).select_related("place")
        if endpoint.wants(event_type=event_type, channel=channel, place_path=place_path)
    ]
    if not endpoints:
        return
    # The state after the move, as the compare-and-set saved it (the caller's object may predate the UPDATE).
    matter = Matter.objects.select_related("category", "lead_place", "lead_department").get(pk=event.matter_id)
    when = now or timezone.now()
    ids = []
    for endpoint in endpoints:
        public_id = uuid.uuid4()
        delivery = WebhookDelivery.objects.create(
            public_id=public_id,
            endpoint=endpoint,
            event_type=event_type,
            matter=matter,
            matter_event=event,
            body=delivery_body(delivery_id=public_id, event_type=event_type, event=event, matter=matter),
            status=DeliveryStatus.PENDING,
            next_attempt_at=when,
            created_at=when,
        )
        ids.append(delivery.pk)
    transaction.on_commit(partial(send_soon, ids))


def send_soon(delivery_ids: list[int]) -> None:
    """After commit: a task per delivery, to send it now. A failure here loses nothing (``deliver_due`` sends it)."""
    from gridwork.webhooks.tasks import deliver

    for delivery_id in delivery_ids:
        try:
            deliver.enqueue(delivery_id)
        except Exception:
            logger.exception("Could not enqueue webhook delivery %s; the periodic retry will send it.", delivery_id)
