"""manage.py analytics_rebuild

Recounts the whole rollup (``DailyRollup``) from the matters, their events and the red deadline alerts, and replaces
the table in one transaction (``analytics.rebuild``). Run it after loading matters past the services (an import, the
demo data) or to check the table: the rows it writes are what the live counting should already hold. Prints how many
matters and events it read and how many rows the table holds now. ``--if-empty`` (what ``make run`` does) rebuilds
only when there are matters and no rollup yet: a database filled before the rollup existed.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gridwork.analytics.models import DailyRollup
from gridwork.analytics.rebuild import rebuild_rollup
from gridwork.matters.models import Matter


class Command(BaseCommand):
    help = "Recount the analysis rollup from the matters' events and deadline alerts (replaces the table)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="only when there are matters and the rollup is empty"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and (DailyRollup.objects.exists() or not Matter.objects.exists()):
            self.stdout.write("The rollup is there already (or there are no matters).")
            return
        started = time.monotonic()
        report = rebuild_rollup()
        self.stdout.write(
            f"Rollup rebuilt in {time.monotonic() - started:.1f}s: "
            f"matters {report.matters}, events {report.events}, rows {report.rows}."
        )
