"""Staff pages of the centres app."""

from django.urls import URLPattern

app_name = "centres"

urlpatterns: list[URLPattern] = []
