"""A member's points, at /member/points/: balance, ledger, rewards, exchange requests."""

from django.urls import URLPattern

app_name = "member_points"
urlpatterns: list[URLPattern] = []
