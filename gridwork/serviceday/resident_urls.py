"""Public and residents' pages of the serviceday app."""

from django.urls import URLPattern

app_name = "serviceday_public"

urlpatterns: list[URLPattern] = []
