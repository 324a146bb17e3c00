from django.urls import path

from gridwork.places import public_views

app_name = "places_public"
urlpatterns = [
    path("locate/", public_views.locate_view, name="locate"),
]
