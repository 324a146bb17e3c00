"""The REST API (v1) at /api/v1/, its OpenAPI 3 schema at /api/schema/ and its documentation at /api/docs/."""

from collections.abc import Callable
from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from gridwork.api.views import analytics, hotline, matters, me, places, triage
from gridwork.common.permissions import public_view
from gridwork.matters.workflow import TRANSITIONS, Action


def _public(view: Callable[..., Any]) -> Callable[..., Any]:
    """The schema and its documentation describe the API to anyone; every operation still needs sign-in."""
    return public_view(view)


app_name = "api"
urlpatterns: list[URLPattern] = [
    path("schema/", _public(SpectacularAPIView.as_view()), name="schema"),
    # The split view serves its init script from ?script, so the page needs no inline script (Content-Security-Policy).
    path(
        "docs/",
        _public(SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html")),
        name="docs",
    ),
    path("v1/me/", me.MeView.as_view(), name="me"),
    path("v1/matters/", matters.MatterListView.as_view(), name="matter-list"),
    path("v1/matters/<str:number>/", matters.MatterDetailView.as_view(), name="matter-detail"),
    path("v1/matters/<str:number>/events/", matters.MatterEventsView.as_view(), name="matter-events"),
    path("v1/matters/<str:number>/similar/", triage.MatterSimilarView.as_view(), name="matter-similar"),
    path("v1/matters/<str:number>/merge/", triage.MatterMergeView.as_view(), name="matter-merge"),
    *(
        path(f"v1/matters/<str:number>/{action}/", matters.action_view(action), name=f"matter-{action}")
        for action in TRANSITIONS
        if action != Action.FILE
    ),
    path("v1/hotline/orders/", hotline.HotlineOrderView.as_view(), name="hotline-order"),
    path("v1/places/", places.PlaceListView.as_view(), name="place-list"),
    path("v1/places/<str:code>/", places.PlaceDetailView.as_view(), name="place-detail"),
    path("v1/departments/", places.DepartmentListView.as_view(), name="department-list"),
    path("v1/categories/", places.CategoryListView.as_view(), name="category-list"),
    path("v1/categories/<str:code>/", places.CategoryDetailView.as_view(), name="category-detail"),
    path("v1/analytics/figures/", analytics.AreaFiguresView.as_view(), name="analytics-figures"),
    path("v1/analytics/rankings/", analytics.RankingsView.as_view(), name="analytics-rankings"),
]
