"""Manage the Open311 clients' API keys: ``create --name NAME`` (prints the key alone on its last line), ``list``
and ``revoke --prefix PREFIX``. Creating and revoking are audited, as from the staff pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from gridwork.open311.selectors import open311_key_by_prefix, open311_key_list
from gridwork.open311.services import open311_key_create, open311_key_revoke

ACTOR_NAME = "manage.py open311_key"


class Command(BaseCommand):
    help = "Create, list or revoke the API keys of Open311 clients."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        create = commands.add_parser("create", help="issue a key; the key is printed alone on the last line")
        create.add_argument("--name", required=True, help="who uses the key")
        commands.add_parser("list", help="every key: prefix, status, name, created, last used")
        revoke = commands.add_parser("revoke", help="refuse a key from now on")
        revoke.add_argument("--prefix", required=True, help="the 8 characters after o311_")

    def handle(self, *args: Any, **options: Any) -> None:
        match options["action"]:
            case "create":
                self._create(options["name"])
            case "list":
                self._list()
            case "revoke":
                self._revoke(options["prefix"])

    def _create(self, name: str) -> None:
        try:
            key, secret = open311_key_create(actor=None, name=name, actor_name=ACTOR_NAME)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"Open311 key {key.prefix} for {key.name}. It is shown once; keep it safe:")
        self.stdout.write(secret)

    def _list(self) -> None:
        for key in open311_key_list():
            status = "active" if key.is_active else "revoked"
            last_used = timezone.localtime(key.last_used_at).strftime("%Y-%m-%d %H:%M") if key.last_used_at else "-"
            created = timezone.localtime(key.created_at).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"{key.prefix}\t{status}\t{key.name}\tcreated {created}\tlast used {last_used}")

    def _revoke(self, prefix: str) -> None:
        key = open311_key_by_prefix(prefix.strip().removeprefix("o311_")[:8])
        if key is None:
            raise CommandError(f"No Open311 key with the prefix {prefix}.")
        if open311_key_revoke(actor=None, key=key, actor_name=ACTOR_NAME):
            self.stdout.write(f"Revoked {key.prefix} ({key.name}).")
        else:
            self.stdout.write(f"{key.prefix} ({key.name}) was revoked already.")
