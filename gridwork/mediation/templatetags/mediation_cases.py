"""``{% matter_dispute_cases matter %}``: on the staff page of a matter, the dispute cases turned from it (that the
user may see) and the "Turn into a dispute case" button (MANAGE_DISPUTES over the matter's grid)."""

from __future__ import annotations

from typing import Any

from django import template

from gridwork.accounts.roles import Perm
from gridwork.mediation.selectors import matter_cases
from gridwork.mediation.services.cases import holds

register = template.Library()


@register.inclusion_tag("mediation/includes/case_matter_panel.html", takes_context=True)
def matter_dispute_cases(context: Any, matter: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or matter is None:
        return {"cases": [], "may_turn": False, "matter": matter}
    cases = list(matter_cases(user=user, matter=matter))
    grid = getattr(matter, "grid", None)
    may_turn = grid is not None and holds(user, Perm.MANAGE_DISPUTES, grid)
    return {"cases": cases, "may_turn": may_turn, "matter": matter}
