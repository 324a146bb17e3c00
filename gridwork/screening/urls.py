"""The screening's staff pages (/staff/screening/)."""

from django.urls import URLPattern, path

from gridwork.screening import views

app_name = "screening"

urlpatterns: list[URLPattern] = [
    path("", views.screening_list_view, name="screening-list"),
    path("new/", views.screening_create_view, name="screening-create"),
    path("<int:pk>/", views.screening_detail_view, name="screening-detail"),
    path("entries/", views.entry_list_view, name="entry-list"),
    path("entries/<int:pk>/status/", views.entry_status_view, name="entry-status"),
    path("gaps/", views.gaps_view, name="gaps"),
]
