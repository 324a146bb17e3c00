"""The results pages of star ratings (league tables, star shares, history, pay grades), under the ratings namespace."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
