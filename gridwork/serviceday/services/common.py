"""What the service day's services share: the clock (``at``), who may run a community's service day, the cycle read
afresh under a lock, and the checks of typed text."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.models import UserKind
from gridwork.accounts.roles import Perm
from gridwork.serviceday.models import ServiceCycle

PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()-]{5,19}$")
MAX_NAME = 50
MAX_PHONE = 20
MAX_OPINION = 1000
MAX_TITLE = 80
MAX_DESCRIPTION = 2000
MAX_NOTE = 1000
MAX_FEEDBACK = 3000
MAX_SUMMARY = 5000
MAX_COMMENT = 200


def moment(at: datetime | None) -> datetime:
    return at or timezone.now()


def day_of(at: datetime | None) -> date:
    return timezone.localdate(moment(at))


def may_manage(actor: Any, cycle: ServiceCycle) -> bool:
    """Whether ``actor`` holds MANAGE_DELIBERATION over the cycle's community (at it or above it)."""
    return ServiceCycle.objects.restrict(actor, Perm.MANAGE_DELIBERATION).filter(pk=cycle.pk).exists()


def require_manage(actor: Any, cycle: ServiceCycle) -> None:
    if not may_manage(actor, cycle):
        raise PermissionDenied(_("You do not run the service day of this community."))


def locked_cycle(cycle: ServiceCycle) -> ServiceCycle:
    """The cycle as stored now, its row locked until the transaction ends (PostgreSQL; SQLite writes one at a time),
    so that a stage completed at the same moment cannot slip between the check of the stage and the write."""
    return ServiceCycle.objects.select_for_update().select_related("community").get(pk=cycle.pk)


def is_resident(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "kind", "") == UserKind.RESIDENT)


def clean_text(
    value: str | None, *, field: str, limit: int, errors: dict[str, str], required: str | None = None
) -> str:
    """``value`` stripped; an error on ``field`` when it is empty and ``required`` (the message) or too long."""
    text = (value or "").strip()
    if not text and required:
        errors[field] = required
    elif len(text) > limit:
        errors[field] = _("At most %(limit)d characters (you wrote %(count)d).") % {"limit": limit, "count": len(text)}
    return text


def clean_phone(value: str | None, *, field: str, errors: dict[str, str]) -> str:
    phone = (value or "").strip()
    if phone and (len(phone) > MAX_PHONE or not PHONE_RE.match(phone)):
        errors[field] = _("A phone number has digits only (and + - ( ) or spaces).")
    return phone


def refuse(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)
