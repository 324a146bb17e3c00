"""Residents' pages of micro-wishes, at /wishes/: post, follow, confirm."""

from django.urls import URLPattern

app_name = "resident_wishes"
urlpatterns: list[URLPattern] = []
