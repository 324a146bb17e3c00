from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "gridwork.demo"
    label = "demo"
