"""Print the demo accounts to sign in with, and their shared password."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from gridwork.demo.build import DEMO_PASSWORD
from gridwork.demo.logins import DemoPhoneLogin, demo_logins, demo_phone_logins


def _width(text: str) -> int:
    """Columns the text takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(character) in "WF" else 1 for character in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    """The rows as aligned columns, a rule under the first (the header)."""
    widths = [max(_width(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = ["  ".join(_pad(cell, width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    return [lines[0], "  ".join("-" * width for width in widths), *lines[1:]]


def _phone_rows(logins: list[DemoPhoneLogin]) -> list[tuple[str, ...]]:
    header = (_("Phone"), _("Name"), _("Who"), _("Unit"), _("Sign in at"))
    return [header, *((login.phone, login.full_name, login.role, login.unit, login.url) for login in logins)]


class Command(BaseCommand):
    help = (
        "List the demo accounts (the main ones and one per level) and their shared password, and the demo party "
        "member and unit contact who sign in by phone."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        logins = demo_logins()
        if not logins:
            self.stdout.write(_("No demo data: run “manage.py demo_city” to build the demo city."))
            return
        header = (_("Username"), _("Name"), _("Role"), _("Unit"))
        rows = [header, *((login.username, login.full_name, login.role, login.unit) for login in logins)]
        self.stdout.write(_("Demo accounts (every one has the password %(password)s):") % {"password": DEMO_PASSWORD})
        for line in _table(rows):
            self.stdout.write(line)
        self.stdout.write(
            _("Other accounts follow the same pattern: district02, street002, community0002, grid00002, dept….")
        )
        phone_logins = demo_phone_logins()
        if not phone_logins:
            self.stdout.write(
                _("Run “manage.py demo_volunteering” for a party member and a unit contact who sign in by phone.")
            )
            return
        self.stdout.write("")
        self.stdout.write(
            _(
                "Demo people who sign in by phone: open the address below and ask for a code; with make run the "
                "code is printed in this terminal (“SMS to …”)."
            )
        )
        for line in _table(_phone_rows(phone_logins)):
            self.stdout.write(line)
