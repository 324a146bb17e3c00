"""Template helpers: permission checks and masking of personal data."""

from __future__ import annotations

from typing import Any

from django import template

from gridwork.common import masking

register = template.Library()


@register.filter
def can(user: Any, perm: str) -> bool:
    """Whether the user holds ``perm`` in any of their posts."""
    return bool(
        getattr(user, "is_authenticated", False) and hasattr(user, "has_perm_anywhere") and user.has_perm_anywhere(perm)
    )


@register.filter
def mask_phone(value: str | None) -> str:
    return masking.mask_phone(value)


@register.filter
def mask_name(value: str | None) -> str:
    return masking.mask_name(value)


@register.filter
def mask_id_number(value: str | None) -> str:
    return masking.mask_id_number(value)
