"""Breadcrumbs of the unit tree: ancestors are shown, and linked only where the user may open them."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from gridwork.places.models import Place
from gridwork.places.selectors import place_ancestors, place_visible_codes


def place_breadcrumbs(*, user: Any, place: Place) -> list[dict[str, str]]:
    chain = [*place_ancestors(place), place]
    visible = place_visible_codes(user=user, codes=[p.code for p in chain])
    return [
        {
            "label": p.name,
            "url": reverse("places:detail", args=[p.code]) if p.code in visible else "",
        }
        for p in chain
    ]
