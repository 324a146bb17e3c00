from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "gridwork.volunteers"
    label = "volunteers"
