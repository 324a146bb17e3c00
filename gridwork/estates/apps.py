from django.apps import AppConfig


class EstatesConfig(AppConfig):
    name = "gridwork.estates"
    label = "estates"
