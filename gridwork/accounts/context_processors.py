"""Template context for the staff layout: the user's posts and their units."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def staff_context(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "is_staff_member", False):
        return {}
    return {"staff_posts": user.active_posts}
