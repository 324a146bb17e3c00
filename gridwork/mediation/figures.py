"""The dispute figures (矛盾纠纷化解统计): per unit (city, district, street, community, grid) and period (a month, a
quarter or a year), what the screening found and what the mediation made of it.

``dispute_figures(user=, place=, period=, today=)`` counts, of what ``user`` may see (VIEW_DISPUTES) under ``place``
(the place and everything below it), for the days of ``period`` (China time, both ends included):

- ``disputes_found``: risks and disputes found on screening (``screening.RiskEntry``, by the day found);
- ``cases_registered``: dispute cases registered in the period;
- ``mediated``: cases with at least one mediation session held in the period;
- ``agreements``: mediation agreements (调解协议书) signed in the period;
- ``concluded``: cases whose mediation concluded in the period, whatever the outcome; ``successful``: those concluded
  with an agreement or a partial agreement; ``success_rate`` = successful ÷ concluded, in per cent (failed and
  withdrawn cases count in the divisor; cases referred without a mediation outcome do not);
- ``agreements_performed``: of the agreements signed in the period, those whose latest recorded follow-up (回访, to
  ``today``) found them performed; ``agreements_followed_up``: those with any recorded follow-up;
- ``referrals``: referrals (诉调对接) made in the period;
- ``average_days_to_settle``: over the cases concluded in the period, the mean of the days from registration to the
  conclusion (fractions of a day kept, one decimal shown);
- ``grid_months`` and ``grid_months_screened``: for the months of the period that have begun by ``today``, the grids
  under the place (as they are now) times those months, and how many of those grid-months have a screening;
  ``screening_coverage`` = screened ÷ grid-months, in per cent (for a month: the share of grids screened).

A case belongs to the grid where the dispute arose, or to its community when no grid is known: such a case counts in
the community's row (and above) and in no grid's. Rates and averages are None when there is nothing to divide by.

``figures_table`` gives a row per unit: the unit chosen (the total), then each unit right under it that the user
sees. ``COLUMNS`` names the columns the page and the workbook show, with their definitions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gridwork.accounts.roles import Perm
from gridwork.analytics.periods import Period, PeriodKind
from gridwork.common.scope import minimal_paths
from gridwork.mediation.models import (
    Agreement,
    DisputeCase,
    FollowUp,
    MediationSession,
    Outcome,
    Performance,
    Referral,
)
from gridwork.places.models import Place, PlaceLevel
from gridwork.screening.models import RiskEntry, Screening

FIGURE_LEVELS = (PlaceLevel.CITY, PlaceLevel.DISTRICT, PlaceLevel.STREET, PlaceLevel.COMMUNITY, PlaceLevel.GRID)
CHOSEN_LEVELS = (PlaceLevel.CITY, PlaceLevel.DISTRICT, PlaceLevel.STREET, PlaceLevel.COMMUNITY)  # in the picker
PERIOD_KINDS = (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR)
SUCCESSFUL = (Outcome.AGREEMENT, Outcome.PARTIAL)
HUNDRED = Decimal(100)
ONE_PLACE = Decimal("0.1")
DAY_SECONDS = Decimal(86400)


def bounds(period: Period) -> tuple[datetime, datetime]:
    """The moments the period's first day begins and the day after its last begins, in the platform's time zone."""
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(period.start, time.min, tzinfo=zone),
        datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=zone),
    )


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def months_begun(period: Period, today: date) -> list[date]:
    """The first days of the period's months that have begun by ``today``."""
    months: list[date] = []
    cursor = period.start.replace(day=1)
    while cursor <= period.end and cursor <= today:
        months.append(cursor)
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return months


@dataclass(frozen=True)
class DisputeFigures:
    disputes_found: int
    cases_registered: int
    mediated: int
    agreements: int
    concluded: int
    successful: int
    success_rate: Decimal | None
    agreements_performed: int
    agreements_followed_up: int
    referrals: int
    average_days_to_settle: Decimal | None
    grid_months: int
    grid_months_screened: int
    screening_coverage: Decimal | None


def _cases(user: Any, place: Place) -> QuerySet[DisputeCase]:
    return DisputeCase.objects.restrict(user, Perm.VIEW_DISPUTES).filter(place__path__startswith=place.path)


def dispute_figures(*, user: Any, place: Place, period: Period, today: date | None = None) -> DisputeFigures:
    """The figures of the module's docstring for ``place`` and ``period``."""
    today = today or timezone.localdate()
    since, until = bounds(period)
    cases = _cases(user, place)

    found = (
        RiskEntry.objects.restrict(user, Perm.VIEW_DISPUTES)
        .filter(screening__grid__path__startswith=place.path, found_on__range=(period.start, period.end))
        .count()
    )
    registered = cases.filter(registered_at__gte=since, registered_at__lt=until).count()
    mediated = cases.filter(
        Exists(MediationSession.objects.filter(case=OuterRef("pk"), held_at__gte=since, held_at__lt=until))
    ).count()

    concluded = cases.filter(concluded_at__gte=since, concluded_at__lt=until).exclude(outcome="")
    durations = list(concluded.values_list("registered_at", "concluded_at", "outcome"))
    successful = sum(1 for _registered, _concluded, outcome in durations if outcome in SUCCESSFUL)
    average: Decimal | None = None
    if durations:
        spans = [end - start for start, end, _outcome in durations if end is not None]
        seconds = sum((Decimal(str(span.total_seconds())) for span in spans), Decimal(0))
        average = (seconds / DAY_SECONDS / len(spans)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)

    agreements = Agreement.objects.filter(
        case__in=cases.values("pk"), signed_on__range=(period.start, period.end)
    ).values_list("pk", flat=True)
    agreement_ids = list(agreements)
    latest: dict[int, str] = {}
    follow_ups = (
        FollowUp.objects.filter(agreement_id__in=agreement_ids, done_on__isnull=False, done_on__lte=today)
        .order_by("agreement_id", "done_on", "id")
        .values_list("agreement_id", "result")
    )
    for agreement_id, result in follow_ups:
        latest[agreement_id] = result  # the last one of each agreement wins

    referrals = Referral.objects.filter(
        case__in=cases.values("pk"), referred_at__gte=since, referred_at__lt=until
    ).count()

    months = months_begun(period, today)
    grids = Place.objects.restrict(user, Perm.VIEW_DISPUTES).filter(level=PlaceLevel.GRID, path__startswith=place.path)
    grid_count = grids.count()
    screened = (
        Screening.objects.filter(grid__in=grids.values("pk"), month__in=months).count() if months and grid_count else 0
    )
    grid_months = grid_count * len(months)

    return DisputeFigures(
        disputes_found=found,
        cases_registered=registered,
        mediated=mediated,
        agreements=len(agreement_ids),
        concluded=len(durations),
        successful=successful,
        success_rate=percent(successful, len(durations)),
        agreements_performed=sum(1 for result in latest.values() if result == Performance.PERFORMED),
        agreements_followed_up=len(latest),
        referrals=referrals,
        average_days_to_settle=average,
        grid_months=grid_months,
        grid_months_screened=screened,
        screening_coverage=percent(screened, grid_months),
    )


@dataclass(frozen=True)
class FigureRow:
    place: Place
    is_total: bool
    figures: DisputeFigures


def figure_places(*, user: Any, area: Place) -> list[Place]:
    """The rows' places: the area, then the units right under it (down to grids) that the user sees."""
    if area.level == PlaceLevel.GRID:
        return [area]
    children = (
        Place.objects.restrict(user, Perm.VIEW_DISPUTES).filter(parent=area, level__in=FIGURE_LEVELS).order_by("code")
    )
    return [area, *children]


def figures_table(*, user: Any, area: Place, period: Period, today: date | None = None) -> list[FigureRow]:
    """A row per place of ``figure_places``; the first (the area) is the total."""
    return [
        FigureRow(
            place=place,
            is_total=index == 0,
            figures=dispute_figures(user=user, place=place, period=period, today=today),
        )
        for index, place in enumerate(figure_places(user=user, area=area))
    ]


def area_choices(*, user: Any) -> QuerySet[Place]:
    """The units the page's picker offers: from the city down to the communities, in the user's scope (a grid is
    reached from its community's table)."""
    return Place.objects.restrict(user, Perm.VIEW_DISPUTES).filter(level__in=CHOSEN_LEVELS).order_by("path")


def area_get(*, user: Any, code: str) -> Place | None:
    """The unit of ``code`` when the user sees its figures, else None."""
    return Place.objects.restrict(user, Perm.VIEW_DISPUTES).filter(code=code, level__in=FIGURE_LEVELS).first()


def default_area(*, user: Any) -> Place | None:
    """The highest unit where the user holds VIEW_DISPUTES (the first, if several)."""
    for path in minimal_paths(user.scope_paths(Perm.VIEW_DISPUTES)):
        place = Place.objects.filter(path=path, level__in=FIGURE_LEVELS).first()
        if place is not None:
            return place
    return None


# --- the columns of the page and the workbook, with their definitions ------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise | str
    definition: Promise | str
    kind: str = "count"  # count, percent, days


COLUMNS: tuple[Column, ...] = (
    Column("disputes_found", _("Disputes found"), _("Risks and disputes found on screening in the period.")),
    Column("cases_registered", _("Cases registered"), _("Dispute cases registered in the period.")),
    Column("mediated", _("Mediated"), _("Cases with at least one mediation session held in the period.")),
    Column("agreements", _("Agreements"), _("Mediation agreements signed in the period.")),
    Column("concluded", _("Concluded"), _("Cases whose mediation concluded in the period, whatever the outcome.")),
    Column(
        "success_rate",
        _("Success rate"),
        _(
            "Cases concluded in the period with an agreement or a partial agreement, divided by all cases concluded in "
            "the period (failed and withdrawn ones included; cases referred without a mediation outcome are not)."
        ),
        "percent",
    ),
    Column(
        "agreements_performed",
        _("Agreements performed"),
        _("Agreements signed in the period whose latest recorded follow-up found them performed."),
    ),
    Column("referrals", _("Referrals"), _("Cases referred to a court, arbitration, petition office or department.")),
    Column(
        "average_days_to_settle",
        _("Average days to settle"),
        _("For the cases concluded in the period: the mean number of days from registration to the conclusion."),
        "days",
    ),
    Column(
        "screening_coverage",
        _("Screening coverage"),
        _(
            "Grid-months screened divided by grid-months: the grids under the unit times the months of the period "
            "begun so far (for a month, the share of grids screened)."
        ),
        "percent",
    ),
)


def value_at(row: FigureRow, column: Column) -> Any:
    return getattr(row.figures, column.key)


def shown(value: Any, column: Column) -> str:
    """The value as the page shows it: a per cent sign on rates, "—" for nothing to divide by."""
    if value is None:
        return "—"
    if column.kind == "percent":
        return f"{value}%"
    return str(value)
