"""Residents' pages of volunteer orders, at /orders/: order a service, follow, rate."""

from django.urls import URLPattern, path

from gridwork.volunteers.views import resident

app_name = "resident_orders"
urlpatterns: list[URLPattern] = [
    path("", resident.home_view, name="home"),
    path("<int:pk>/", resident.detail_view, name="detail"),
    path("<int:pk>/rate/", resident.rate_view, name="rate"),
    path("<int:pk>/cancel/", resident.cancel_view, name="cancel"),
]
