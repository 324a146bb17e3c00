"""Tasks for the scheduler's tests. What a task returns is stored with its result, where any process sees it."""

from __future__ import annotations

from django_tasks import task


@task()
def record_run() -> str:
    return "ran"


@task()
def takes_an_argument(value: int) -> int:
    return value


def not_a_task() -> None:
    """A plain function: the schedule must name a django-tasks task."""
