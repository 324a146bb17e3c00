from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "gridwork.jobs"
    label = "jobs"
    verbose_name = _("Periodic jobs")

    def ready(self) -> None:
        from gridwork.jobs import checks  # noqa: F401  (registers the schedule's system check)
