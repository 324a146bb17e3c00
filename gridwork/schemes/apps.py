from django.apps import AppConfig


class SchemesConfig(AppConfig):
    name = "gridwork.schemes"
    label = "schemes"
