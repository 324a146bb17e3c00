"""Residents' pages of volunteer orders, at /orders/: order a service, follow, rate."""

from django.urls import URLPattern

app_name = "resident_orders"
urlpatterns: list[URLPattern] = []
