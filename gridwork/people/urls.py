from django.urls import path

from gridwork.people import views

app_name = "people"
urlpatterns = [
    path("residents/", views.resident_list_view, name="resident-list"),
    path("residents/<int:pk>/", views.resident_detail_view, name="resident-detail"),
    path("units/", views.unit_list_view, name="unit-list"),
    path("units/<int:pk>/", views.unit_detail_view, name="unit-detail"),
]
