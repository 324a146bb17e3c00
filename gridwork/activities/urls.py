"""Staff pages of the activities app."""

from django.urls import URLPattern

app_name = "activities"

urlpatterns: list[URLPattern] = []
