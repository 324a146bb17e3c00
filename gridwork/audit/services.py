"""Writing the audit log. Call inside the transaction of the action it records."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from gridwork.audit.models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """Append one audit row. ``actor`` may be anonymous (a failed login); ``actor_name`` then names who tried."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if authenticated else None,
        actor_name=(actor.get_username() if authenticated else actor_name)[:150],
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_repr=str(target)[:200] if target is not None else "",
        ip_address=client_ip(request),
        detail=detail or {},
    )
