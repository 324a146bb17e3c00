from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "gridwork.places"
    label = "places"
