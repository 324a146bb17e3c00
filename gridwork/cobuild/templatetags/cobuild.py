"""Template helpers of the three lists' pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

from gridwork.cobuild.views.common import STATE_BADGES

register = template.Library()


@register.filter
def cobuild_badge(state: str) -> str:
    """The badge class of a need's, resource's or project's state."""
    return STATE_BADGES.get(state, "text-bg-secondary")


@register.filter
def amount(value: Decimal | None, unit: str = "") -> str:
    """A quantity without trailing zeros and with its unit of measure ("50 份"); "" when there is none."""
    if value is None:
        return ""
    return f"{value.normalize():f} {unit}".strip()
