"""Public and residents' pages of the centres app."""

from django.urls import URLPattern

app_name = "centres_public"

urlpatterns: list[URLPattern] = []
