"""Filled in by its owner."""

from django.urls import URLPattern

app_name = "threezero"

urlpatterns: list[URLPattern] = []
