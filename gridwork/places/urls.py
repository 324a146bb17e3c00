from django.urls import path

from gridwork.places import views

app_name = "places"
urlpatterns = [
    path("", views.place_list_view, name="list"),
    path("<str:code>/", views.place_detail_view, name="detail"),
    path("<str:code>/map.geojson", views.place_map_view, name="map"),
]
