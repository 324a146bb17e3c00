"""The alliances' figures for the co-construction figures page (cobuild): for the alliances ``user`` may see
(VIEW_PARTY) that are organised at or under ``place``, or have a current member community under it, and that existed
at some time in the period ``start``–``end`` (both days included).

- ``alliances``: those alliances; ``formed``: of them, started in the period;
- ``active_members``: their members on ``end`` (``member_communities`` + ``member_units``);
- ``meetings``: joint meetings (联席会议) held in the period;
- ``short_of_meetings``: of the alliances still active, those with fewer than two meetings in the year of ``end``
  (``year``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q

from gridwork.alliances.models import AllianceMember, JointMeeting
from gridwork.alliances.selectors import active_in, alliances_visible, short_of_meetings, with_counts
from gridwork.places.models import Place


def alliances_figures(*, user: Any, place: Place, start: date, end: date) -> dict[str, Any]:
    """The figures above as a dict of plain numbers (see the module's docstring)."""
    alliances = active_in(alliances_visible(user=user, place=place), first=start, last=end)
    ids = list(alliances.values_list("pk", flat=True))
    members = (
        AllianceMember.objects.filter(alliance_id__in=ids, joined_on__lte=end)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=end))
        .aggregate(
            communities=Count("pk", filter=Q(community__isnull=False)), units=Count("pk", filter=Q(unit__isnull=False))
        )
    )
    communities, units = int(members["communities"] or 0), int(members["units"] or 0)
    return {
        "alliances": len(ids),
        "formed": alliances.filter(started_on__gte=start).count(),
        "active_members": communities + units,
        "member_communities": communities,
        "member_units": units,
        "meetings": JointMeeting.objects.filter(alliance_id__in=ids, held_on__gte=start, held_on__lte=end).count(),
        "short_of_meetings": short_of_meetings(with_counts(alliances, year=end.year, on=end), year=end.year).count(),
        "year": end.year,
    }
