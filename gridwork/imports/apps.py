from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "gridwork.imports"
    label = "imports"
