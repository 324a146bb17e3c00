"""Reads of the API tokens, for the staff pages: the tokens a user manages and the accounts a new token may act as.

A token reaches what its account reaches, so a token is the business of whoever manages integrations over that
account's units: the accounts (and so the tokens) in view are those holding, or having held, a post under a unit
where the user holds ``MANAGE_INTEGRATIONS``. An account with no post at all lies nowhere; its tokens are seen only
from the city (the top of the tree).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Now
from django.http import Http404

from gridwork.accounts.models import Post, User, UserKind
from gridwork.accounts.roles import ROLE_PERMISSIONS, Perm
from gridwork.api.models import ApiToken
from gridwork.api.services import ROLES_NOT_LENT
from gridwork.common.scope import path_scope_q
from gridwork.places.models import PlaceLevel


class TokenStatus:
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


TOKEN_STATUS_Q: dict[str, Q] = {
    TokenStatus.ACTIVE: Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=Now())),
    TokenStatus.EXPIRED: Q(revoked_at__isnull=True, expires_at__lte=Now()),
    TokenStatus.REVOKED: Q(revoked_at__isnull=False),
}


def _sees_the_whole_city(user: Any) -> bool:
    return any(
        Perm.MANAGE_INTEGRATIONS in ROLE_PERMISSIONS[post.role] and post.place.level == PlaceLevel.CITY
        for post in getattr(user, "active_posts", [])
    )


def _accounts_in_view(user: Any) -> Q:
    """The condition on ``User`` that keeps the accounts whose tokens ``user`` manages."""
    condition = Q(posts__in=Post.objects.filter(path_scope_q(user, Perm.MANAGE_INTEGRATIONS, "place__path")))
    if _sees_the_whole_city(user):
        condition |= Q(posts__isnull=True)
    return condition


def _active_posts() -> Prefetch[str, QuerySet[Post], str]:
    return Prefetch(
        "user__posts",
        queryset=Post.objects.filter(is_active=True).select_related("place", "department").order_by("id"),
        to_attr="token_posts",
    )


def api_token_list(*, user: Any, status: str = "", search: str = "") -> QuerySet[ApiToken]:
    """The tokens ``user`` manages, newest first, each with its account's active posts (``user.token_posts``).

    ``status`` is one of ``TokenStatus`` (anything else: every token); ``search`` matches the token's name, the
    start of its prefix, or its account's username or name.
    """
    if not getattr(user, "is_authenticated", False) or not user.has_perm_anywhere(Perm.MANAGE_INTEGRATIONS):
        return ApiToken.objects.none()
    accounts = User.objects.filter(_accounts_in_view(user)).values("pk")
    tokens = ApiToken.objects.filter(user__in=accounts)
    if status in TOKEN_STATUS_Q:
        tokens = tokens.filter(TOKEN_STATUS_Q[status])
    search = search.strip()
    if search:
        tokens = tokens.filter(
            Q(name__icontains=search)
            | Q(prefix__istartswith=search.removeprefix("gw_"))
            | Q(user__username__icontains=search)
            | Q(user__full_name__icontains=search)
        )
    return tokens.select_related("user", "created_by").prefetch_related(_active_posts()).order_by("-created_at", "-id")


def api_token_get(*, user: Any, pk: int) -> ApiToken:
    """One token ``user`` manages; 404 otherwise."""
    token = api_token_list(user=user).filter(pk=pk).first()
    if token is None:
        raise Http404
    return token


def api_token_account_choices(*, user: Any) -> QuerySet[User]:
    """The accounts a new token of ``user``'s may act as: active staff accounts with an active post under a unit
    where ``user`` manages integrations (an account without a post would reach nothing), never the audit
    administrator's."""
    holding = Post.objects.filter(path_scope_q(user, Perm.MANAGE_INTEGRATIONS, "place__path"), is_active=True)
    not_lent = Post.objects.filter(is_active=True, role__in=ROLES_NOT_LENT).values("user_id")
    return (
        User.objects.filter(kind=UserKind.STAFF, is_active=True, pk__in=holding.values("user_id"))
        .exclude(pk__in=not_lent)
        .order_by("username")
    )


def api_token_account_get(*, user: Any, username: str) -> User | None:
    """The account named ``username`` if a new token of ``user``'s may act as it, else None."""
    return api_token_account_choices(user=user).filter(username=username.strip()).first()
