"""Fill the demo city with its co-construction: resident units, part-time members, the three lists, contracts and
alliances (共建, 三张清单, 契约化共建, 党建联盟)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gridwork.demo.build import demo_city_exists
from gridwork.demo.cobuild import (
    DEFAULT_SEED,
    MAX_COMMUNITIES,
    demo_cobuild_build,
    demo_cobuild_exists,
)
from gridwork.demo.logins import demo_phone_logins


class Command(BaseCommand):
    help = (
        "Fill the first communities of the demo city with about fifteen months of co-construction: resident units "
        "and their contacts, part-time members, needs, resources, matches and projects, contracts at every stage "
        "and party-building alliances, all made through the services."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="the same seed gives the same history")
        parser.add_argument(
            "--communities", type=int, default=MAX_COMMUNITIES, help="in how many communities (the first by code)"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when needs, resources, projects, contracts or alliances exist already",
        )
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="build even though DEBUG is off: the demo unit contact has a published phone number",
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
        if demo_cobuild_exists():
            if options["if_empty"]:
                self.stdout.write(_("Co-construction work is there already: nothing is added."))
                return
            raise CommandError(
                _(
                    "Needs, resources, projects, contracts or alliances exist already; their events cannot be "
                    "deleted. Rebuild the demo database (make demo) to fill it again."
                )
            )
        self.stdout.write(
            _("Filling the demo city with co-construction work (seed %(seed)d)…") % {"seed": options["seed"]}
        )
        summary = demo_cobuild_build(seed=options["seed"], communities=options["communities"], log=self.stdout.write)
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
