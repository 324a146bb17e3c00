"""Staff pages of the outbound webhooks, at /staff/webhooks/."""

from django.urls import URLPattern

app_name = "webhooks"
urlpatterns: list[URLPattern] = []
