"""manage.py run_scheduler [--once] [--now ISO]: enqueue the periodic jobs of GRIDWORK_SCHEDULE when they fall due.

Without --once it runs until SIGTERM or SIGINT (Ctrl-C): a pass, then a sleep until the next fire of any job,
waking at least every 30 seconds (to pick up fires missed while the clock jumped, or while the database was
away). A signal lets the pass under way finish (each fire is one short transaction), then it stops.

With --once it makes one pass and exits, for cron (`* * * * * manage.py run_scheduler --once`) and for tests;
--now sets the clock of that pass. It exits with status 1 if a job could not be enqueued.

Run as many schedulers as you like: each fire is enqueued once (see gridwork/jobs/services.py). The tasks run in
`manage.py db_worker`.
"""

from __future__ import annotations

import logging
import signal
import time
from datetime import datetime
from types import FrameType
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from gridwork.jobs.schedule import ScheduleEntry, configured_schedule, schedule_zone, seconds_to_next_fire
from gridwork.jobs.services import scheduler_pass

logger = logging.getLogger("gridwork.jobs")

LONGEST_SLEEP_SECONDS = 30.0
NAP_SECONDS = 0.5
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def parse_now(text: str) -> datetime:
    """An ISO 8601 date and time; without an offset, in the platform's time zone."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--now: {text!r} is not an ISO 8601 date and time (2026-05-01T09:30+08:00).") from error
    return value if timezone.is_aware(value) else timezone.make_aware(value, schedule_zone())


class Command(BaseCommand):
    help = "Enqueue the periodic jobs of GRIDWORK_SCHEDULE when they fall due; with --once, one pass and exit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Make one pass, enqueue what is due, and exit.")
        parser.add_argument(
            "--now",
            metavar="ISO",
            help="With --once: the time of the pass (default: the clock), e.g. 2026-05-01T09:30.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            entries = configured_schedule()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        if options["now"] and not options["once"]:
            raise CommandError("--now goes with --once.")
        if options["once"]:
            now = parse_now(options["now"]) if options["now"] else timezone.now()
            report = scheduler_pass(entries, now)
            if report.failed:
                raise CommandError(f"Could not enqueue: {', '.join(report.failed)} (see the log).", returncode=1)
            return
        self.loop(entries)

    def loop(self, entries: tuple[ScheduleEntry, ...]) -> None:
        stopping: list[str] = []  # the signal received; a handler only records it (it may run mid-transaction)

        def stop(signum: int, frame: FrameType | None) -> None:
            if not stopping:
                logger.info("Scheduler: %s received; stopping after this pass.", signal.Signals(signum).name)
            stopping.append(signal.Signals(signum).name)

        previous = {signum: signal.signal(signum, stop) for signum in STOP_SIGNALS}
        logger.info(
            "Scheduler started: %s.", ", ".join(f"{entry.name} ({entry.cron})" for entry in entries) or "no jobs"
        )
        try:
            while not stopping:
                close_old_connections()
                scheduler_pass(entries, timezone.now())
                close_old_connections()
                wake_at = time.monotonic() + seconds_to_next_fire(entries, timezone.now(), LONGEST_SLEEP_SECONDS)
                # Short naps: a signal caught by another thread (numpy's, say) does not interrupt this one's sleep,
                # and Python runs the handler only between two naps.
                while not stopping and (left := wake_at - time.monotonic()) > 0:
                    time.sleep(min(left, NAP_SECONDS))
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        logger.info("Scheduler stopped.")
