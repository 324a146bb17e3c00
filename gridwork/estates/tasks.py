"""Background tasks of the estates, run by the worker on the schedule in ``settings.GRIDWORK_SCHEDULE``."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from gridwork.estates.services import election_warnings_send


@task()
def warn_elections() -> dict[str, Any]:
    """Committees whose election is within 90 days, or past without a new term: their community's managers told once
    per committee, election date and kind."""
    return election_warnings_send()
