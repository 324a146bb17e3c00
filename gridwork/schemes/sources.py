"""The figures a computed indicator can read (``Indicator.source``): each a ``Source`` of the registry ``SOURCES``.

A source computes one figure for one target over a period, reading the app that owns it — the analytics rollup for
the four rates (never recomputed here), the party organisations, the 双报到 registrations, the workforce's training
and staffing. It returns None when there is nothing to compute from (no matter closed in the period, no grid, no
secretary…): the indicator is then missing, shown as such, never scored as zero.

Target objects by kind: community and grid — a ``places.Place``; estate_party — a ``party.PartyOrganisation``;
secretary — a ``workforce.Worker``; department — a ``places.Department``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gridwork.analytics.periods import Period, PeriodKind
from gridwork.party.models import MemberRegistration, PartyOrganisation, PartyOrgKind, RegistrationState
from gridwork.places.models import Department, Place, PlaceLevel
from gridwork.schemes.models import TargetKind

FOUR_PLACES = Decimal("0.0001")
Compute = Callable[[Any, date, date], Decimal | None]


class Unit:
    PERCENT = "%"
    HOURS = "hours"
    COUNT = "count"


@dataclass(frozen=True)
class Source:
    key: str
    label: str | Promise
    target_kinds: frozenset[str]
    unit: str
    compute: Compute
    how: str | Promise = ""


# --- what a target stands for -----------------------------------------------------------------------------------


def _place_of(target: Any) -> Place | None:
    """The place whose figures are the target's: itself, the organisation's place, the secretary's community."""
    if isinstance(target, Place):
        return target
    if isinstance(target, PartyOrganisation):
        return target.place
    if isinstance(target, Department):
        return None
    community = getattr(target, "community", None)  # a workforce.Worker
    return community if isinstance(community, Place) else None


def community_of(target: Any) -> Place | None:
    """The community a target belongs to (a grid's or an organisation's community; a secretary's community)."""
    place = _place_of(target)
    if place is None:
        return None
    if place.level == PlaceLevel.COMMUNITY:
        return place
    codes = place.ancestor_codes()
    return Place.objects.filter(code__in=codes, level=PlaceLevel.COMMUNITY).first()


def period_between(start: date, end: date) -> Period:
    """The analytics period from ``start`` to ``end`` (inclusive): a named one (a year, a quarter…) when it is one."""
    for kind in (PeriodKind.YEAR, PeriodKind.QUARTER, PeriodKind.MONTH, PeriodKind.WEEK, PeriodKind.DAY):
        period = Period.containing(kind, start)
        if (period.start, period.end) == (start, end):
            return period
    return Period(PeriodKind.DAY, start, end)


def _percent(share: float | None) -> Decimal | None:
    if share is None:
        return None
    return (Decimal(repr(share)) * 100).quantize(FOUR_PLACES)


# --- the analytics rates of the target's unit (三率 and on-time closure) -----------------------------------------


def _rate(name: str) -> Compute:
    def compute(target: Any, start: date, end: date) -> Decimal | None:
        from gridwork.analytics.areas import area_of_department, area_of_place
        from gridwork.analytics.selectors import area_figures

        if isinstance(target, Department):
            area = area_of_department(target)
        else:
            place = _place_of(target)
            if place is None:
                return None
            area = area_of_place(place)
        value = getattr(area_figures(area, period_between(start, end)), name)
        return _percent(value)

    return compute


# --- party organisation ------------------------------------------------------------------------------------------


def grid_branch_share(target: Any, start: date, end: date) -> Decimal | None:
    """一网格一支部: the share of the community's grids served by a party branch (founded by the period's end)."""
    community = community_of(target)
    if community is None:
        return None
    grids = Place.objects.filter(parent=community, level=PlaceLevel.GRID)
    total = grids.count()
    if not total:
        return None
    branches = PartyOrganisation.objects.filter(kind=PartyOrgKind.BRANCH, place__in=grids).filter(
        Q(founded_on__isnull=True) | Q(founded_on__lte=end)
    )
    with_branch = grids.filter(pk__in=branches.values("place_id")).count()
    return _percent(with_branch / total)


def confirmed_members(target: Any, start: date, end: date) -> Decimal | None:
    """双报到: in-service party members confirmed (by the period's end) and still registered in the community —
    or, for a grid or an estate organisation, at a building under its place."""
    place = _place_of(target)
    if place is None:
        return None
    registrations = MemberRegistration.objects.filter(state=RegistrationState.CONFIRMED, confirmed_at__date__lte=end)
    if place.level == PlaceLevel.COMMUNITY:
        registrations = registrations.filter(community=place)
    else:
        registrations = registrations.filter(building__path__startswith=place.path)
    return Decimal(registrations.count())


# --- the workforce (``gridwork.workforce.selectors``, read when computing) -------------------------------------


def _secretary_of(target: Any) -> Any:
    """The worker a secretary target is; for a community, its active secretary (None when it has none)."""
    from gridwork.workforce.models import Worker

    if isinstance(target, Worker):
        return target
    if isinstance(target, Place) and target.level == PlaceLevel.COMMUNITY:
        return Worker.objects.filter(community=target, is_secretary=True, active=True).order_by("pk").first()
    return None


def training_hours(target: Any, start: date, end: date) -> Decimal | None:
    from gridwork.workforce.selectors import training_hours as hours_of

    worker = _secretary_of(target)
    if worker is None:
        return None
    return Decimal(hours_of(worker=worker, start=start, end=end))


def staffing_gap(target: Any, start: date, end: date) -> Decimal | None:
    from gridwork.workforce.selectors import staffing_for

    community = community_of(target)
    if community is None:
        return None
    return Decimal(staffing_for(community).gap)


_UNITS = frozenset({TargetKind.COMMUNITY, TargetKind.ESTATE_PARTY, TargetKind.SECRETARY, TargetKind.GRID})
_WITH_DEPARTMENT = _UNITS | {TargetKind.DEPARTMENT}
_COMMUNITY_LIKE = frozenset({TargetKind.COMMUNITY, TargetKind.SECRETARY, TargetKind.ESTATE_PARTY, TargetKind.GRID})

SOURCES: dict[str, Source] = {
    source.key: source
    for source in (
        Source(
            "satisfaction_rate",
            _("Satisfaction rate of the unit (%)"),
            _WITH_DEPARTMENT,
            Unit.PERCENT,
            _rate("satisfaction_rate"),
            _("满意率 of the target's unit over the round's period, from the analytics figures."),
        ),
        Source(
            "response_rate",
            _("Response rate of the unit (%)"),
            _WITH_DEPARTMENT,
            Unit.PERCENT,
            _rate("response_rate"),
            _("响应率 of the target's unit over the round's period, from the analytics figures."),
        ),
        Source(
            "resolution_rate",
            _("Resolution rate of the unit (%)"),
            _WITH_DEPARTMENT,
            Unit.PERCENT,
            _rate("resolution_rate"),
            _("解决率 of the target's unit over the round's period, from the analytics figures."),
        ),
        Source(
            "on_time_closure_rate",
            _("On-time closure rate of the unit (%)"),
            _WITH_DEPARTMENT,
            Unit.PERCENT,
            _rate("on_time_rate"),
            _("按期结案率 of the target's unit over the round's period, from the analytics figures."),
        ),
        Source(
            "grid_branch_share",
            _("Share of the community's grids with a party branch (%)"),
            _COMMUNITY_LIKE,
            Unit.PERCENT,
            grid_branch_share,
            _("一网格一支部: grids of the community served by a party branch, over all its grids."),
        ),
        Source(
            "confirmed_members",
            _("In-service party members registered (双报到)"),
            _COMMUNITY_LIKE,
            Unit.COUNT,
            confirmed_members,
            _("Confirmed 双报到 registrations in the community (or under the grid or estate) at the period's end."),
        ),
        Source(
            "training_hours",
            _("Secretary's training hours"),
            frozenset({TargetKind.SECRETARY, TargetKind.COMMUNITY}),
            Unit.HOURS,
            training_hours,
            _("Hours of training the secretary (of the community) attended in the period; the minimum is 56 a year."),
        ),
        Source(
            "staffing_gap",
            _("Community workers missing against the staffing standard"),
            frozenset({TargetKind.COMMUNITY, TargetKind.SECRETARY}),
            Unit.COUNT,
            staffing_gap,
            _("The standard's minimum for the community's households less its active workers (0 when staffed)."),
        ),
    )
}


def source_choices(target_kind: str | None = None) -> list[tuple[str, str]]:
    """(key, label) of the sources that fit ``target_kind`` (all when None), for a form."""
    return [
        (source.key, str(source.label))
        for source in SOURCES.values()
        if target_kind is None or target_kind in source.target_kinds
    ]


def compute_figure(key: str, target: Any, start: date, end: date) -> Decimal | None:
    """The figure of source ``key`` for ``target`` over ``start``–``end``; None when there is no data."""
    return SOURCES[key].compute(target, start, end)
