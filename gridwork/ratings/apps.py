from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "gridwork.ratings"
    label = "ratings"
