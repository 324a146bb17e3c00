"""The public locating service: which grid, community and street a point lies in (used by residents' reports)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from gridwork.common.permissions import public_view


@public_view
@require_GET
def locate_view(request: HttpRequest) -> JsonResponse:
    from gridwork.places.locating import InvalidCoordinatesError, OutsideServiceAreaError, locate
    from gridwork.places.models import Place

    latitude = request.GET.get("lat", "")
    longitude = request.GET.get("lng", "")
    try:
        location = locate(latitude, longitude)
    except InvalidCoordinatesError as error:
        return JsonResponse({"code": "invalid_coordinates", "message": str(error)}, status=400)
    except OutsideServiceAreaError as error:
        return JsonResponse({"code": "outside_service_area", "message": str(error)}, status=404)
    names = dict(
        Place.objects.filter(
            pk__in=[location.grid_id, location.community_id, location.street_id, location.district_id]
        ).values_list("pk", "name")
    )
    return JsonResponse(
        {
            "grid": {"code": location.grid_code, "name": location.grid_name},
            "community": names.get(location.community_id, ""),
            "street": names.get(location.street_id, ""),
            "district": names.get(location.district_id, ""),
            "inside": location.inside,
            "distance_m": round(location.distance_m, 1),
        }
    )
