"""Fill the demo city with a season of party members' and volunteers' work (双报到, 微心愿, 点单, 积分, 包联)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gridwork.demo.build import demo_city_exists
from gridwork.demo.logins import demo_phone_logins
from gridwork.demo.volunteering import (
    DEFAULT_SEED,
    MAX_COMMUNITIES,
    demo_volunteering_build,
    demo_volunteering_exists,
)


class Command(BaseCommand):
    help = (
        "Fill the first communities of the demo city with about two months of party members' and volunteers' work: "
        "registrations (双报到), micro-wishes, volunteer orders, points and households in difficulty, all made "
        "through the services."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="the same seed gives the same season")
        parser.add_argument(
            "--communities", type=int, default=MAX_COMMUNITIES, help="in how many communities (the first by code)"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when registrations, wishes or orders exist already"
        )
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="build even though DEBUG is off: the demo people have published phone numbers",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_without_debug"]:
            raise CommandError(
                _(
                    "DEBUG is off, so this may be a production database. The demo people sign in with published "
                    "phone numbers; add --allow-without-debug if you really want them here."
                )
            )
        if options["communities"] < 1:
            raise CommandError(_("--communities must be at least 1."))
        if not demo_city_exists():
            self.stdout.write(_("No demo city: run “manage.py demo_city” first."))
            return
        if demo_volunteering_exists():
            if options["if_empty"]:
                self.stdout.write(_("Party members' and volunteers' work is there already: nothing is added."))
                return
            raise CommandError(
                _(
                    "Registrations, wishes or orders exist already; their events cannot be deleted. Rebuild the "
                    "demo database (make demo) to fill it again."
                )
            )
        self.stdout.write(
            _("Filling the demo city with party members' and volunteers' work (seed %(seed)d)…")
            % {"seed": options["seed"]}
        )
        summary = demo_volunteering_build(
            seed=options["seed"], communities=options["communities"], log=self.stdout.write
        )
        if not summary.communities:
            return
        self.stdout.write(
            _("Built in %(seconds).1f s, in %(communities)s:")
            % {"seconds": summary.seconds, "communities": "、".join(summary.communities)}
        )
        for label, count in summary.counts.items():
            self.stdout.write(f"  {label:<36} {count:>7,}")
        for login in demo_phone_logins():
            self.stdout.write(
                self.style.SUCCESS(
                    _("%(role)s: sign in by phone %(phone)s at %(url)s")
                    % {"role": login.role, "phone": login.phone, "url": login.url}
                )
            )
