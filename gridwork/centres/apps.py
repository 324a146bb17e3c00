from django.apps import AppConfig


class CentresConfig(AppConfig):
    name = "gridwork.centres"
    label = "centres"
