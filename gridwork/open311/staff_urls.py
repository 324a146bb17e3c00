"""Staff pages of the Open311 API keys, at /staff/open311/."""

from django.urls import URLPattern

app_name = "staff_open311"
urlpatterns: list[URLPattern] = []
