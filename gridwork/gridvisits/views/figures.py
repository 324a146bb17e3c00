"""The month's visit coverage of the user's grids, rolled up by community and street, and its Excel export; and the
民情图: the map page and its three layers as GeoJSON (visited households, open needs, households in difficulty).

The map loads Leaflet from the platform's own static files (node_modules, as the analysis map does): no CDN. No tile
layer unless the deployment names one it can reach (``ANALYTICS_MAP_TILE_URL``); the points stand on a plain
background otherwise.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gridwork.accounts.roles import Perm
from gridwork.common.permissions import staff_view
from gridwork.gridvisits import layers, services
from gridwork.gridvisits.coverage import DEFINITION, coverage
from gridwork.gridvisits.exports import coverage_workbook
from gridwork.gridvisits.forms import parse_month
from gridwork.gridvisits.views.visits import crumbs

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@staff_view(Perm.VIEW_GRID_VISITS)
@require_GET
def coverage_view(request: HttpRequest) -> HttpResponse:
    year, month = parse_month(request.GET.get("month"))
    return render(
        request,
        "gridvisits/coverage.html",
        {
            "streets": coverage(user=request.user, year=year, month=month),
            "month": f"{year:04d}-{month:02d}",
            "definition": DEFINITION,
            "breadcrumbs": crumbs({"label": _("Coverage"), "url": ""}),
        },
    )


@staff_view(Perm.VIEW_GRID_VISITS)
@require_GET
def coverage_export_view(request: HttpRequest) -> HttpResponse:
    year, month = parse_month(request.GET.get("month"))
    content = coverage_workbook(coverage(user=request.user, year=year, month=month), year=year, month=month)
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="grid-visit-coverage-{year:04d}-{month:02d}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response


def _labels() -> dict[str, str]:
    return {
        "visited": _("Households visited"),
        "needs": _("Households with open needs"),
        "difficulty": _("Households in difficulty"),
        "visits": _("Visits"),
        "last_visit": _("Last visit"),
        "open_needs": _("Open needs"),
        "households": _("Households"),
        "history": _("Visit history"),
        "load_failed": _("The map data could not be loaded (%(error)s)."),
    }


@staff_view(Perm.VIEW_GRID_VISITS)
@require_GET
def map_view(request: HttpRequest) -> HttpResponse:
    """The page: the month, the layer switches, the map, and the list of visited households beside it."""
    user: Any = request.user
    year, month = parse_month(request.GET.get("month"))
    chosen = f"{year:04d}-{month:02d}"
    rows = layers.visited_households(user=user, year=year, month=month)
    return render(
        request,
        "gridvisits/map.html",
        {
            "month": chosen,
            "rows": rows,
            "visited_url": f"{reverse('gridvisits:map-visited')}?month={chosen}",
            "needs_url": reverse("gridvisits:map-needs"),
            "difficulty_url": reverse("gridvisits:map-difficulty")
            if user.has_perm_anywhere(Perm.VIEW_DIFFICULTY)
            else "",
            "tile_url": getattr(settings, "ANALYTICS_MAP_TILE_URL", ""),
            "tile_attribution": getattr(settings, "ANALYTICS_MAP_TILE_ATTRIBUTION", ""),
            "labels": _labels(),
            "breadcrumbs": crumbs({"label": _("Map of residents' conditions"), "url": ""}),
        },
    )


def _geojson(data: dict[str, Any]) -> JsonResponse:
    response = JsonResponse(data, content_type="application/geo+json")
    response["Cache-Control"] = "private, no-store"
    return response


@staff_view(Perm.VIEW_GRID_VISITS)
@require_GET
@never_cache
def visited_geojson_view(request: HttpRequest) -> JsonResponse:
    year, month = parse_month(request.GET.get("month"))
    return _geojson(layers.visited_layer(layers.visited_households(user=request.user, year=year, month=month)))


@staff_view(Perm.VIEW_GRID_VISITS)
@require_GET
@never_cache
def needs_geojson_view(request: HttpRequest) -> JsonResponse:
    return _geojson(layers.open_needs_layer(user=request.user))


@staff_view(Perm.VIEW_DIFFICULTY)
@require_GET
@never_cache
def difficulty_geojson_view(request: HttpRequest) -> JsonResponse:
    """Refused (403) to users without VIEW_DIFFICULTY anywhere; otherwise only the households over which they hold it
    (and VIEW_GRID_VISITS), without names or kinds. Every load is audited."""
    user: Any = request.user
    if not user.has_perm_anywhere(Perm.VIEW_GRID_VISITS):
        return JsonResponse({"error": _("You may not see this map.")}, status=403)
    data, households = layers.difficulty_layer(user=user)
    services.difficulty_layer_read(actor=user, households=households, points=len(data["features"]), request=request)
    return _geojson(data)
