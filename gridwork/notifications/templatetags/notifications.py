"""The navbar's bell: the signed-in user's unread count, capped."""

from __future__ import annotations

from typing import Any

from django import template

from gridwork.notifications.selectors import UNREAD_CAP, notification_unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: Any) -> str:
    """ "" when nothing is unread, else the count ("99+" above the cap)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    count = notification_unread_count(user=user)
    if count == 0:
        return ""
    return f"{UNREAD_CAP}+" if count > UNREAD_CAP else str(count)
