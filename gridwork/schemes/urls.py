"""Staff pages of assessment schemes (考核方案), at /staff/schemes/."""

from django.urls import URLPattern

app_name = "schemes"
urlpatterns: list[URLPattern] = []
