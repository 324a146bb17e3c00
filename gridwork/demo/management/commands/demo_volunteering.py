"""Fill the demo city with a season of party members' and volunteers' work (双报到, 微心愿, 点单, 积分, 包联)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridwork.demo.fill import DemoFillCommand, FillSummary
from gridwork.demo.logins import demo_phone_logins
from gridwork.demo.volunteering import (
    DEFAULT_SEED,
    MAX_COMMUNITIES,
    demo_volunteering_build,
    demo_volunteering_exists,
)


class Command(DemoFillCommand):
    help = (
        "Fill the first communities of the demo city with about two months of party members' and volunteers' work: "
        "registrations (双报到), micro-wishes, volunteer orders, points and households in difficulty, all made "
        "through the services."
    )
    default_seed = DEFAULT_SEED
    max_communities = MAX_COMMUNITIES
    seed_help = "the same seed gives the same season"
    if_empty_help = "do nothing when registrations, wishes or orders exist already"
    debug_help = "build even though DEBUG is off: the demo people have published phone numbers"
    debug_refusal = gettext_lazy(
        "DEBUG is off, so this may be a production database. The demo people sign in with published "
        "phone numbers; add --allow-without-debug if you really want them here."
    )
    there_already = gettext_lazy("Party members' and volunteers' work is there already: nothing is added.")
    cannot_again = gettext_lazy(
        "Registrations, wishes or orders exist already; their events cannot be deleted. Rebuild the "
        "demo database (make demo) to fill it again."
    )
    filling = gettext_lazy("Filling the demo city with party members' and volunteers' work (seed %(seed)d)…")

    def exists(self) -> bool:
        return demo_volunteering_exists()

    def build(self, *, seed: int, communities: int, log: Callable[[str], Any]) -> FillSummary:
        return demo_volunteering_build(seed=seed, communities=communities, log=log)

    def after(self, summary: FillSummary) -> None:
        for login in demo_phone_logins():
            self.stdout.write(
                self.style.SUCCESS(
                    _("%(role)s: sign in by phone %(phone)s at %(url)s")
                    % {"role": login.role, "phone": login.phone, "url": login.url}
                )
            )
