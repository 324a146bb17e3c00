"""System check of the audit log's retention: never shorter than the six months the database keeps anyway."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks

from gridwork.audit.triggers import RETAIN_DAYS


@checks.register()
def check_audit_retention(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[checks.CheckMessage]:
    days = settings.GRIDWORK_AUDIT_RETENTION_DAYS
    if isinstance(days, int) and days >= RETAIN_DAYS:
        return []
    return [
        checks.Error(
            f"Audit records must be kept at least {RETAIN_DAYS} days (six months), not {days}.",
            hint=f"Set GRIDWORK_AUDIT_RETENTION_DAYS to {RETAIN_DAYS} or more.",
            id="audit.E001",
        )
    ]
