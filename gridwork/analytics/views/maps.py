"""The map of a unit over a period, at /staff/analytics/map/: its grids coloured by matter density or overdue share,
with the area's open matters in clusters on top.

The grids' own boundaries are the base layer: no map tiles are loaded unless the deployment names a tile service it
can reach (``ANALYTICS_MAP_TILE_URL``, e.g. 天地图 on a government network). The open matters carry no personal data:
number, title, state and the link to the matter's page, which checks the scope again.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gridwork.accounts.roles import Perm
from gridwork.analytics.areas import Area
from gridwork.analytics.measures import DEFINITION_BY_KEY, DEFINITIONS, Figures, format_percent
from gridwork.analytics.selectors import GridShape, grid_figures
from gridwork.analytics.views.common import Selection, selection_from, strict_selection
from gridwork.analytics.views.dashboard import RATES, dashboard_url, display
from gridwork.common.permissions import staff_view
from gridwork.matters.models import Matter
from gridwork.matters.workflow import MatterState

# The most open matters one map draws, newest first; the map says when there are more.
OPEN_MATTERS_LIMIT = 5000
DENSITY_PER = 1000  # households


def _not_found() -> JsonResponse:
    return JsonResponse({"error": _("No such unit in your areas.")}, status=404)


def _labels() -> dict[str, str]:
    """The words the map's script shows: legend titles, popup rows, the note on capped matters."""
    return {
        "density_households": _("Matters received per %(count)s households") % {"count": f"{DENSITY_PER:,}"},
        "density_grid": _("Matters received per grid (some grids have no household count)"),
        "overdue_share": _(
            "Overdue share: missed deadlines (accept, reply, call-back) ÷ dispatches; above 100% when matters are "
            "late at several stages"
        ),
        "no_data": _("Nothing to count"),
        "received": str(DEFINITION_BY_KEY["received"].label),
        "dispatched": str(DEFINITION_BY_KEY["dispatched"].label),
        "overdue": str(DEFINITION_BY_KEY["overdue"].label),
        "response_rate": str(DEFINITION_BY_KEY["response_rate"].label),
        "resolution_rate": str(DEFINITION_BY_KEY["resolution_rate"].label),
        "satisfaction_rate": str(DEFINITION_BY_KEY["satisfaction_rate"].label),
        "households": _("Households"),
        "density": _("Density"),
        "share": _("Overdue share"),
        "open_dashboard": _("Open this grid's dashboard"),
        "open_matters": _("Open matters"),
        "grids": _("Coloured grids"),
        "capped": _("Showing the newest %(shown)s of %(total)s open matters with a position."),
        "matters_shown": _("%(shown)s open matters with a position."),
        "no_grids": _("No grid of this unit has a boundary to draw."),
        "load_failed": _("The map data could not be loaded (%(error)s)."),
    }


@staff_view(Perm.VIEW_MATTERS)
@require_GET
def map_view(request: HttpRequest) -> HttpResponse:
    """The page: the selection form, the measure switch, the map, and the definitions of what it colours."""
    selection = selection_from(request)
    return render(
        request,
        "analytics/map.html",
        {
            "selection": selection,
            "grids_url": f"{reverse('analytics:map-grids')}?{selection.query()}",
            "open_url": f"{reverse('analytics:map-open')}?{selection.query()}",
            "dashboard_url": dashboard_url(selection),
            "tile_url": getattr(settings, "ANALYTICS_MAP_TILE_URL", ""),
            "tile_attribution": getattr(settings, "ANALYTICS_MAP_TILE_ATTRIBUTION", ""),
            "labels": _labels(),
            "definitions": DEFINITIONS,
            "is_department": selection.area.is_department,
            "breadcrumbs": [
                {"label": _("Analysis"), "url": dashboard_url(selection)},
                {"label": _("Map"), "url": ""},
            ],
        },
    )


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


EMPTY_GEOMETRY = frozenset({"", "{}", "null"})


def _grid_feature(grid: GridShape, figures: Figures, *, per_households: bool, selection: Selection) -> str | None:
    """The grid as a GeoJSON Feature, written as text: its stored boundary goes in as stored (a city's thousands of
    polygons are never decoded and encoded again); a grid with only a centre is a Point; one with neither, None."""
    geometry = grid.boundary_json if grid.boundary_json and grid.boundary_json not in EMPTY_GEOMETRY else None
    if geometry is None and grid.latitude is not None and grid.longitude is not None:
        geometry = json.dumps({"type": "Point", "coordinates": [grid.longitude, grid.latitude]})
    if geometry is None:
        return None
    received, dispatched, overdue = figures.count("received"), figures.count("dispatched"), figures.count("overdue")
    density = received * DENSITY_PER / grid.households if per_households else float(received)
    share = overdue / dispatched if dispatched else None
    properties = {
        "code": grid.code,
        "name": grid.name,
        "households": grid.households,
        "received": received,
        "dispatched": dispatched,
        "overdue": overdue,
        **{key: _rate(figures.value(key)) for key in RATES},
        "density": round(density, 2),
        "overdue_share": _rate(share),
        "display": {
            **{key: display(key, figures.value(key)) for key in RATES},
            "density": f"{density:,.1f}",
            "overdue_share": format_percent(share),
        },
        "url": dashboard_url(selection, area=grid.code),
    }
    return (
        f'{{"type": "Feature", "geometry": {geometry}, "properties": {json.dumps(properties, cls=DjangoJSONEncoder)}}}'
    )


@staff_view(Perm.VIEW_MATTERS)
@require_GET
@never_cache
def grids_geojson_view(request: HttpRequest) -> HttpResponse:
    """The grids under the unit with their figures for the period, as a GeoJSON FeatureCollection.

    ``density_basis`` says what the density counts: received per 1,000 households when every grid has a household
    count, else received per grid for all of them (two bases on one map could not be compared)."""
    try:
        selection = strict_selection(request)
    except Http404:
        return _not_found()
    if isinstance(selection, JsonResponse):
        return selection
    rows = grid_figures(selection.area, selection.period)
    per_households = bool(rows) and all(grid.households > 0 for grid, _figures in rows)
    features = [_grid_feature(g, f, per_households=per_households, selection=selection) for g, f in rows]
    about = json.dumps(
        {
            "density_basis": "households" if per_households else "grid",
            "area": {"code": selection.area.code, "name": selection.area.name},
            "period": {"kind": selection.period.kind, "label": selection.period.label()},
        },
        cls=DjangoJSONEncoder,
    )
    body = f'{{"type": "FeatureCollection", "features": [{", ".join(f for f in features if f)}], {about[1:]}'
    return HttpResponse(body, content_type="application/json")


def open_matters_of(user: Any, area: Area) -> QuerySet[Matter]:
    """The matters of the unit not yet closed, within what ``user`` may see, that have a position; newest first."""
    matters = Matter.objects.restrict(user, Perm.VIEW_MATTERS).exclude(state=MatterState.CLOSED)
    if area.place is not None:
        matters = matters.filter(place_path__startswith=area.place.path)
    elif area.department is not None:
        matters = matters.filter(lead_department=area.department)
    else:
        return matters.none()
    return matters.filter(latitude__isnull=False, longitude__isnull=False).order_by("-created_at", "-pk")


@staff_view(Perm.VIEW_MATTERS)
@require_GET
@never_cache
def open_matters_geojson_view(request: HttpRequest) -> HttpResponse:
    """The unit's open matters as GeoJSON points, at most ``OPEN_MATTERS_LIMIT`` (``capped`` says there were more).

    Open means not closed now, whatever the period; a bad period is still refused, as by every analysis endpoint."""
    try:
        selection = strict_selection(request)
    except Http404:
        return _not_found()
    if isinstance(selection, JsonResponse):
        return selection
    area = selection.area
    matters = open_matters_of(request.user, area)
    rows = list(matters.values_list("number", "title", "state", "latitude", "longitude")[: OPEN_MATTERS_LIMIT + 1])
    capped = len(rows) > OPEN_MATTERS_LIMIT
    rows = rows[:OPEN_MATTERS_LIMIT]
    states = dict(MatterState.choices)
    link = reverse("matters:detail", args=["NUMBER"])
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
            "properties": {
                "number": number,
                "title": title,
                "state": state,
                "state_label": str(states.get(state, state)),
                "url": link.replace("NUMBER", number),
            },
        }
        for number, title, state, latitude, longitude in rows
    ]
    return JsonResponse(
        {
            "type": "FeatureCollection",
            "features": features,
            "capped": capped,
            "limit": OPEN_MATTERS_LIMIT,
            "total": matters.count() if capped else len(features),
        }
    )
