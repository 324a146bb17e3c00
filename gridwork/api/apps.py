from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "gridwork.api"
    label = "api"
    verbose_name = _("REST API")

    def ready(self) -> None:
        from gridwork.api import schema  # noqa: F401  (registers the token scheme with the schema generator)
