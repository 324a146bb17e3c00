"""Three-zero units (三零, seed 003), at /staff/threezero/."""

from django.urls import URLPattern, path

from gridwork.threezero import views

app_name = "threezero"

urlpatterns: list[URLPattern] = [
    path("", views.application_list_view, name="application-list"),
    path("apply/", views.application_create_view, name="application-create"),
    path("<int:pk>/", views.application_detail_view, name="application-detail"),
    path("<int:pk>/review/", views.application_review_view, name="application-review"),
    path("<int:pk>/withdraw/", views.application_withdraw_view, name="application-withdraw"),
    path("incidents/", views.incident_list_view, name="incident-list"),
    path("incidents/new/", views.incident_create_view, name="incident-create"),
    path("units/", views.units_view, name="units"),
    path("export/", views.export_view, name="export"),
]
