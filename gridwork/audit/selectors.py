"""Reading the audit log: only for users who hold audit.view (the audit administrator)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from gridwork.accounts.roles import Perm
from gridwork.audit.models import AuditEvent


def audit_event_list(
    *, user: Any, action: str = "", actor: str = "", since: date | None = None, until: date | None = None
) -> QuerySet[AuditEvent]:
    if not (getattr(user, "is_authenticated", False) and user.has_perm_anywhere(Perm.VIEW_AUDIT)):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.all()
    if action:
        events = events.filter(action__startswith=action)
    if actor:
        events = events.filter(Q(actor_name__icontains=actor))
    if since:
        events = events.filter(at__date__gte=since)
    if until:
        events = events.filter(at__date__lte=until)
    return events.order_by("-at", "-id")
