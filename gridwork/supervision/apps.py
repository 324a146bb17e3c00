from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "gridwork.supervision"
    label = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from gridwork.supervision import checks  # noqa: F401  (registers the settings' system check)
