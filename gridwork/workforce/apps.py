from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "gridwork.workforce"
    label = "workforce"
