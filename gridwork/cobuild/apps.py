from django.apps import AppConfig


class CobuildConfig(AppConfig):
    name = "gridwork.cobuild"
    label = "cobuild"
