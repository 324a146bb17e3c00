"""``{% matter_deliberation matter %}``: on the staff page of a matter filed from a deliberation's decision, where it
came from — the deliberation's number, linked when the user may open it (VIEW_DELIBERATION over its community)."""

from __future__ import annotations

from typing import Any

from django import template

from gridwork.accounts.roles import Perm
from gridwork.deliberation.models import Deliberation

register = template.Library()


@register.inclusion_tag("deliberation/includes/matter_origin.html", takes_context=True)
def matter_deliberation(context: Any, matter: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    origin = Deliberation.objects.filter(matter=matter).only("pk", "number", "topic", "community_id").first()
    if origin is None or user is None:
        return {"origin": None, "visible": False}
    visible = Deliberation.objects.restrict(user, Perm.VIEW_DELIBERATION).filter(pk=origin.pk).exists()
    return {"origin": origin, "visible": visible}
