"""Who may do what in the admission app, over which place. Pure reads of the user's posts; no queries beyond them."""

from __future__ import annotations

from typing import Any

from gridwork.accounts.models import Post
from gridwork.accounts.roles import ROLE_PERMISSIONS
from gridwork.common.scope import holds_over
from gridwork.places.models import Place, PlaceLevel


def posts_with(user: Any, perm: str) -> list[Post]:
    """The user's active posts whose role grants ``perm``."""
    if not getattr(user, "is_authenticated", False) or not hasattr(user, "active_posts"):
        return []
    return [post for post in user.active_posts if perm in ROLE_PERMISSIONS.get(post.role, frozenset())]


holds = holds_over  # the name the admission services import; the rule is common.scope.holds_over


def holds_at(user: Any, perm: str, place: Place) -> bool:
    """Whether ``user`` holds ``perm`` in a post at ``place`` itself (a community acting for itself)."""
    return any(post.place_id == place.pk for post in posts_with(user, perm))


def department_ids(user: Any, perm: str) -> set[int]:
    """The departments in which ``user`` holds ``perm``."""
    return {post.department_id for post in posts_with(user, perm) if post.department_id is not None}


def within(place: Place, scope: Place) -> bool:
    return place.path.startswith(scope.path)


def is_community(place: Place) -> bool:
    return place.level == PlaceLevel.COMMUNITY
