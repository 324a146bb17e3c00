"""Sending notifications: in-app rows, and SMS through the pluggable backend. Call after commit, never inside."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from gridwork.accounts.sms import get_sms_backend
from gridwork.notifications.models import Notification

logger = logging.getLogger("gridwork.notifications")


def notification_send(*, recipients: Iterable[Any], text: str, url: str = "") -> int:
    """One in-app notification per distinct recipient; returns how many were written."""
    unique = {user.pk: user for user in recipients if user is not None and user.pk is not None}
    Notification.objects.bulk_create(
        Notification(recipient=user, text=text[:300], url=url[:200]) for user in unique.values()
    )
    return len(unique)


def sms_send(*, phone: str, text: str) -> bool:
    """Send one SMS; a failing gateway is logged, not raised, so that the action that caused it stands."""
    if not phone:
        return False
    try:
        get_sms_backend().send(phone, text)
    except Exception:
        logger.exception("SMS to %s****%s failed", phone[:3], phone[-4:])
        return False
    return True


def notification_mark_read(*, user: Any, notification_id: int | None = None) -> int:
    """Mark one (or all) of the user's unread notifications read."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())
