from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "gridwork.screening"
    label = "screening"
