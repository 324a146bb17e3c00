from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "gridwork.activities"
    label = "activities"
