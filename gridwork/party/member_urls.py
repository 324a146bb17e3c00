"""The pages of a registered party member, at /member/: registration (双报到), the member's home, record."""

from django.urls import URLPattern

app_name = "member"
urlpatterns: list[URLPattern] = []
