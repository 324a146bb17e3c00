from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "gridwork.care"
    label = "care"
