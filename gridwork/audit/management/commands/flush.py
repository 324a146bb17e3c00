"""``flush``, refusing to erase the audit log unless the settings allow it (only the test settings do).

Django's test cases that commit (live-server and browser tests) empty the database with ``flush`` after each
test. The audit log's triggers refuse that, as they refuse any erasure; under ``AUDIT_LOG_FLUSHABLE`` this
command lifts them for the flush and puts them back, in every case.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.commands import flush
from django.db import connections

from gridwork.audit import triggers


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        if not getattr(settings, "AUDIT_LOG_FLUSHABLE", False):
            super().handle(**options)
            return
        connection = connections[options["database"]]
        tables = triggers.existing_append_only_tables(connection)
        for table in tables:
            triggers.remove(connection, table)
        try:
            super().handle(**options)
        finally:
            for table in tables:
                triggers.install(connection, table)
