"""``manage.py audit_verify``: recompute the audit log's hash chain from the rows as they are and report every row
edited, deleted or slipped in, every link removed or forged. Exit status 1 when anything is found; the head hash
printed is the value to keep outside the system (a printed report, another system's log) to catch a rewritten chain.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridwork.audit.chain import verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exit status 1 if any row was edited, deleted or inserted unsealed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--max-findings", type=int, default=100, help="stop listing after this many findings")

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify(max_findings=options["max_findings"])
        self.stdout.write(f"sealed rows checked: {result.sealed}")
        self.stdout.write(f"rows written in the last minutes, not yet sealed: {result.unsealed_recent}")
        self.stdout.write(f"head hash: {result.head}")
        for finding in result.findings:
            where = f"position {finding.sequence}" if finding.sequence is not None else "no position"
            self.stdout.write(f"{finding.kind.upper()}: audit row {finding.event_id} ({where}): {finding.detail}")
        if not result.intact:
            raise CommandError(f"the audit log's chain is broken: {len(result.findings)} finding(s)")
        self.stdout.write(self.style.SUCCESS("the audit log's chain is intact"))
