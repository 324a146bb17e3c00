"""``manage.py audit_purge``: delete the audit rows older than ``GRIDWORK_AUDIT_RETENTION_DAYS`` (what the nightly
``audit-purge`` job does), with their links of the hash chain; a checkpoint records where the chain now starts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridwork.audit import retention
from gridwork.audit.chain import seal_pending


class Command(BaseCommand):
    help = "Purge audit rows older than the retention period (at least 183 days); the chain goes on from a checkpoint."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="keep this many days (default: the setting)")

    def handle(self, *args: Any, **options: Any) -> None:
        seal_pending()
        try:
            done = retention.purge(days=options["days"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"rows older than {done.before:%Y-%m-%d %H:%M}: {done.rows} purged")
        if done.checkpoint is not None:
            self.stdout.write(f"the chain now starts after position {done.checkpoint}")
