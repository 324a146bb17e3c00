"""The employer's pages (单位报到, 双评价), at /unit/: its registrations, its members' records and evaluations."""

from django.urls import URLPattern

app_name = "unit"
urlpatterns: list[URLPattern] = []
