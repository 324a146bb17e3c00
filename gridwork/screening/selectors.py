"""矛盾纠纷排查 — the reads: screenings and the entries found (scoped by VIEW_DISPUTES over the grid: an object outside
the user's scope is not found), the choices of the forms, the parties as told with their names, phone and ID numbers
masked, and the gaps of the screening cycle.

A gap is a grid in the user's scope without a screening for the month of ``on``. It is *flagged* (overdue) from the
due day of the month (``settings.GRIDWORK_SCREENING_DUE_DAY``, default 25) on, and — whatever the day — when the
grid has no screening for the month before either. ``screening_gaps`` reads no clock: the caller gives the day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404

from gridwork.accounts.roles import Perm
from gridwork.common.masking import mask_id_number, mask_phone
from gridwork.places.models import Place, PlaceLevel
from gridwork.screening.models import RiskEntry, Screening

DEFAULT_DUE_DAY = 25


def due_day() -> int:
    """The day of the month from which a grid without the month's screening is overdue (1–28)."""
    value = int(getattr(settings, "GRIDWORK_SCREENING_DUE_DAY", DEFAULT_DUE_DAY))
    return min(max(value, 1), 28)


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month(month: date) -> date:
    return month_start(month_start(month) - timedelta(days=1))


# --- screenings ---------------------------------------------------------------------------------------------------


def screening_list(
    *, user: Any, month: date | None = None, community: Place | None = None, grid: Place | None = None
) -> QuerySet[Screening]:
    """The screenings of the grids in the user's scope, newest month first, with their number of entries."""
    found = (
        Screening.objects.restrict(user, Perm.VIEW_DISPUTES)
        .select_related("grid", "grid__parent", "screened_by")
        .annotate(entry_count=Count("entries"))
        .order_by("-month", "grid__code")
    )
    if month is not None:
        found = found.filter(month=month_start(month))
    if community is not None:
        found = found.filter(grid__path__startswith=community.path)
    if grid is not None:
        found = found.filter(grid=grid)
    return found


def screening_get(*, user: Any, pk: int) -> Screening:
    return get_object_or_404(
        Screening.objects.restrict(user, Perm.VIEW_DISPUTES).select_related("grid", "grid__parent", "screened_by"),
        pk=pk,
    )


def screening_entries(screening: Screening) -> QuerySet[RiskEntry]:
    return screening.entries.select_related("household", "recorded_by").order_by("id")


# --- entries ------------------------------------------------------------------------------------------------------


def entry_list(
    *,
    user: Any,
    status: str = "",
    dispute_type: str = "",
    risk: str = "",
    community: Place | None = None,
    month: date | None = None,
) -> QuerySet[RiskEntry]:
    """The risks and disputes found in the user's grids, newest first."""
    found = (
        RiskEntry.objects.restrict(user, Perm.VIEW_DISPUTES)
        .select_related("screening__grid__parent", "household")
        .order_by("-found_on", "-id")
    )
    if status:
        found = found.filter(status=status)
    if dispute_type:
        found = found.filter(dispute_type=dispute_type)
    if risk:
        found = found.filter(risk=risk)
    if community is not None:
        found = found.filter(screening__grid__path__startswith=community.path)
    if month is not None:
        found = found.filter(screening__month=month_start(month))
    return found


def entry_get(*, user: Any, pk: int) -> RiskEntry:
    return get_object_or_404(
        RiskEntry.objects.restrict(user, Perm.VIEW_DISPUTES).select_related("screening__grid"), pk=pk
    )


# --- the forms' choices -------------------------------------------------------------------------------------------


def grid_choices(*, user: Any, perm: str = Perm.SCREEN_DISPUTES) -> QuerySet[Place]:
    """The grids where the user holds ``perm`` (by default: the grids they may screen)."""
    return Place.objects.restrict(user, perm).filter(level=PlaceLevel.GRID).select_related("parent").order_by("code")


def community_choices(*, user: Any) -> QuerySet[Place]:
    """The communities whose screening the user sees (for the filters)."""
    return Place.objects.restrict(user, Perm.VIEW_DISPUTES).filter(level=PlaceLevel.COMMUNITY).order_by("code")


def household_choices(*, user: Any, grid: Place | None = None) -> QuerySet[Place]:
    """The households under the grids the user may screen (under ``grid`` only when given)."""
    found = Place.objects.restrict(user, Perm.SCREEN_DISPUTES).filter(level=PlaceLevel.HOUSEHOLD)
    if grid is not None:
        found = found.filter(path__startswith=grid.path)
    return found.order_by("code")


# --- the parties as told, masked ----------------------------------------------------------------------------------

_NUMBER = re.compile(r"[0-9]+[Xx]?")
_WORD = re.compile(r"[\u3400-\u9fff]{2,}|[A-Za-z]{2,}")


def mask_parties(text: str) -> str:
    """The parties as told, masked: a phone number to its first three and last four digits, an ID number to its
    region and last four characters, other digits (house numbers) to ``*``, and every run of Chinese characters or
    letters to its first character (Chinese has no spaces, so a run may hold a place and a name: 301室张桂芳 →
    ***室***, never a readable name)."""

    def number(match: re.Match[str]) -> str:
        digits = match.group(0)
        if len(digits) >= 15:
            return mask_id_number(digits)
        return mask_phone(digits) if len(digits) >= 6 else "*" * len(digits)

    text = _NUMBER.sub(number, text)
    return _WORD.sub(lambda match: match.group(0)[0] + "*" * (len(match.group(0)) - 1), text)


def parties_shown(entry: RiskEntry, *, user: Any) -> str:
    """The parties as a page shows them: masked for everyone (the case, once registered, shows them in full to those
    with VIEW_DISPUTE_PARTIES, audited)."""
    return mask_parties(entry.parties)


# --- gaps ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """A grid without a screening for ``month``; ``flagged`` when overdue (see the module's docstring)."""

    grid: Place
    month: date
    overdue: bool  # the due day of the month has come
    missed_last_month: bool  # and the month before has no screening either
    last_screened: date | None  # the month of the grid's latest screening, if any

    @property
    def flagged(self) -> bool:
        return self.overdue or self.missed_last_month


def _unscreened(grids: QuerySet[Place], month: date) -> QuerySet[Place]:
    screened = Screening.objects.filter(grid=OuterRef("pk"))
    return (
        grids.filter(level=PlaceLevel.GRID)
        .annotate(
            has_this=Exists(screened.filter(month=month)),
            has_last=Exists(screened.filter(month=previous_month(month))),
        )
        .filter(has_this=False)
        .select_related("parent")
        .order_by("code")
    )


def screening_gaps(user: Any, *, on: date) -> list[Gap]:
    """The grids in the user's scope (VIEW_DISPUTES) without a screening for the month of ``on``, flagged ones first,
    then by code."""
    month = month_start(on)
    grids = _unscreened(Place.objects.restrict(user, Perm.VIEW_DISPUTES), month)
    latest: dict[int, date] = {}
    for grid_id, screened in (
        Screening.objects.filter(grid__in=grids.values("pk")).order_by("grid_id", "month").values_list("grid", "month")
    ):
        latest[grid_id] = screened
    overdue = on.day >= due_day()
    gaps = [
        Gap(
            grid=grid,
            month=month,
            overdue=overdue,
            missed_last_month=not grid.has_last,  # type: ignore[attr-defined]
            last_screened=latest.get(grid.pk),
        )
        for grid in grids
    ]
    return sorted(gaps, key=lambda gap: (not gap.flagged, gap.grid.code))


def unscreened_grids(*, on: date) -> list[Place]:
    """Every grid without a screening for the month of ``on`` (the due day's reminder; no user's scope)."""
    return list(_unscreened(Place.objects.all(), month_start(on)))


def gap_counts(gaps: list[Gap]) -> dict[str, int]:
    return {
        "total": len(gaps),
        "flagged": sum(1 for gap in gaps if gap.flagged),
        "missed_last_month": sum(1 for gap in gaps if gap.missed_last_month),
    }


def entry_status_counts(entries: QuerySet[RiskEntry]) -> dict[str, int]:
    return dict(entries.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n"))
