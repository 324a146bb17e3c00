"""The scheduler's writes: record each due fire and enqueue its task, once, in one transaction.

``scheduler_pass`` is one look at the clock: for each entry of the schedule, the fires due since the job's last
recorded fire (``schedule.due_fires``), each recorded and enqueued by ``fire_enqueue``. The run_scheduler
command calls it in a loop, or once.

Why a fire is enqueued once and never lost:

- ``fire_enqueue`` inserts the ``ScheduledFire`` row first, then enqueues the task, then stores the task's id,
  all in one transaction. Two schedulers (or one restarted halfway) that want the same fire both insert it;
  the unique (name, due_at) lets one insert win (PostgreSQL makes the second wait for the first to commit,
  SQLite's BEGIN IMMEDIATE queues whole transactions), and the loser gets an IntegrityError and skips the fire.
- The database backend writes the task's row with the same connection, inside the transaction: if anything
  fails before the commit (the process dies, the task cannot be enqueued), neither the fire nor the task is
  kept, and the next pass finds the fire still due. A backend outside this database (a broker) would lose
  this guarantee: the task could be queued for a fire that then rolls back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django_tasks.base import Task

from gridwork.jobs.models import ScheduledFire
from gridwork.jobs.schedule import ScheduleEntry, due_fires, schedule_zone

logger = logging.getLogger("gridwork.jobs")


@dataclass
class PassReport:
    """What one pass did: fires enqueued (name, due time, task result id), fires another scheduler had
    already recorded, and the names of the entries that failed (logged with their errors)."""

    enqueued: list[tuple[str, datetime, str]] = field(default_factory=list)
    already_recorded: list[tuple[str, datetime]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def fire_enqueue(entry: ScheduleEntry, due_at: datetime, task: Task[Any, Any]) -> str | None:
    """Record the fire of ``entry`` due at ``due_at`` and enqueue ``task``, in one transaction.

    Returns the task result's id, or None when the fire was already recorded (by another scheduler, or by this
    one before a restart): then nothing is enqueued.
    """
    with transaction.atomic():
        try:
            # A savepoint: on PostgreSQL a failed insert would otherwise abort the whole transaction.
            with transaction.atomic():
                fire = ScheduledFire.objects.create(name=entry.name, due_at=due_at)
        except IntegrityError:
            return None
        result = task.enqueue()
        fire.task_result_id = str(result.id)
        fire.save(update_fields=["task_result_id"])
    return fire.task_result_id


def last_fire(name: str) -> datetime | None:
    """When the latest recorded fire of the job ``name`` was due."""
    return ScheduledFire.objects.filter(name=name).order_by("-due_at").values_list("due_at", flat=True).first()


def scheduler_pass(entries: Iterable[ScheduleEntry], now: datetime) -> PassReport:
    """Enqueue every fire due at ``now``. An entry that fails (its task cannot be imported, the database
    refuses) is logged and left for the next pass; the other entries go on."""
    report = PassReport()
    local_now = now.astimezone(schedule_zone())
    for entry in entries:
        try:
            _entry_pass(entry, local_now, report)
        except ImproperlyConfigured as error:  # the task is missing or is not a task: the message says it all
            logger.error("Job %s: %s Not enqueued; retrying next pass.", entry.name, error)
            report.failed.append(entry.name)
        except Exception:
            logger.exception("Job %s: could not enqueue what is due at %s; retrying next pass.", entry.name, local_now)
            report.failed.append(entry.name)
    return report


def _entry_pass(entry: ScheduleEntry, now: datetime, report: PassReport) -> None:
    last = last_fire(entry.name)
    if last is not None:
        last = last.astimezone(now.tzinfo)
    due = due_fires(entry.cron, last=last, now=now)
    if not due.fires:
        return
    if last is None:
        logger.info("Job %s: no fire recorded yet; enqueuing only the latest one due, %s.", entry.name, due.fires[0])
    elif due.skipped:
        logger.warning(
            "Job %s: more than %d fires were missed since %s; enqueuing only the latest %d, from %s.",
            entry.name,
            len(due.fires),
            last,
            len(due.fires),
            due.fires[0],
        )
    task = entry.load_task()  # imported at fire time: the schedule may name a task before its module exists
    for due_at in due.fires:
        result_id = fire_enqueue(entry, due_at, task)
        if result_id is None:
            logger.info("Job %s due at %s: already enqueued by another scheduler; skipped.", entry.name, due_at)
            report.already_recorded.append((entry.name, due_at))
        else:
            logger.info("Job %s due at %s: enqueued %s as task %s.", entry.name, due_at, entry.task_path, result_id)
            report.enqueued.append((entry.name, due_at, result_id))
