"""What every analysis page reads from its query string — the unit (``area``) and the period (``period``, ``on``) —
and the links that carry them from one page to the next."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, JsonResponse

from gridwork.analytics.areas import Area, AreaNotFound, area_for, root_areas
from gridwork.analytics.periods import Period, PeriodError, PeriodKind, parse_period


@dataclass(frozen=True)
class Selection:
    """The unit and period a page shows; ``error`` is why the period asked for was not understood (this month is
    shown instead)."""

    area: Area
    period: Period
    roots: list[Area] = field(default_factory=list)
    error: str = ""

    def query(self, **changes: str) -> str:
        """The query string of this selection, with ``changes`` (e.g. another area for a drill-down link)."""
        values = {"area": self.area.code, "period": self.period.kind, "on": self.period.start.isoformat()}
        values.update(changes)
        return urlencode(values)

    @property
    def period_choices(self) -> list[tuple[str, str]]:
        return [(str(value), str(label)) for value, label in PeriodKind.choices]


def selection_from(request: HttpRequest) -> Selection:
    """The page's unit and period. A unit the user may not see is not found (404); a bad period falls back to this
    month with ``error`` set, which the page shows beside the period field."""
    try:
        area = area_for(request.user, request.GET.get("area"))
    except AreaNotFound as missing:
        raise Http404 from missing
    message = ""
    try:
        period = parse_period(request.GET.get("period"), request.GET.get("on"))
    except PeriodError as problem:
        period, message = Period.current(), str(problem)
    return Selection(area=area, period=period, roots=root_areas(request.user), error=message)


def strict_selection(request: HttpRequest) -> Selection | JsonResponse:
    """For the JSON endpoints: the selection, or a 400 answer naming the bad parameter (404 for a unit not seen)."""
    selection = selection_from(request)
    if selection.error:
        return JsonResponse({"error": selection.error}, status=400)
    return selection
