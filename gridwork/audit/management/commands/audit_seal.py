"""``manage.py audit_seal``: seal the committed audit rows not yet in the hash chain (the scheduler does it every
minute; run it by hand before a verification that must cover everything written so far)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gridwork.audit.chain import seal_pending


class Command(BaseCommand):
    help = "Seal the audit rows written since the last sealing into the audit log's hash chain."

    def handle(self, *args: Any, **options: Any) -> None:
        sealed = seal_pending()
        self.stdout.write(f"sealed {sealed} audit rows")
