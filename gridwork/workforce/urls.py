"""Staff pages of the community workforce (社区工作者队伍), at /staff/workforce/."""

from django.urls import URLPattern

app_name = "workforce"
urlpatterns: list[URLPattern] = []
