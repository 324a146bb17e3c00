"""Staff pages of micro-wishes, at /staff/wishes/: review, post on behalf, follow."""

from django.urls import URLPattern

app_name = "wishes"
urlpatterns: list[URLPattern] = []
