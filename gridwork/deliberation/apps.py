from django.apps import AppConfig


class DeliberationConfig(AppConfig):
    name = "gridwork.deliberation"
    label = "deliberation"
