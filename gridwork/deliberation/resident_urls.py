"""Public and residents' pages of the deliberation app."""

from django.urls import URLPattern

app_name = "deliberation_public"

urlpatterns: list[URLPattern] = []
