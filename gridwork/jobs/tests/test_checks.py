"""The schedule is checked at start-up: a bad cron expression or task path stops `manage.py check`, the server
and the scheduler, naming the entry."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from pytest_django.fixtures import Settings

from gridwork.jobs.checks import check_schedule

TASK = "gridwork.jobs.tests.tasks.record_run"


def test_the_configured_schedule_passes_the_check() -> None:
    assert check_schedule() == []


def test_a_bad_cron_expression_fails_the_check(settings: Settings) -> None:
    settings.GRIDWORK_SCHEDULE = (("sweep", "*/5 * * * *", TASK), ("broken", "*/5 25 * * *", TASK))

    errors = check_schedule()

    assert [error.id for error in errors] == ["jobs.E001"]
    assert "entry 2 ('broken')" in errors[0].msg
    assert "Bad hour" in errors[0].msg
    with pytest.raises(SystemCheckError, match=r"jobs\.E001"):
        call_command("check")


def test_a_task_path_that_is_not_dotted_fails_the_check(settings: Settings) -> None:
    settings.GRIDWORK_SCHEDULE = (("sweep", "*/5 * * * *", "sweep_deadlines"),)

    assert [error.id for error in check_schedule()] == ["jobs.E001"]


def test_the_check_does_not_import_the_tasks(settings: Settings) -> None:
    # The module may not be written yet; the scheduler imports the task when a fire is due.
    settings.GRIDWORK_SCHEDULE = (("later", "0 3 * * *", "gridwork.jobs.tests.not_written_yet.task"),)

    assert check_schedule() == []


def test_the_scheduler_refuses_to_start_on_a_bad_schedule(settings: Settings) -> None:
    settings.GRIDWORK_SCHEDULE = (("broken", "every five minutes", TASK),)

    with pytest.raises(CommandError, match="not a cron expression of 5 fields"):
        call_command("run_scheduler", "--once")
    with pytest.raises(SystemCheckError, match=r"jobs\.E001"):
        call_command("run_scheduler", "--once", skip_checks=False)
