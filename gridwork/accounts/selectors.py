"""Reading accounts: every query is narrowed to the user's scope first."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from gridwork.accounts.models import Post, User, UserKind
from gridwork.accounts.roles import ROLE_LEVELS, ROLE_PERMISSIONS, Perm
from gridwork.places.models import Department, Place

STAFF_PLACE_LEVELS = sorted(set().union(*ROLE_LEVELS.values()))


def post_list(*, user: Any, search: str = "", active: bool | None = None) -> QuerySet[Post]:
    """The posts (岗位) at units under the user's posts with VIEW_STAFF, with their holders."""
    posts = Post.objects.restrict(user, Perm.VIEW_STAFF).select_related("user", "place", "department")
    holding = Q(is_active=True, user__is_active=True)
    if active is True:
        posts = posts.filter(holding)
    elif active is False:
        posts = posts.exclude(holding)
    if search:
        posts = posts.filter(
            Q(user__username__icontains=search)
            | Q(user__full_name__icontains=search)
            | Q(place__name__icontains=search)
            | Q(department__name__icontains=search)
        )
    return posts.order_by("place__path", "role", "user__full_name", "id")


def staff_get(*, user: Any, pk: int) -> User:
    """A staff member who holds at least one post the user may see; 404 otherwise (never 403: no probing)."""
    visible = Post.objects.restrict(user, Perm.VIEW_STAFF).filter(user_id=pk)
    staff = User.objects.filter(pk=pk, kind=UserKind.STAFF, posts__in=visible).distinct().first()
    if staff is None:
        raise Http404
    return staff


def staff_posts(*, user: Any, staff: User) -> QuerySet[Post]:
    """The posts of ``staff`` that the user may see (a post elsewhere in the city stays hidden)."""
    return (
        Post.objects.restrict(user, Perm.VIEW_STAFF)
        .filter(user=staff)
        .select_related("place", "department")
        .order_by("-is_active", "place__path", "role")
    )


def staff_manageable(*, user: Any, staff: User) -> bool:
    """Whether every active post of ``staff`` lies where the user holds MANAGE_STAFF (so they may deactivate)."""
    active = Post.objects.filter(user=staff, is_active=True)
    if not active.exists():
        return False
    return not active.exclude(pk__in=Post.objects.restrict(user, Perm.MANAGE_STAFF)).exists()


def staff_place_choices(*, user: Any) -> QuerySet[Place]:
    """Units at which the user may create staff: under their posts with MANAGE_STAFF, at a level that has posts."""
    return Place.objects.restrict(user, Perm.MANAGE_STAFF).filter(level__in=STAFF_PLACE_LEVELS).order_by("path")


def staff_department_choices(*, user: Any) -> QuerySet[Department]:
    """Active departments under the units where the user holds MANAGE_STAFF."""
    return (
        Department.objects.restrict(user, Perm.MANAGE_STAFF)
        .filter(is_active=True)
        .select_related("place")
        .order_by("place__path", "code")
    )


def users_holding(perm: str, *, place_id: int) -> list[User]:
    """Active users with an active post at the place ``place_id`` whose role grants ``perm``: whom to tell there."""
    users = (
        User.objects.filter(is_active=True, posts__place_id=place_id, posts__is_active=True)
        .distinct()
        .prefetch_related("posts")
    )
    return [
        user
        for user in users
        if any(
            perm in ROLE_PERMISSIONS.get(post.role, frozenset())
            for post in user.posts.all()
            if post.is_active and post.place_id == place_id
        )
    ]
