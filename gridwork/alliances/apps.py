from django.apps import AppConfig


class AlliancesConfig(AppConfig):
    name = "gridwork.alliances"
    label = "alliances"
