"""manage.py api_token create --user USERNAME --name NAME [--days N] | list | revoke --prefix PREFIX

``create`` prints the new token alone on its last line (it is shown only this once): the token acts as that
staff account, in its scope. Each creation and revocation is audited (as the system, from the command line).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridwork.accounts.models import User
from gridwork.api.models import ApiToken
from gridwork.api.services import api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "Create, list or revoke API tokens of other systems."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        create = commands.add_parser("create", help="Create a token; prints it alone on the last line.")
        create.add_argument("--user", required=True, help="The staff account the token acts as.")
        create.add_argument("--name", required=True, help="The system that will use it.")
        create.add_argument("--days", type=int, default=None, help="Expire after this many days (default: never).")
        commands.add_parser("list", help="List the tokens (never the tokens themselves).")
        revoke = commands.add_parser("revoke", help="Revoke a token by its prefix.")
        revoke.add_argument("--prefix", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        match options["command"]:
            case "create":
                self._create(options["user"], options["name"], options["days"])
            case "list":
                for token in ApiToken.objects.select_related("user").order_by("created_at"):
                    state = "revoked" if token.revoked_at else "active" if token.is_usable else "expired"
                    self.stdout.write(f"{token.prefix}\t{state}\t{token.user.get_username()}\t{token.name}")
            case "revoke":
                found = ApiToken.objects.filter(prefix=options["prefix"]).first()
                if found is None:
                    raise CommandError(f"No token with the prefix {options['prefix']!r}.")
                api_token_revoke(actor=None, token=found)
                self.stdout.write(f"Revoked {found.prefix}.")

    def _create(self, username: str, name: str, days: int | None) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        try:
            issued = api_token_create(actor=None, user=user, name=name, days=days)
        except ValidationError as error:
            raise CommandError(
                "; ".join(f"{field}: {' '.join(m)}" for field, m in error.message_dict.items())
            ) from error
        self.stdout.write(f"Token {issued.token.prefix}… for {username} ({name}); it is shown only now:")
        self.stdout.write(issued.key)
