"""Showing measures: a rate as a percentage with one decimal, "—" for a rate with nothing to count."""

from __future__ import annotations

from django import template

from gridwork.analytics.measures import NOTHING, format_percent, format_score

register = template.Library()
register.filter("percent", format_percent)
register.filter("score", format_score)


@register.filter
def signed(value: float | int | None) -> str:
    """A change with its sign: +2, −1.5, 0; None → "—"."""
    if value is None:
        return NOTHING
    text = f"{abs(value):.1f}" if isinstance(value, float) else str(abs(value))
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"−{text}"
    return "0"
