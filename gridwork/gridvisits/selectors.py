"""Reading grid workers' visits: the households one may visit, visits and their needs, the diary (民情日记) of a
worker, a household's visit history. Everything narrowed by ``restrict`` to the user's units; an object outside them
is not found (404). Households' addresses are masked unless the user holds VIEW_PERSONAL_DATA over them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from gridwork.accounts.models import User
from gridwork.accounts.roles import Perm
from gridwork.common.scope import holds_over, path_scope_q
from gridwork.gridvisits.models import GridVisit, VisitNeed, VisitPhoto
from gridwork.places.models import Place, PlaceLevel

HOUSEHOLD_CHOICES = 20


def personal_data_paths(user: Any) -> list[str]:
    """The place paths under which ``user`` sees households' addresses unmasked."""
    if not getattr(user, "is_authenticated", False) or not hasattr(user, "scope_paths"):
        return []
    return list(user.scope_paths(Perm.VIEW_PERSONAL_DATA))


def household_label(household: Place, *, paths: list[str]) -> str:
    """The household's address (or name); without VIEW_PERSONAL_DATA over it, its building with the door hidden."""
    if any(household.path.startswith(path) for path in paths):
        return household.address or household.name
    building = household.parent.name if household.parent is not None else ""
    return f"{building} · ***" if building else "***"


def _door_matches(user: Any, prefix: str, term: str) -> Q:
    """A search by address or name (the door) only where the user sees them unmasked: elsewhere the search would
    tell which code stands behind an address the page masks."""
    return (Q(**{f"{prefix}address__icontains": term}) | Q(**{f"{prefix}name__icontains": term})) & path_scope_q(
        user, Perm.VIEW_PERSONAL_DATA, f"{prefix}path"
    )


# --- households -----------------------------------------------------------------------------------------------------


def household_search(*, user: Any, q: str, perm: str = Perm.RECORD_GRID_VISITS) -> QuerySet[Place]:
    """Households under the units where the user holds ``perm``, matching ``q`` in code, name or address."""
    households = Place.objects.restrict(user, perm).filter(level=PlaceLevel.HOUSEHOLD).select_related("parent")
    q = q.strip()
    if q:
        households = households.filter(Q(code__icontains=q) | _door_matches(user, "", q))
    return households.order_by("path")


def household_get(*, user: Any, pk: int, perm: str = Perm.VIEW_GRID_VISITS) -> Place:
    return get_object_or_404(
        Place.objects.restrict(user, perm).filter(level=PlaceLevel.HOUSEHOLD).select_related("parent"), pk=pk
    )


# --- visits ---------------------------------------------------------------------------------------------------------


def _with_details(visits: QuerySet[GridVisit]) -> QuerySet[GridVisit]:
    return visits.select_related("household__parent", "grid", "recorded_by", "corrects").prefetch_related(
        Prefetch("needs", queryset=VisitNeed.objects.select_related("matter", "wish", "case"))
    )


def visit_list(*, user: Any, q: str = "", month: tuple[int, int] | None = None) -> QuerySet[GridVisit]:
    """The visits to households of the user's units, newest first; ``q`` searches the household's code, and its
    address where the user sees it."""
    visits = GridVisit.objects.restrict(user, Perm.VIEW_GRID_VISITS)
    if q.strip():
        term = q.strip()
        visits = visits.filter(Q(household__code__icontains=term) | _door_matches(user, "household__", term))
    if month is not None:
        visits = visits.filter(visited_on__year=month[0], visited_on__month=month[1])
    return _with_details(visits).annotate(need_count=Count("needs", distinct=True)).order_by("-visited_on", "-id")


def visit_get(*, user: Any, pk: int) -> GridVisit:
    return get_object_or_404(_with_details(GridVisit.objects.restrict(user, Perm.VIEW_GRID_VISITS)), pk=pk)


def visit_photos(visit: GridVisit) -> QuerySet[VisitPhoto]:
    return VisitPhoto.objects.filter(visit=visit).order_by("id")


def photo_get(*, user: Any, visit_pk: int, pk: int) -> VisitPhoto:
    return get_object_or_404(
        VisitPhoto.objects.restrict(user, Perm.VIEW_GRID_VISITS).select_related("visit"), visit_id=visit_pk, pk=pk
    )


def need_get(*, user: Any, pk: int, perm: str = Perm.RECORD_GRID_VISITS) -> VisitNeed:
    return get_object_or_404(
        VisitNeed.objects.restrict(user, perm).select_related("visit__household__parent", "matter", "wish", "case"),
        pk=pk,
    )


def household_visits(*, user: Any, household: Place) -> QuerySet[GridVisit]:
    """A household's visit history (its 民情 record), newest first."""
    return _with_details(GridVisit.objects.restrict(user, Perm.VIEW_GRID_VISITS).filter(household=household)).order_by(
        "-visited_on", "-id"
    )


def correctable_visits(*, user: Any, household: Place) -> QuerySet[GridVisit]:
    """The earlier visits of the household a new visit may correct."""
    return GridVisit.objects.restrict(user, Perm.VIEW_GRID_VISITS).filter(household=household).order_by("-visited_on")


# --- the diary ------------------------------------------------------------------------------------------------------


def diary_author(*, user: Any, pk: int) -> User:
    """The worker whose diary the user opens: themself, or a staff member with a post in the user's units (404
    otherwise)."""
    if pk == user.pk:
        return user
    author = get_object_or_404(User.objects.filter(is_active=True), pk=pk)
    if not any(holds_over(user, Perm.VIEW_GRID_VISITS, post.place) for post in author.active_posts):
        raise Http404
    return author


def diary(*, user: Any, author: Any, month: tuple[int, int] | None = None) -> QuerySet[GridVisit]:
    """民情日记: the visits ``author`` recorded, as ``user`` may see them, in the order they happened."""
    visits = GridVisit.objects.restrict(user, Perm.VIEW_GRID_VISITS).filter(recorded_by=author)
    if month is not None:
        visits = visits.filter(visited_on__year=month[0], visited_on__month=month[1])
    return _with_details(visits).order_by("visited_on", "id")


def open_needs(*, user: Any) -> QuerySet[VisitNeed]:
    """The needs of the user's units not yet turned into anything."""
    return VisitNeed.objects.restrict(user, Perm.VIEW_GRID_VISITS).filter(converted_at__isnull=True)
