"""The resident units' figures for the co-construction figures page (cobuild): for the units and part-time members
under ``place`` that ``user`` may see (VIEW_PARTY), in the period ``start``–``end`` (both days included).

- ``units``: units sitting in the area registered by the end of the period, ``units_new`` those registered in it, and
  ``units_by_kind``: ``{kind: count}`` of ``units`` for every ``ResidentUnitKind`` (zeros included);
- ``units_registered``: distinct units whose registration (单位报到) with a community of the area is confirmed now and
  was confirmed by the end of the period;
- ``part_time_members``: terms (兼职委员) on the area's 大工委 and 大党委 with a day in office in the period, and
  ``part_time_members_at_end`` those in office on its last day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count
from django.utils import timezone

from gridwork.accounts.roles import Perm
from gridwork.party.flows import RegistrationAction
from gridwork.party.models import PartTimeMember, RegistrationState, UnitRegistration
from gridwork.party.parttime import PART_TIME_KINDS, in_office_between_q, in_term_q
from gridwork.people.models import ResidentUnit, ResidentUnitKind
from gridwork.places.models import Place


def _until(end: date) -> datetime:
    """The first moment after ``end`` (local time)."""
    return datetime.combine(end + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone())


def units_figures(*, user: Any, place: Place, start: date, end: date) -> dict[str, Any]:
    """The figures above as a dict of plain numbers (see the module's docstring)."""
    since = datetime.combine(start, time.min, tzinfo=timezone.get_current_timezone())
    until = _until(end)
    units = ResidentUnit.objects.restrict(user, Perm.VIEW_PARTY).filter(
        place__path__startswith=place.path, created_at__lt=until
    )
    by_kind = dict.fromkeys(ResidentUnitKind.values, 0)
    for kind, count in units.values_list("kind").annotate(count=Count("id")).values_list("kind", "count"):
        by_kind[kind] = by_kind.get(kind, 0) + count

    registered = (
        UnitRegistration.objects.restrict(user, Perm.VIEW_PARTY)
        .filter(
            community__path__startswith=place.path,
            state=RegistrationState.CONFIRMED,
            events__action=RegistrationAction.CONFIRM,
            events__at__lt=until,
        )
        .values("unit_id")
        .distinct()
        .count()
    )

    terms = PartTimeMember.objects.restrict(user, Perm.VIEW_PARTY).filter(
        organisation__place__path__startswith=place.path, organisation__kind__in=PART_TIME_KINDS
    )
    return {
        "units": sum(by_kind.values()),
        "units_new": units.filter(created_at__gte=since).count(),
        "units_by_kind": by_kind,
        "units_registered": registered,
        "part_time_members": terms.filter(in_office_between_q(start, end)).count(),
        "part_time_members_at_end": terms.filter(in_term_q(end)).count(),
    }
