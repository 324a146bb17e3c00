from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "gridwork.audit"
    label = "audit"
