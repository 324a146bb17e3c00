"""Public and residents' pages of the activities app."""

from django.urls import URLPattern

app_name = "activities_public"

urlpatterns: list[URLPattern] = []
