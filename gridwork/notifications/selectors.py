"""Reading a user's own notifications: nobody reads anyone else's."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from gridwork.notifications.models import Notification

UNREAD_CAP = 99


def notification_list(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    notifications = Notification.objects.filter(recipient=user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


def notification_get(*, user: Any, pk: int) -> Notification:
    notification = Notification.objects.filter(recipient=user, pk=pk).first()
    if notification is None:
        raise Http404
    return notification


def notification_unread_count(*, user: Any) -> int:
    """Unread notifications of the user, counted up to ``UNREAD_CAP + 1`` (the badge shows "99+")."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).values("pk")[: UNREAD_CAP + 1].count()
