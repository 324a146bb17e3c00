"""The scope rule, written once: a user sees and changes only what lies under the units of their posts.

Every scoped model names the lookup from itself to a place path (``SCOPE_PATH``); a model whose rule is
more than a subtree (matters dispatched to a department, say) defines ``scope_q(user, perm)`` instead.
Selectors call ``Model.objects.restrict(user, perm)``; views take their querysets only from selectors, so
no view can forget the rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, Self, TypeVar

from django.db import models
from django.db.models import Q

_M = TypeVar("_M", bound=models.Model)


class ScopedUser(Protocol):
    """What the scope rule needs of a user: the place paths at which they hold a permission."""

    is_authenticated: bool

    def scope_paths(self, perm: str) -> list[str]: ...


NOTHING = Q(pk__in=[])


def minimal_paths(paths: Iterable[str]) -> list[str]:
    """Drop every path that lies under another one in the list (its subtree is already covered)."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(prefix) for prefix in kept):
            kept.append(path)
    return kept


def paths_q(lookup: str, paths: Iterable[str]) -> Q:
    """The condition that keeps rows whose ``lookup`` path lies under any of ``paths`` (none: nothing)."""
    condition = NOTHING
    for path in minimal_paths(paths):
        condition |= Q(**{f"{lookup}__startswith": path})
    return condition


def path_scope_q(user: Any, perm: str, lookup: str) -> Q:
    """The condition that keeps rows whose ``lookup`` path lies under a unit where ``user`` holds ``perm``."""
    if not getattr(user, "is_authenticated", False) or not hasattr(user, "scope_paths"):
        return NOTHING
    return paths_q(lookup, user.scope_paths(perm))


def holds_over_path(user: Any, perm: str, path: str) -> bool:
    """True when ``user`` holds ``perm`` at the place whose path is ``path`` or at a unit above it (anonymous users
    hold nothing): the one-object form of ``path_scope_q``, for code that has a path but not the place."""
    if not getattr(user, "is_authenticated", False) or not hasattr(user, "scope_paths"):
        return False
    return any(path.startswith(prefix) for prefix in user.scope_paths(perm))


def holds_over(user: Any, perm: str, place: Any) -> bool:
    """True when ``user`` holds ``perm`` at ``place`` or at a unit above it (anonymous users hold nothing)."""
    return holds_over_path(user, perm, place.path)


class ScopedQuerySet(models.QuerySet[_M]):
    """A queryset that can narrow itself to what a user may see or change (NetBox's ``restrict``)."""

    def restrict(self, user: Any, perm: str) -> Self:
        custom = getattr(self.model, "scope_q", None)
        if custom is not None:
            return self.filter(custom(user, perm))
        lookup: str = self.model.SCOPE_PATH  # type: ignore[attr-defined]
        return self.filter(path_scope_q(user, perm, lookup))
