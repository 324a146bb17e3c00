"""Staff pages of households in difficulty, at /staff/care/: the list, a household, pairs, visits."""

from django.urls import URLPattern

app_name = "care"
urlpatterns: list[URLPattern] = []
