"""The schedule without a database: which fires are due, when to wake, and what a bad entry is."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from gridwork.jobs.schedule import (
    CATCH_UP_LIMIT,
    DueFires,
    ScheduleEntry,
    due_fires,
    next_fire,
    parse_schedule,
    schedule_problems,
    seconds_to_next_fire,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
EVERY_5 = "*/5 * * * *"
TASK = "gridwork.jobs.tests.tasks.record_run"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_first_start_takes_only_the_latest_due_fire() -> None:
    assert due_fires(EVERY_5, last=None, now=at("2026-05-01 10:07")) == DueFires((at("2026-05-01 10:05"),))


def test_a_fire_is_due_at_its_very_second() -> None:
    assert due_fires(EVERY_5, last=None, now=at("2026-05-01 10:05")).fires == (at("2026-05-01 10:05"),)
    assert due_fires(EVERY_5, last=None, now=at("2026-05-01 10:04:59.999")).fires == (at("2026-05-01 10:00"),)


def test_every_fire_after_the_last_recorded_one_is_due_oldest_first() -> None:
    due = due_fires(EVERY_5, last=at("2026-05-01 10:00"), now=at("2026-05-01 10:12:30"))

    assert due == DueFires((at("2026-05-01 10:05"), at("2026-05-01 10:10")))


def test_nothing_is_due_until_the_next_fire() -> None:
    assert due_fires(EVERY_5, last=at("2026-05-01 10:05"), now=at("2026-05-01 10:09:59")) == DueFires(())


def test_after_a_long_outage_only_the_latest_fires_are_due() -> None:
    due = due_fires(EVERY_5, last=at("2026-05-01 00:00"), now=at("2026-05-01 10:00"))

    assert due.skipped
    assert len(due.fires) == CATCH_UP_LIMIT
    assert due.fires[0] == at("2026-05-01 09:05")
    assert due.fires[-1] == at("2026-05-01 10:00")


def test_exactly_the_limit_of_missed_fires_skips_none() -> None:
    due = due_fires(EVERY_5, last=at("2026-05-01 09:00"), now=at("2026-05-01 10:00"))

    assert not due.skipped
    assert due.fires == (*(at(f"2026-05-01 09:{minute:02d}") for minute in range(5, 60, 5)), at("2026-05-01 10:00"))


def test_expressions_are_read_in_the_platform_time_zone() -> None:
    assert settings.TIME_ZONE == "Asia/Shanghai"
    now_utc = datetime(2026, 5, 1, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai

    assert due_fires("0 2 * * *", last=None, now=now_utc).fires == (at("2026-05-01 02:00"),)
    assert next_fire("0 2 * * *", now_utc) == at("2026-05-02 02:00")


def test_the_scheduler_sleeps_until_the_next_fire_and_no_longer_than_the_limit() -> None:
    every_5 = ScheduleEntry("a", EVERY_5, TASK)
    hourly = ScheduleEntry("b", "0 * * * *", TASK)

    assert seconds_to_next_fire([every_5, hourly], at("2026-05-01 10:04:50"), 30) == 10
    assert seconds_to_next_fire([hourly], at("2026-05-01 10:04:50"), 30) == 30
    assert seconds_to_next_fire([], at("2026-05-01 10:04:50"), 30) == 30


def test_the_configured_schedule_is_valid_and_sweeps_supervision() -> None:
    assert schedule_problems(settings.GRIDWORK_SCHEDULE) == []
    assert parse_schedule(settings.GRIDWORK_SCHEDULE)[0] == ScheduleEntry(
        "supervision-sweep", EVERY_5, "gridwork.supervision.tasks.sweep_deadlines"
    )


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (("sweep", "*/5 * * *", TASK), "is not a cron expression of 5 fields"),
        (("sweep", "0 */5 * * * *", TASK), "is not a cron expression of 5 fields"),
        (("sweep", "61 * * * *", TASK), "is not a valid cron expression: Bad minute"),
        (("sweep", "0 0 31 2 *", TASK), "is not a valid cron expression: Bad day-of-month"),
        (("sweep", "every 5 minutes of hours", TASK), "is not a valid cron expression"),
        (("sweep", EVERY_5, "sweep_deadlines"), "is not a dotted path"),
        (("sweep", EVERY_5, "gridwork.supervision.tasks:sweep"), "is not a dotted path"),
        (("", EVERY_5, TASK), "the name must be a non-empty text"),
        (("sweep", EVERY_5), "must be (name, cron expression, task path)"),
    ],
)
def test_a_bad_entry_is_reported_with_its_position(entry: tuple[str, ...], problem: str) -> None:
    problems = schedule_problems((("fine", EVERY_5, TASK), entry))

    assert len(problems) == 1
    assert problems[0].startswith("GRIDWORK_SCHEDULE entry 2")
    assert problem in problems[0]
    with pytest.raises(ImproperlyConfigured, match="entry 2"):
        parse_schedule((("fine", EVERY_5, TASK), entry))  # type: ignore[arg-type]


def test_a_name_used_twice_is_reported() -> None:
    assert schedule_problems((("sweep", EVERY_5, TASK), ("sweep", "0 * * * *", TASK))) == [
        "GRIDWORK_SCHEDULE entry 2: the name 'sweep' is used twice"
    ]


def test_the_task_is_imported_when_loaded_and_must_be_a_task_without_arguments() -> None:
    from gridwork.jobs.tests.tasks import record_run

    assert ScheduleEntry("sweep", EVERY_5, TASK).load_task() is record_run
    for path, problem in [
        ("gridwork.jobs.tests.no_such_module.task", "cannot import"),
        ("gridwork.jobs.tests.tasks.no_such_task", "cannot import"),
        ("gridwork.jobs.tests.tasks.not_a_task", "is not a django-tasks task"),
        ("gridwork.jobs.tests.tasks.takes_an_argument", "must take no arguments"),
    ]:
        with pytest.raises(ImproperlyConfigured, match=problem):
            ScheduleEntry("sweep", EVERY_5, path).load_task()
