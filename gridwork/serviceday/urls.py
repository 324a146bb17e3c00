"""Staff pages of the serviceday app."""

from django.urls import URLPattern

app_name = "serviceday"

urlpatterns: list[URLPattern] = []
