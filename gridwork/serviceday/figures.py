"""The figures of a service day cycle, with what each one counts (shown beside them on the pages and in the export).

- **opinions**: the opinions gathered (from the public form, from matters, recorded by staff); **taken up**: those
  sorted into an item that was not dropped;
- **items**: the items offered (not dropped); **done** / **not done**: their results on the service day;
- **ratings** and **average rating**: the residents' ratings of the items (1–5 stars), and their mean;
- **residents taking part**: the distinct accounts that gave an opinion or rated, plus each opinion given without an
  account; **volunteers**: the distinct registered party members named as helpers; **units**: the distinct resident
  units named as helpers; **participants**: the three added up;
- **late stages**: the stages completed after their due date, or not completed and past it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.db.models import Avg, Count, Q
from django.utils.translation import gettext_lazy as _

from gridwork.serviceday.calendar import late_stages
from gridwork.serviceday.models import ItemRating, ItemState, Opinion, ServiceCycle

DEFINITIONS: tuple[tuple[Any, Any], ...] = (
    (_("Opinions"), _("Opinions gathered: from the public form, from matters, and recorded by staff.")),
    (_("Taken up"), _("Opinions sorted into an item that was not dropped.")),
    (_("Items"), _("Items offered on the service day (dropped items left out).")),
    (_("Done"), _("Items recorded as done on the service day.")),
    (_("Not done"), _("Items recorded as not done, each with the reason.")),
    (_("Ratings"), _("Residents' ratings of the items, 1 to 5 stars, one per resident and item.")),
    (_("Average rating"), _("The mean of the ratings, in stars.")),
    (
        _("Residents taking part"),
        _("Distinct accounts that gave an opinion or rated, plus each opinion given without an account."),
    ),
    (_("Volunteers"), _("Distinct registered party members (双报到) named as helpers of an item.")),
    (_("Units"), _("Distinct resident units named as helpers of an item.")),
    (_("Participants"), _("Residents taking part, volunteers and units added up.")),
    (_("Late stages"), _("Stages completed after their due date, or not completed and past it.")),
)


@dataclass(frozen=True)
class CycleFigures:
    opinions: int
    taken_up: int
    items: int
    done: int
    not_done: int
    ratings: int
    average_rating: float | None
    residents: int
    volunteers: int
    units: int
    late: int

    @property
    def participants(self) -> int:
        return self.residents + self.volunteers + self.units

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "participants": self.participants}


def cycle_figures(cycle: ServiceCycle, *, on: date) -> CycleFigures:
    """The figures of ``cycle`` as they stand (late stages counted on ``on``)."""
    opinions = Opinion.objects.filter(cycle=cycle)
    offered = cycle.items.exclude(state=ItemState.DROPPED)
    counts = offered.aggregate(
        items=Count("id", distinct=True),
        done=Count("id", filter=Q(state=ItemState.DONE), distinct=True),
        not_done=Count("id", filter=Q(state=ItemState.NOT_DONE), distinct=True),
        volunteers=Count("members", distinct=True),
        units=Count("units", distinct=True),
    )
    ratings = ItemRating.objects.filter(item__cycle=cycle).aggregate(count=Count("id"), average=Avg("stars"))
    givers = set(opinions.filter(user__isnull=False).values_list("user_id", flat=True))
    raters = set(ItemRating.objects.filter(item__cycle=cycle).values_list("user_id", flat=True))
    average = ratings["average"]
    return CycleFigures(
        opinions=opinions.count(),
        taken_up=opinions.filter(item__isnull=False).exclude(item__state=ItemState.DROPPED).count(),
        items=counts["items"],
        done=counts["done"],
        not_done=counts["not_done"],
        ratings=ratings["count"],
        average_rating=round(float(average), 2) if average is not None else None,
        residents=len(givers | raters) + opinions.filter(user__isnull=True).count(),
        volunteers=counts["volunteers"],
        units=counts["units"],
        late=len(late_stages(cycle, on)),
    )
