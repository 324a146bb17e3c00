"""Warning the community's staff of gaps in their branches' organisation life (the daily schedule job).

Each gap of the periods that ended last (``life.recent_gaps``) is told once: a ``LifeGapWarning`` row per branch,
meeting and period (unique in the database), so a second run the same day, or the next days, tells nobody again.
Who is told: the staff who run activities (MANAGE_CENTRES) at the branch's community; when it has none, at the
nearest unit above it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.accounts.selectors import users_holding
from gridwork.activities.life import Gap, recent_gaps
from gridwork.activities.models import LifeGapWarning
from gridwork.places.models import Place


def _ancestors_nearest_first(place: Place) -> list[Place]:
    paths = place.ancestor_paths(include_self=True)
    by_path = {p.path: p for p in Place.objects.filter(path__in=paths)}
    return [by_path[path] for path in reversed(paths) if path in by_path]


def gap_recipients(branch: Any) -> list[Any]:
    """Who runs the branch's community's activities (MANAGE_CENTRES held at its place or the nearest unit above it
    that has such staff)."""
    for place in _ancestors_nearest_first(branch.place):
        users = users_holding(Perm.MANAGE_CENTRES, place_id=place.pk)
        if users:
            return users
    return []


def gap_text(gap: Gap) -> str:
    return _("%(branch)s held no %(meeting)s in %(period)s (required %(rule)s); record it, or hold it now.") % {
        "branch": gap.branch.name,
        "meeting": gap.requirement.label,
        "period": gap.period.label,
        "rule": gap.requirement.rule,
    }


def life_warn_gaps(*, on: date | None = None, at: datetime | None = None) -> int:
    """Tell each branch's community staff of the gaps of the periods that ended last, once per gap. Returns how many
    gaps were newly warned of."""
    from gridwork.notifications.services import notification_send
    from gridwork.party.models import PartyOrganisation, PartyOrgKind

    today = on or timezone.localdate()
    at = at or timezone.now()
    branches = list(PartyOrganisation.objects.filter(kind=PartyOrgKind.BRANCH).select_related("place").order_by("code"))
    warned = 0
    for gap in recent_gaps(branches, today=today):
        try:
            with transaction.atomic():
                LifeGapWarning.objects.create(
                    organisation=gap.branch, kind=gap.requirement.kind, period=gap.period.code, warned_at=at
                )
        except IntegrityError:
            continue
        recipients = gap_recipients(gap.branch)
        url = f"{reverse('activities:life')}?year={gap.period.year}"
        notification_send(recipients=recipients, text=gap_text(gap), url=url)
        warned += 1
    return warned
