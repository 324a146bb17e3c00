"""Writes of the analysis settings; audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from gridwork.analytics.models import AnalyticsSettings
from gridwork.audit.services import audit_record

FIELDS = (
    "response_weight",
    "resolution_weight",
    "satisfaction_weight",
    "satisfied_value",
    "basically_value",
    "notice_overdue",
)


def settings_update(*, actor: Any, values: dict[str, Any], request: HttpRequest | None = None) -> AnalyticsSettings:
    """Save the assessment settings; the audit row holds the values before and after."""
    with transaction.atomic():
        AnalyticsSettings.objects.get_or_create(pk=1)
        current = AnalyticsSettings.objects.select_for_update().get(pk=1)
        before = {name: str(getattr(current, name)) for name in FIELDS}
        for name in FIELDS:
            setattr(current, name, values[name])
        current.save()
        audit_record(
            actor=actor,
            action="analytics.settings.changed",
            target=current,
            detail={"before": before, "after": {name: str(values[name]) for name in FIELDS}},
            request=request,
        )
    return current
