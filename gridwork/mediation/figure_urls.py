"""The dispute figures' pages (spliced into the mediation namespace by ``mediation/urls.py``)."""

from django.urls import URLPattern, path

from gridwork.mediation.views import figures

urlpatterns: list[URLPattern] = [
    path("figures/", figures.figures_view, name="figures"),
    path("figures/export/", figures.figures_export_view, name="figures-export"),
]
