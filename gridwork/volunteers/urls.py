"""Staff pages of volunteer orders, at /staff/volunteers/: the menu, orders to issue, follow."""

from django.urls import URLPattern

app_name = "volunteers"
urlpatterns: list[URLPattern] = []
