"""Staff pages of the gridvisits app, at /staff/grid-visits/."""

from django.urls import URLPattern, path

from gridwork.gridvisits.views import figures, visits

app_name = "gridvisits"

urlpatterns: list[URLPattern] = [
    path("", visits.visit_list_view, name="visit-list"),
    path("new/", visits.visit_create_view, name="visit-create"),
    path("<int:pk>/", visits.visit_detail_view, name="visit-detail"),
    path("<int:pk>/photos/<int:photo_id>/", visits.photo_view, name="photo"),
    path("needs/<int:pk>/matter/", visits.need_matter_view, name="need-matter"),
    path("needs/<int:pk>/wish/", visits.need_wish_view, name="need-wish"),
    path("needs/<int:pk>/case/", visits.need_case_view, name="need-case"),
    path("households/<int:pk>/", visits.household_view, name="household"),
    path("diary/", visits.diary_view, name="diary"),
    path("diary/<int:user_id>/", visits.diary_view, name="diary-of"),
    path("coverage/", figures.coverage_view, name="coverage"),
    path("coverage/export/", figures.coverage_export_view, name="coverage-export"),
    path("map/", figures.map_view, name="map"),
    path("map/visited.geojson", figures.visited_geojson_view, name="map-visited"),
    path("map/needs.geojson", figures.needs_geojson_view, name="map-needs"),
    path("map/difficulty.geojson", figures.difficulty_geojson_view, name="map-difficulty"),
]
