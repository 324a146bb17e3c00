from django.apps import AppConfig


class GridvisitsConfig(AppConfig):
    name = "gridwork.gridvisits"
    label = "gridvisits"
