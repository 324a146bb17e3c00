"""Staff pages of places: the list, a place with its children, figures and map, and the map data."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.common.breadcrumbs import place_breadcrumbs
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.party.selectors import party_organisation_list
from gridwork.places.models import PlaceLevel
from gridwork.places.selectors import department_list, place_counts, place_get, place_list


@staff_view(Perm.VIEW_PLACES)
def place_list_view(request: HttpRequest) -> HttpResponse:
    level = request.GET.get("level", "")
    if level not in PlaceLevel.values:
        level = ""
    search = request.GET.get("q", "").strip()
    page, query = paginate(request, place_list(user=request.user, level=level or None, search=search))
    return render(
        request,
        "places/place_list.html",
        {
            "page_obj": page,
            "query": query,
            "levels": PlaceLevel.choices,
            "level": level,
            "search": search,
            "breadcrumbs": [{"label": _("Places and grids"), "url": ""}],
        },
    )


@staff_view(Perm.VIEW_PLACES)
def place_detail_view(request: HttpRequest, code: str) -> HttpResponse:
    place = place_get(user=request.user, code=code)
    children_page, query = paginate(request, place_list(user=request.user, parent=place))
    return render(
        request,
        "places/place_detail.html",
        {
            "place": place,
            "counts": place_counts(place),
            "page_obj": children_page,
            "query": query,
            "party_organisations": party_organisation_list(user=request.user, place=place)[:20],
            "departments": department_list(user=request.user, place=place),
            "breadcrumbs": place_breadcrumbs(user=request.user, place=place),
        },
    )


def _feature(place: Any, role: str) -> dict[str, Any] | None:
    geometry = place.boundary
    if geometry is None and place.latitude is not None and place.longitude is not None:
        geometry = {"type": "Point", "coordinates": [place.longitude, place.latitude]}
    if geometry is None:
        return None
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {"code": place.code, "name": place.name, "level": place.level, "role": role},
    }


@staff_view(Perm.VIEW_PLACES)
def place_map_view(request: HttpRequest, code: str) -> JsonResponse:
    """GeoJSON of a place and its children, for the map on the place page."""
    place = place_get(user=request.user, code=code)
    features = [_feature(place, "self")]
    features += [_feature(child, "child") for child in place_list(user=request.user, parent=place)[:2000]]
    return JsonResponse({"type": "FeatureCollection", "features": [f for f in features if f is not None]})
