from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "gridwork.points"
    label = "points"
