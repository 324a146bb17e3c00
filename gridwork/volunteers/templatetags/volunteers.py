"""Template helpers of the volunteer orders' pages."""

from __future__ import annotations

from django import template

from gridwork.volunteers.views.common import STATE_BADGES

register = template.Library()


@register.filter
def order_badge(state: str) -> str:
    """The badge class of an order's state."""
    return STATE_BADGES.get(state, "text-bg-secondary")
