"""Staff pages of API tokens, at /staff/api/."""

from django.urls import URLPattern

app_name = "staff_api"
urlpatterns: list[URLPattern] = []
