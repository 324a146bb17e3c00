"""Reads of the three-zero units: incidents and applications in the user's scope, the deciding figures of an applicant
and year, and the year's 三零 units.

The figures of an applicant count only its own subtree (a street: every community and grid under it and the units
sitting there; a community: its grids and units) and only the calendar year applied for; a resident unit's figures
count only the incidents recorded against the unit itself.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from gridwork.accounts.roles import Perm
from gridwork.common.scope import holds_over, minimal_paths, paths_q
from gridwork.mediation.models import DisputeCase, Referral
from gridwork.people.models import ResidentUnit
from gridwork.places.models import Place, PlaceLevel
from gridwork.threezero.models import Application, ApplicationState, Incident, IncidentKind

APPLICANT_LEVELS: tuple[str, ...] = (PlaceLevel.STREET, PlaceLevel.COMMUNITY)
INCIDENT_LEVELS: tuple[str, ...] = (PlaceLevel.STREET, PlaceLevel.COMMUNITY, PlaceLevel.GRID)


@dataclass(frozen=True)
class Figures:
    """What decides a 三零 year (the three counts) and, for information, the year's dispute cases and how many of
    them were referred (None for a resident unit: cases are not recorded against units)."""

    accidents: int
    petitions: int
    cases: int
    disputes: int | None
    referrals: int | None

    @property
    def zero(self) -> bool:
        return self.accidents == 0 and self.petitions == 0 and self.cases == 0


def figures_of(*, year: int, place: Place, unit: ResidentUnit | None = None) -> Figures:
    """The figures of an applicant (``place``, or ``unit``) for ``year``, worked out now."""
    incidents = Incident.objects.filter(occurred_on__year=year)
    incidents = (
        incidents.filter(unit=unit) if unit is not None else incidents.filter(place__path__startswith=place.path)
    )
    counts = incidents.aggregate(
        accidents=Count("id", filter=Q(kind=IncidentKind.ACCIDENT)),
        petitions=Count("id", filter=Q(kind=IncidentKind.PETITION)),
        cases=Count("id", filter=Q(kind=IncidentKind.CASE)),
    )
    disputes = referrals = None
    if unit is None:
        disputes = DisputeCase.objects.filter(place__path__startswith=place.path, registered_at__year=year).count()
        referrals = (
            Referral.objects.filter(case__place__path__startswith=place.path, referred_at__year=year)
            .values("case_id")
            .distinct()
            .count()
        )
    return Figures(
        accidents=counts["accidents"],
        petitions=counts["petitions"],
        cases=counts["cases"],
        disputes=disputes,
        referrals=referrals,
    )


def application_figures(application: Application) -> Figures:
    """The figures as they are now for the application's applicant and year."""
    return figures_of(year=application.year, place=application.place, unit=application.unit)


def _count_under(paths: list[str], prefix: str) -> int:
    """How many of the sorted ``paths`` start with ``prefix``."""
    return bisect_left(paths, prefix + "\uffff") - bisect_left(paths, prefix)


def live_figures(applications: Iterable[Application]) -> dict[int, Figures]:
    """The figures as they are now for many applications at once (by application pk): a few queries per year, not
    per application; the same counts as ``figures_of``."""
    by_year: dict[int, list[Application]] = defaultdict(list)
    for application in applications:
        by_year[application.year].append(application)
    found: dict[int, Figures] = {}
    for year, group in by_year.items():
        roots = [a.place.path for a in group if a.unit_id is None]
        units = [a.unit_id for a in group if a.unit_id is not None]
        place_incidents: dict[str, list[str]] = {kind: [] for kind in IncidentKind.values}
        unit_incidents: dict[tuple[int, str], int] = defaultdict(int)
        incidents = Incident.objects.filter(occurred_on__year=year).filter(
            paths_q("place__path", roots) | Q(unit_id__in=units)
        )
        for kind, path, unit_id in incidents.values_list("kind", "place__path", "unit_id"):
            place_incidents[kind].append(path)
            if unit_id is not None:
                unit_incidents[(unit_id, kind)] += 1
        for paths in place_incidents.values():
            paths.sort()
        disputes = sorted(
            DisputeCase.objects.filter(paths_q("place__path", roots), registered_at__year=year).values_list(
                "place__path", flat=True
            )
        )
        referred = sorted(
            path
            for _case, path in set(
                Referral.objects.filter(paths_q("case__place__path", roots), referred_at__year=year).values_list(
                    "case_id", "case__place__path"
                )
            )
        )
        for application in group:
            if application.unit_id is not None:
                found[application.pk] = Figures(
                    accidents=unit_incidents[(application.unit_id, IncidentKind.ACCIDENT)],
                    petitions=unit_incidents[(application.unit_id, IncidentKind.PETITION)],
                    cases=unit_incidents[(application.unit_id, IncidentKind.CASE)],
                    disputes=None,
                    referrals=None,
                )
                continue
            root = application.place.path
            found[application.pk] = Figures(
                accidents=_count_under(place_incidents[IncidentKind.ACCIDENT], root),
                petitions=_count_under(place_incidents[IncidentKind.PETITION], root),
                cases=_count_under(place_incidents[IncidentKind.CASE], root),
                disputes=_count_under(disputes, root),
                referrals=_count_under(referred, root),
            )
    return found


def shown_figures(applications: Iterable[Application]) -> dict[int, tuple[Figures, bool]]:
    """What a list shows for each application: the snapshot once reviewed (True), else the live figures (False)."""
    applications = list(applications)
    live = live_figures(a for a in applications if a.figures_at is None)
    shown: dict[int, tuple[Figures, bool]] = {}
    for application in applications:
        snapshot = snapshot_of(application)
        shown[application.pk] = (snapshot, True) if snapshot is not None else (live[application.pk], False)
    return shown


def snapshot_of(application: Application) -> Figures | None:
    """The figures kept at review, or None before."""
    if application.figures_at is None:
        return None
    return Figures(
        accidents=application.accidents_count or 0,
        petitions=application.petitions_count or 0,
        cases=application.cases_count or 0,
        disputes=application.disputes_count,
        referrals=application.referrals_count,
    )


# --- incidents ------------------------------------------------------------------------------------------------------


def incident_list(
    *, user: Any, year: int | None = None, kind: str = "", area: Place | None = None
) -> QuerySet[Incident]:
    found = Incident.objects.restrict(user, Perm.VIEW_DISPUTES).select_related("place", "unit", "recorded_by")
    if year is not None:
        found = found.filter(occurred_on__year=year)
    if kind:
        found = found.filter(kind=kind)
    if area is not None:
        found = found.filter(place__path__startswith=area.path)
    return found.order_by("-occurred_on", "-id")


def incident_place_choices(*, user: Any) -> QuerySet[Place]:
    """Streets, communities and grids where the user may record incidents."""
    return Place.objects.restrict(user, Perm.MANAGE_DISPUTES).filter(level__in=INCIDENT_LEVELS).order_by("path")


def incident_place_by_code(*, user: Any, code: str) -> Place | None:
    return incident_place_choices(user=user).filter(code=code.strip()).first() if code.strip() else None


def unit_by_credit_code(*, user: Any, credit_code: str) -> ResidentUnit | None:
    """The resident unit with this credit code, if it sits in the user's MANAGE_DISPUTES scope."""
    code = credit_code.strip().upper()
    if not code:
        return None
    return (
        ResidentUnit.objects.restrict(user, Perm.MANAGE_DISPUTES)
        .select_related("place")
        .filter(credit_code=code)
        .first()
    )


def area_choices(*, user: Any) -> QuerySet[Place]:
    """Streets and communities in the user's VIEW_DISPUTES scope, for the lists' filters."""
    return Place.objects.restrict(user, Perm.VIEW_DISPUTES).filter(level__in=APPLICANT_LEVELS).order_by("path")


# --- applications ---------------------------------------------------------------------------------------------------


def application_list(*, user: Any, year: int | None = None, state: str = "") -> QuerySet[Application]:
    found = Application.objects.restrict(user, Perm.VIEW_DISPUTES).select_related("place", "unit", "reviewer")
    if year is not None:
        found = found.filter(year=year)
    if state:
        found = found.filter(state=state)
    return found.order_by("-year", "place__path", "id")


def application_for(*, user: Any, pk: int) -> Application:
    """The application if it lies in the user's VIEW_DISPUTES scope; 404 otherwise."""
    return get_object_or_404(
        Application.objects.restrict(user, Perm.VIEW_DISPUTES).select_related(
            "place", "unit", "reviewer", "applied_by"
        ),
        pk=pk,
    )


def application_events(application: Application) -> QuerySet[Any]:
    return application.events.order_by("sequence")


def applicant_place_choices(*, user: Any) -> QuerySet[Place]:
    """Streets and communities for which the user may apply."""
    return Place.objects.restrict(user, Perm.MANAGE_DISPUTES).filter(level__in=APPLICANT_LEVELS).order_by("path")


def three_zero_units(*, user: Any, year: int) -> QuerySet[Application]:
    """The applicants granted 三零 status for ``year``, in the user's scope."""
    return application_list(user=user, year=year, state=ApplicationState.GRANTED)


def application_years(*, user: Any) -> list[int]:
    return sorted(
        set(Application.objects.restrict(user, Perm.VIEW_DISPUTES).values_list("year", flat=True)), reverse=True
    )


def may_review(user: Any, application: Application) -> bool:
    return holds_over(user, Perm.REVIEW_THREE_ZERO, application.place)


def may_manage(user: Any, place: Place) -> bool:
    return holds_over(user, Perm.MANAGE_DISPUTES, place)


def scope_places(*, user: Any) -> QuerySet[Place]:
    """The places at the top of the user's VIEW_DISPUTES scope (for the export's "area")."""
    if not getattr(user, "is_authenticated", False):
        return Place.objects.none()
    return Place.objects.filter(path__in=minimal_paths(user.scope_paths(Perm.VIEW_DISPUTES))).order_by("path")
