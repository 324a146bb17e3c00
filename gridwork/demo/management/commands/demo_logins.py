"""Print the demo accounts to sign in with, and their shared password."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from gridwork.demo.build import DEMO_PASSWORD
from gridwork.demo.logins import demo_logins


def _width(text: str) -> int:
    """Columns the text takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(character) in "WF" else 1 for character in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "List the demo accounts (the main ones and one per level) and their shared password."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = demo_logins()
        if not logins:
            self.stdout.write(_("No demo data: run “manage.py demo_city” to build the demo city."))
            return
        header = (_("Username"), _("Name"), _("Role"), _("Unit"))
        rows = [header, *((login.username, login.full_name, login.role, login.unit) for login in logins)]
        widths = [max(_width(row[column]) for row in rows) for column in range(len(header))]
        rule = "  ".join("-" * width for width in widths)
        self.stdout.write(_("Demo accounts (every one has the password %(password)s):") % {"password": DEMO_PASSWORD})
        for index, row in enumerate(rows):
            self.stdout.write("  ".join(_pad(cell, width) for cell, width in zip(row, widths, strict=True)).rstrip())
            if index == 0:
                self.stdout.write(rule)
        self.stdout.write(
            _("Other accounts follow the same pattern: district02, street002, community0002, grid00002, dept….")
        )
