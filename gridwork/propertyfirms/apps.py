from django.apps import AppConfig


class PropertyfirmsConfig(AppConfig):
    name = "gridwork.propertyfirms"
    label = "propertyfirms"
