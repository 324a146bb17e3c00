"""Residents' pages of the closed loop, at /report/: report, follow, rate; and the report map's public data."""

from django.urls import URLPattern, path

from gridwork.matters.views import resident

app_name = "report"
urlpatterns: list[URLPattern] = [
    path("new/", resident.report_new_view, name="new"),
    path("buildings/", resident.building_search_view, name="buildings"),
    path("grids/", resident.grids_around_view, name="grids"),
    path("similar/", resident.similar_reports_view, name="similar"),
    path("track/", resident.track_view, name="track"),
    path("mine/", resident.mine_view, name="mine"),
    path("<str:number>/", resident.detail_view, name="resident-detail"),
    path("<str:number>/rate/", resident.rate_view, name="rate"),
]
