"""System checks of supervision's settings: office hours that parse, and a warning share strictly between 0 and 1."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from gridwork.supervision.calendar import OfficeHours


@checks.register()
def check_supervision_settings(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    try:
        OfficeHours.parse(settings.SUPERVISION_OFFICE_HOURS)
    except ImproperlyConfigured as error:
        problems.append(checks.Error(str(error), hint="Set GRIDWORK_OFFICE_HOURS.", id="supervision.E001"))
    if not 0 < float(settings.SUPERVISION_WARN_FRACTION) < 1:
        problems.append(
            checks.Error(
                f"The yellow-warning share must be between 0 and 1, not {settings.SUPERVISION_WARN_FRACTION}.",
                hint="Set GRIDWORK_WARN_PERCENT to a whole number from 1 to 99.",
                id="supervision.E002",
            )
        )
    return problems
