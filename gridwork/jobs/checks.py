"""The system check of the schedule: a bad cron expression or task path stops the start-up with its entry.

Task paths are only read, never imported: a job may name a task whose module is still being written; the
scheduler imports the task when a fire is due, and logs an error if it cannot.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks

from gridwork.jobs.schedule import schedule_problems


@checks.register()
def check_schedule(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[checks.CheckMessage]:
    return [
        checks.Error(problem, hint="See GRIDWORK_SCHEDULE in config/settings/base.py.", id="jobs.E001")
        for problem in schedule_problems(getattr(settings, "GRIDWORK_SCHEDULE", ()))
    ]
