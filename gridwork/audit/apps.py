from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "gridwork.audit"
    label = "audit"

    def ready(self) -> None:
        from gridwork.audit import checks  # noqa: F401  (registers the retention setting's system check)
