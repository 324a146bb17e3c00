from django.apps import AppConfig


class MediationConfig(AppConfig):
    name = "gridwork.mediation"
    label = "mediation"
