"""Staff pages of analysis and assessment, at /staff/analytics/."""

from django.urls import path

from gridwork.analytics.views import dashboard, exports, maps, rankings, rises, settings

app_name = "analytics"
urlpatterns = [
    path("", dashboard.dashboard_view, name="dashboard"),
    path("data.json", dashboard.dashboard_data_view, name="data"),
    path("screen/", dashboard.screen_view, name="screen"),
    path("map/", maps.map_view, name="map"),
    path("map/grids.geojson", maps.grids_geojson_view, name="map-grids"),
    path("map/open.geojson", maps.open_matters_geojson_view, name="map-open"),
    path("rankings/", rankings.ranking_view, name="rankings"),
    path("rankings/notice/", rankings.notice_view, name="notice"),
    path("definitions/", rankings.definitions_view, name="definitions"),
    path("settings/", settings.settings_view, name="settings"),
    path("export/ledger.xlsx", exports.ledger_export_view, name="export-ledger"),
    path("export/rankings.xlsx", exports.ranking_export_view, name="export-rankings"),
    path("export/measures.xlsx", exports.measures_export_view, name="export-measures"),
    path("rises/", rises.rise_list_view, name="rises"),
    path("rises/<int:pk>/", rises.rise_detail_view, name="rise-detail"),
]
