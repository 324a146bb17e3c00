"""A member's pages of micro-wishes, at /member/wishes/: open wishes near them, claim, fulfil."""

from django.urls import URLPattern

app_name = "member_wishes"
urlpatterns: list[URLPattern] = []
