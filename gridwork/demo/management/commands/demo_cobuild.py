"""Fill the demo city with its co-construction: resident units, part-time members, the three lists, contracts and
alliances (共建, 三张清单, 契约化共建, 党建联盟)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridwork.demo.cobuild import (
    DEFAULT_SEED,
    MAX_COMMUNITIES,
    demo_cobuild_build,
    demo_cobuild_exists,
)
from gridwork.demo.fill import DemoFillCommand, FillSummary
from gridwork.demo.logins import demo_phone_logins


class Command(DemoFillCommand):
    help = (
        "Fill the first communities of the demo city with about fifteen months of co-construction: resident units "
        "and their contacts, part-time members, needs, resources, matches and projects, contracts at every stage "
        "and party-building alliances, all made through the services."
    )
    default_seed = DEFAULT_SEED
    max_communities = MAX_COMMUNITIES
    seed_help = "the same seed gives the same history"
    if_empty_help = "do nothing when needs, resources, projects, contracts or alliances exist already"
    debug_help = "build even though DEBUG is off: the demo unit contact has a published phone number"
    debug_refusal = gettext_lazy(
        "DEBUG is off, so this may be a production database. The demo people sign in with published "
        "phone numbers; add --allow-without-debug if you really want them here."
    )
    there_already = gettext_lazy("Co-construction work is there already: nothing is added.")
    cannot_again = gettext_lazy(
        "Needs, resources, projects, contracts or alliances exist already; their events cannot be "
        "deleted. Rebuild the demo database (make demo) to fill it again."
    )
    filling = gettext_lazy("Filling the demo city with co-construction work (seed %(seed)d)…")

    def exists(self) -> bool:
        return demo_cobuild_exists()

    def build(self, *, seed: int, communities: int, log: Callable[[str], Any]) -> FillSummary:
        return demo_cobuild_build(seed=seed, communities=communities, log=log)

    def after(self, summary: FillSummary) -> None:
        for login in demo_phone_logins():
            self.stdout.write(
                self.style.SUCCESS(
                    _("%(role)s: sign in by phone %(phone)s at %(url)s")
                    % {"role": login.role, "phone": login.phone, "url": login.url}
                )
            )
