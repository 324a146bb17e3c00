from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "gridwork.people"
    label = "people"
