from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "gridwork.analytics"
    label = "analytics"
    verbose_name = _("Analysis and assessment")

    def ready(self) -> None:
        from gridwork.analytics import signals  # noqa: F401  (clears the category-root cache on edits)
