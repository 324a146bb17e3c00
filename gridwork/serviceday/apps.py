from django.apps import AppConfig


class ServiceDayConfig(AppConfig):
    name = "gridwork.serviceday"
    label = "serviceday"
