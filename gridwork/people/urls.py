from django.urls import path

from gridwork.people import unit_views, views

app_name = "people"
urlpatterns = [
    path("residents/", views.resident_list_view, name="resident-list"),
    path("residents/<int:pk>/", views.resident_detail_view, name="resident-detail"),
    path("units/", unit_views.unit_list_view, name="unit-list"),
    path("units/new/", unit_views.unit_create_view, name="unit-create"),
    path("units/<int:pk>/", unit_views.unit_detail_view, name="unit-detail"),
    path("units/<int:pk>/edit/", unit_views.unit_edit_view, name="unit-edit"),
]
