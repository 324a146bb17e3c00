"""Staff pages of the deliberation app."""

from django.urls import URLPattern

app_name = "deliberation"

urlpatterns: list[URLPattern] = []
