from django.apps import AppConfig


class AdmissionConfig(AppConfig):
    name = "gridwork.admission"
    label = "admission"
