"""manage.py import_data KIND FILE [--as USERNAME]: import a file; problems are printed as file:row:column: reason.

Without --as the import runs as the system, unrestricted by scope (for loading a new city); with --as it
runs as that staff member, within their scope. Exits with status 1 when the file is rejected.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridwork.accounts.models import User, UserKind
from gridwork.accounts.roles import Perm
from gridwork.common.tabular import ImportRejected
from gridwork.imports.services import import_run
from gridwork.imports.specs import SPECS


class Command(BaseCommand):
    help = "Import places, party organisations, staff, party members or boundaries from a file; all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(SPECS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--as", dest="username", help="Import as this staff member, within their scope.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        actor = None
        if options["username"]:
            actor = User.objects.filter(username=options["username"], kind=UserKind.STAFF, is_active=True).first()
            if actor is None:
                raise CommandError(f"No active staff member is called {options['username']!r}.")
            if not actor.has_perm_anywhere(Perm.IMPORT_DATA):
                raise CommandError(f"{actor.username} holds no post that may import data.")
        try:
            result = import_run(actor=actor, kind=options["kind"], file_name=path.name, data=data)
        except ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(rejected.problems)} problem(s) in {path.name}; nothing was imported.", returncode=1
            ) from None
        encoding = f" (read as {result.encoding})" if result.encoding else ""
        self.stdout.write(self.style.SUCCESS(f"Imported {result.rows_imported} rows from {path.name}{encoding}."))
