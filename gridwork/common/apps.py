from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "gridwork.common"
    label = "common"
