"""The scheduler against the database: each fire recorded and enqueued once, in one transaction, and run.

The tasks go to the database backend, as in production (config/settings/base.py): an enqueued task is a
``DBTaskResult`` row, written in the scheduler's transaction. Tests that start the scheduler or the worker as
processes, or race threads, commit (transactional test cases), so that other connections see the rows.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django_tasks.base import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings

from gridwork.jobs import services
from gridwork.jobs.models import ScheduledFire
from gridwork.jobs.schedule import configured_schedule
from gridwork.jobs.services import PassReport, scheduler_pass

ROOT = Path(__file__).resolve().parents[3]
SHANGHAI = ZoneInfo("Asia/Shanghai")
TASK = "gridwork.jobs.tests.tasks.record_run"
JOB = "test-job"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def run_once(now: str) -> None:
    call_command("run_scheduler", "--once", "--now", now)


def fires(name: str = JOB) -> list[datetime]:
    return list(ScheduledFire.objects.filter(name=name).order_by("due_at").values_list("due_at", flat=True))


def assert_each_fire_has_its_task() -> None:
    """Every recorded fire names a queued task of the job, and every queued task belongs to a fire."""
    task_ids = {str(pk) for pk in DBTaskResult.objects.filter(task_path=TASK).values_list("id", flat=True)}
    fire_task_ids = set(ScheduledFire.objects.values_list("task_result_id", flat=True))
    assert fire_task_ids == task_ids
    assert DBTaskResult.objects.count() == ScheduledFire.objects.count()


@pytest.fixture(autouse=True)
def _test_schedule(settings: Settings) -> None:
    settings.GRIDWORK_SCHEDULE = ((JOB, "*/5 * * * *", TASK),)


@pytest.mark.django_db
def test_a_fire_is_enqueued_once_even_if_the_scheduler_runs_twice() -> None:
    run_once("2026-05-01T10:07")
    run_once("2026-05-01T10:07")
    run_once("2026-05-01T10:09:59")

    assert fires() == [at("2026-05-01 10:05")]
    task_result = DBTaskResult.objects.get()
    assert task_result.task_path == TASK
    assert task_result.status == TaskResultStatus.READY
    assert ScheduledFire.objects.get().task_result_id == str(task_result.id)


@pytest.mark.django_db
def test_the_fires_due_since_the_last_one_are_each_enqueued() -> None:
    run_once("2026-05-01T10:02")  # first start: only the latest fire due, 10:00
    run_once("2026-05-01T10:12:30")  # the scheduler was away: 10:05 and 10:10 are due

    assert fires() == [at("2026-05-01 10:00"), at("2026-05-01 10:05"), at("2026-05-01 10:10")]
    assert_each_fire_has_its_task()


@pytest.mark.django_db
def test_jobs_are_scheduled_each_on_its_own(settings: Settings) -> None:
    settings.GRIDWORK_SCHEDULE = ((JOB, "*/5 * * * *", TASK), ("hourly", "0 * * * *", TASK))

    run_once("2026-05-01T10:02")
    run_once("2026-05-01T11:00")

    assert fires(JOB)[0] == at("2026-05-01 10:00")
    assert len(fires(JOB)) == 13
    assert fires("hourly") == [at("2026-05-01 10:00"), at("2026-05-01 11:00")]
    assert_each_fire_has_its_task()


@pytest.mark.django_db
def test_a_crash_before_the_commit_leaves_nothing_and_the_next_pass_enqueues_the_fire(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_enqueue = DatabaseBackend.enqueue
    seen: list[tuple[int, int]] = []

    def enqueue_then_die(self: DatabaseBackend, *args: Any, **kwargs: Any) -> Any:
        seen.append((ScheduledFire.objects.count(), DBTaskResult.objects.count()))  # recorded, not yet enqueued
        real_enqueue(self, *args, **kwargs)
        seen.append((ScheduledFire.objects.count(), DBTaskResult.objects.count()))  # both written, not committed
        raise RuntimeError("the scheduler dies here")

    monkeypatch.setattr(DatabaseBackend, "enqueue", enqueue_then_die)
    with pytest.raises(CommandError) as failure:
        run_once("2026-05-01T10:07")

    assert failure.value.returncode == 1
    assert seen == [(1, 0), (1, 1)]
    assert ScheduledFire.objects.count() == 0
    assert DBTaskResult.objects.count() == 0

    monkeypatch.setattr(DatabaseBackend, "enqueue", real_enqueue)
    run_once("2026-05-01T10:08")

    assert fires() == [at("2026-05-01 10:05")]
    assert_each_fire_has_its_task()


@pytest.mark.django_db
def test_a_fire_recorded_by_another_scheduler_meanwhile_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    run_once("2026-05-01T10:07")
    # This scheduler read the last fire before the other one recorded 10:05: its insert loses to the unique key.
    monkeypatch.setattr(services, "last_fire", lambda name: at("2026-05-01 10:00"))

    report = scheduler_pass(configured_schedule(), at("2026-05-01 10:07"))

    assert report == PassReport(already_recorded=[(JOB, at("2026-05-01 10:05"))])
    assert fires() == [at("2026-05-01 10:05")]
    assert_each_fire_has_its_task()


@pytest.mark.django_db
def test_a_task_that_cannot_be_imported_fails_its_job_only(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.GRIDWORK_SCHEDULE = (
        ("missing", "*/5 * * * *", "gridwork.jobs.tests.tasks.no_such_task"),
        (JOB, "*/5 * * * *", TASK),
    )

    with pytest.raises(CommandError, match="Could not enqueue: missing"):
        run_once("2026-05-01T10:07")

    assert fires("missing") == []
    assert fires(JOB) == [at("2026-05-01 10:05")]
    assert "cannot import gridwork.jobs.tests.tasks.no_such_task" in caplog.text


@pytest.mark.django_db
def test_now_is_read_in_the_platform_time_zone_and_must_be_a_time() -> None:
    run_once("2026-05-01T02:07:00+00:00")  # 10:07 in Shanghai

    assert fires() == [at("2026-05-01 10:05")]
    with pytest.raises(CommandError, match="not an ISO 8601"):
        run_once("yesterday")
    with pytest.raises(CommandError, match="--now goes with --once"):
        call_command("run_scheduler", "--now", "2026-05-01T10:07")


@pytest.mark.django_db(transaction=True)
def test_schedulers_racing_for_the_same_fire_enqueue_it_once(monkeypatch: pytest.MonkeyPatch) -> None:
    racers = 4
    # Every racer reads the last fire (there is none) before any of them records one: all want 10:05.
    all_have_read = threading.Barrier(racers)
    real_last_fire = services.last_fire

    def last_fire_in_lockstep(name: str) -> datetime | None:
        last = real_last_fire(name)
        all_have_read.wait(timeout=30)
        return last

    monkeypatch.setattr(services, "last_fire", last_fire_in_lockstep)
    entries = configured_schedule()
    reports: list[PassReport | None] = [None] * racers

    def race(i: int) -> None:
        try:
            reports[i] = scheduler_pass(entries, at("2026-05-01 10:07"))
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=(i,)) for i in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert all(report is not None and not report.failed for report in reports), reports
    done = [report for report in reports if report is not None]
    assert sum(len(report.enqueued) for report in done) == 1
    assert sum(len(report.already_recorded) for report in done) == racers - 1
    assert fires() == [at("2026-05-01 10:05")]
    assert_each_fire_has_its_task()


def process_env() -> dict[str, str]:
    """The environment of a process that works on this test's database."""
    database = str(connection.settings_dict["NAME"])
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gridwork.jobs.tests.process_settings"}
    if connection.vendor == "postgresql":
        env["GRIDWORK_PG_NAME"] = database
    else:
        env["GRIDWORK_SQLITE_PATH"] = database
    return env


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_what_the_scheduler_enqueued() -> None:
    run_once("2026-05-01T10:07")

    worker = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        cwd=ROOT,
        env=process_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert worker.returncode == 0, worker.stdout + worker.stderr
    task_result = DBTaskResult.objects.get()
    assert task_result.status == TaskResultStatus.SUCCESSFUL, task_result.traceback
    assert task_result.return_value == "ran"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_scheduler_enqueues_due_fires_and_stops_on_sigterm() -> None:
    scheduler = subprocess.Popen(
        [sys.executable, "manage.py", "run_scheduler"],
        cwd=ROOT,
        env=process_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        enqueued = wait_for(lambda: ScheduledFire.objects.filter(name=JOB).exists(), seconds=60)
        scheduler.send_signal(signal.SIGTERM)
        _, stderr = scheduler.communicate(timeout=30)
    finally:
        if scheduler.poll() is None:
            scheduler.kill()
            scheduler.communicate()

    assert enqueued, stderr
    assert scheduler.returncode == 0, stderr
    assert "Scheduler started: test-job (* * * * *)." in stderr
    assert "SIGTERM received; stopping after this pass." in stderr
    assert "Scheduler stopped." in stderr
    # The job's first start enqueues only its latest due fire (and the next one, if a minute turned meanwhile).
    assert 1 <= len(fires()) <= 2
    assert_each_fire_has_its_task()
