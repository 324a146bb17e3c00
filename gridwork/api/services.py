"""Issuing and revoking API tokens; each is an audited action."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.api.authentication import TOKEN_KIND
from gridwork.api.models import ApiToken
from gridwork.audit.services import audit_record
from gridwork.common.keys import issue_key

MAX_TOKEN_DAYS = 3650
# The audit administrator's account is never lent to another system (separation of duties, 三员分立).
ROLES_NOT_LENT = frozenset({Role.AUDIT_ADMIN})


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # shown once


def api_token_create(
    *, actor: Any, user: User, name: str, days: int | None = None, request: HttpRequest | None = None
) -> IssuedToken:
    """A new token acting as ``user`` (a staff account, such as the 12345 hotline's system account)."""
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = _("Name the system that will use the token.")
    elif len(name) > 100:
        errors["name"] = _("At most 100 characters.")
    if not user.is_active or not user.is_staff_member:
        errors["user"] = _("A token acts as an active staff account.")
    elif any(post.role in ROLES_NOT_LENT for post in user.active_posts):
        errors["user"] = _("The audit administrator's account is never lent to another system.")
    if days is not None and not 1 <= days <= MAX_TOKEN_DAYS:
        errors["days"] = _("Between 1 and %(max)d days.") % {"max": MAX_TOKEN_DAYS}
    if errors:
        raise ValidationError(errors)
    issued = issue_key(TOKEN_KIND)
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name,
            user=user,
            prefix=issued.prefix,
            digest=issued.digest,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            expires_at=timezone.now() + timedelta(days=days) if days else None,
        )
        audit_record(
            actor=actor,
            action="api.token.create",
            target=token,
            detail={"name": name, "user": user.get_username(), "prefix": issued.prefix, "days": days},
            request=request,
        )
    return IssuedToken(token=token, key=issued.key)


def api_token_revoke(*, actor: Any, token: ApiToken, request: HttpRequest | None = None) -> ApiToken:
    """Switch a token off for good (a revoked token never works again)."""
    with transaction.atomic():
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if changed:
            audit_record(
                actor=actor, action="api.token.revoke", target=token, detail={"prefix": token.prefix}, request=request
            )
    token.refresh_from_db()
    return token
