"""Showing measures: a rate as a percentage with one decimal, "—" for a rate with nothing to count."""

from __future__ import annotations

from django import template

register = template.Library()

NOTHING = "—"


@register.filter
def percent(value: float | None) -> str:
    """0.8333 → "83.3%"; None → "—"."""
    if value is None:
        return NOTHING
    return f"{100 * value:.1f}%"


@register.filter
def score(value: float | None) -> str:
    """A composite score out of 100 with one decimal; None → "—"."""
    if value is None:
        return NOTHING
    return f"{value:.1f}"


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
