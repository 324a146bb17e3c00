"""Build the fictional demo city 明川市: places with boundaries, departments, staff, party and people."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils.translation import gettext as _

from gridwork.demo.build import DEMO_PASSWORD, DemoCityExistsError, demo_city_build, demo_city_reset
from gridwork.demo.plan import DEFAULT_SEED, SCALES
from gridwork.places.models import Place


class Command(BaseCommand):
    help = "Build the demo city (明川市). Every demo account's password is printed at the end."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="city", help="small (for tests) or city")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="the same seed gives the same city")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if any place exists")
        parser.add_argument("--reset", action="store_true", help="delete the demo city first, then build it again")
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="build even though DEBUG is off: the demo accounts have a published password",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and options["reset"]:
            raise CommandError(_("--if-empty and --reset contradict each other; give one of them."))
        if not settings.DEBUG and not options["allow_without_debug"]:
            raise CommandError(
                _(
                    "DEBUG is off, so this may be a production database. The demo accounts share a published "
                    "password; add --allow-without-debug if you really want them here."
                )
            )
        if options["if_empty"] and Place.objects.exists():
            self.stdout.write(_("Places exist already: the demo city is not built again."))
            return
        if options["reset"]:
            self.stdout.write(_("Deleting the demo city…"))
            try:
                deleted = demo_city_reset()
            except DatabaseError as error:
                raise CommandError(
                    _("The demo city could not be deleted, and nothing was: %(error)s") % {"error": error}
                ) from error
            total = sum(deleted.values())
            self.stdout.write(_("Deleted %(total)d rows.") % {"total": total})
            for label, count in sorted(deleted.items()):
                self.stdout.write(f"  {label:<28} {count:>9,}")

        scale = SCALES[options["scale"]]
        self.stdout.write(
            _("Building the demo city at scale “%(scale)s” with seed %(seed)d…")
            % {"scale": scale.name, "seed": options["seed"]}
        )
        try:
            summary = demo_city_build(scale=scale, seed=options["seed"], log=self.stdout.write)
        except DemoCityExistsError as error:
            raise CommandError(str(error)) from error

        self.stdout.write(_("Built in %(seconds).1f s:") % {"seconds": summary.seconds})
        for label, count in summary.counts.items():
            self.stdout.write(f"  {label:<20} {count:>9,}")
        self.stdout.write(
            self.style.SUCCESS(
                _("The demo city is ready. Every demo account's password is %(password)s (see demo_logins).")
                % {"password": DEMO_PASSWORD}
            )
        )
