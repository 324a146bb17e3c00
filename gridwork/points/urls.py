"""Staff pages of points, at /staff/points/: rules, rewards, exchanges to approve, accounts."""

from django.urls import URLPattern

app_name = "points"
urlpatterns: list[URLPattern] = []
