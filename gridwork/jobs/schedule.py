"""The schedule of periodic jobs (``settings.GRIDWORK_SCHEDULE``) and the fires it makes due. No database here.

An entry is ``(name, cron expression, dotted path of a django-tasks task)``:

- the **name** identifies the job's fires in ``ScheduledFire``: renaming a job starts it afresh;
- the **cron expression** has the five classic fields (minute hour day-of-month month day-of-week), read by
  ``cronsim`` with Debian cron's rules, in the platform's time zone (``settings.TIME_ZONE``, Asia/Shanghai);
- the **task** is a django-tasks ``@task`` function taking no arguments. It is imported only when a fire is
  due (the module may not exist yet when the schedule names it); the system check only reads the path.

Which fires are due (``due_fires``):

- on a job's first start (no fire recorded), only the most recent due one: a new job, or one whose name
  changed, runs once now rather than once for every past time its expression matches;
- afterwards, every fire since the last recorded one, oldest first: a scheduler stopped for ten minutes
  catches up the two sweeps it missed. At most ``CATCH_UP_LIMIT`` of them, the most recent: after a long
  outage the job runs a dozen times, not once per missed five minutes; the older fires are skipped and
  logged.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from cronsim import CronSim, CronSimError
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task

CRON_FIELDS = 5
CATCH_UP_LIMIT = 12
NAME_MAX_LENGTH = 100  # ScheduledFire.name
DOTTED_PATH_RE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$", re.ASCII)


@dataclass(frozen=True)
class ScheduleEntry:
    """One periodic job: fires at the times ``cron`` matches, each enqueuing the task at ``task_path``."""

    name: str
    cron: str
    task_path: str

    def load_task(self) -> Task[Any, Any]:
        """The task, imported now; ``ImproperlyConfigured`` if the path names no task that takes no arguments."""
        try:
            task = import_string(self.task_path)
        except ImportError as error:
            raise ImproperlyConfigured(
                f"Schedule entry {self.name!r}: cannot import {self.task_path} ({error})."
            ) from error
        if not isinstance(task, Task):
            raise ImproperlyConfigured(
                f"Schedule entry {self.name!r}: {self.task_path} is not a django-tasks task (decorate it with @task)."
            )
        try:
            inspect.signature(task.func).bind()
        except TypeError as error:
            raise ImproperlyConfigured(
                f"Schedule entry {self.name!r}: {self.task_path} must take no arguments ({error})."
            ) from error
        return task


@dataclass(frozen=True)
class DueFires:
    """The fires to enqueue now, oldest first; ``skipped`` says older missed fires were left out."""

    fires: tuple[datetime, ...]
    skipped: bool = False


def schedule_zone() -> tzinfo:
    """The time zone the cron expressions are read in."""
    return timezone.get_default_timezone()


def cron_problem(cron: object) -> str | None:
    """Why ``cron`` is not a usable five-field cron expression, or None if it is."""
    if not isinstance(cron, str) or len(cron.split()) != CRON_FIELDS:
        return f"{cron!r} is not a cron expression of {CRON_FIELDS} fields (minute hour day month weekday)"
    try:
        next(CronSim(cron, timezone.now().astimezone(schedule_zone())))
    except CronSimError as error:
        return f"{cron!r} is not a valid cron expression: {error}"
    except StopIteration:
        return f"{cron!r} never fires"
    return None


def schedule_problems(raw: object) -> list[str]:
    """Every problem of a ``GRIDWORK_SCHEDULE`` value, without importing any task; empty if there is none."""
    if not isinstance(raw, list | tuple):
        return ["GRIDWORK_SCHEDULE must be a tuple of (name, cron expression, task path) entries"]
    problems: list[str] = []
    names: set[str] = set()
    for position, item in enumerate(raw, start=1):
        where = f"GRIDWORK_SCHEDULE entry {position}"
        if not isinstance(item, list | tuple) or len(item) != 3:
            problems.append(f"{where} must be (name, cron expression, task path), not {item!r}")
            continue
        name, cron, task_path = item
        if not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX_LENGTH:
            problems.append(f"{where}: the name must be a non-empty text of at most {NAME_MAX_LENGTH} characters")
        elif name in names:
            problems.append(f"{where}: the name {name!r} is used twice")
        else:
            names.add(name)
        if problem := cron_problem(cron):
            problems.append(f"{where} ({name!r}): {problem}")
        if not isinstance(task_path, str) or not DOTTED_PATH_RE.match(task_path):
            problems.append(f"{where} ({name!r}): {task_path!r} is not a dotted path such as 'package.module.task'")
    return problems


def parse_schedule(raw: Sequence[Sequence[str]]) -> tuple[ScheduleEntry, ...]:
    """The entries of a schedule; ``ImproperlyConfigured`` listing every problem if it has any."""
    if problems := schedule_problems(raw):
        raise ImproperlyConfigured("; ".join(problems))
    return tuple(ScheduleEntry(name, cron, task_path) for name, cron, task_path in raw)


def configured_schedule() -> tuple[ScheduleEntry, ...]:
    """The entries of ``settings.GRIDWORK_SCHEDULE``."""
    return parse_schedule(getattr(settings, "GRIDWORK_SCHEDULE", ()))


def _fires_back_from(cron: str, now: datetime) -> Iterator[datetime]:
    """The times ``cron`` matches at or before ``now``, latest first."""
    # CronSim steps one second before it looks, and works in whole seconds: start one second after now.
    start = now.astimezone(schedule_zone()).replace(microsecond=0) + timedelta(seconds=1)
    return CronSim(cron, start, reverse=True)


def due_fires(cron: str, *, last: datetime | None, now: datetime, limit: int = CATCH_UP_LIMIT) -> DueFires:
    """The fires of ``cron`` due at ``now`` after the ``last`` one recorded (see the module's docstring)."""
    wanted = 1 if last is None else limit
    fires: list[datetime] = []
    for fire in _fires_back_from(cron, now):
        if last is not None and fire <= last:
            return DueFires(tuple(reversed(fires)))
        if len(fires) == wanted:
            return DueFires(tuple(reversed(fires)), skipped=last is not None)
        fires.append(fire)
    return DueFires(tuple(reversed(fires)))


def next_fire(cron: str, now: datetime) -> datetime | None:
    """The first time after ``now`` that ``cron`` matches (None if it never will again)."""
    try:
        return next(CronSim(cron, now.astimezone(schedule_zone())))
    except StopIteration:
        return None


def seconds_to_next_fire(entries: Sequence[ScheduleEntry], now: datetime, longest: float) -> float:
    """How long to sleep from ``now`` until the next fire of any entry, at most ``longest`` seconds."""
    upcoming = [fire for entry in entries if (fire := next_fire(entry.cron, now)) is not None]
    if not upcoming:
        return longest
    return max(0.0, min(longest, (min(upcoming) - now).total_seconds()))
