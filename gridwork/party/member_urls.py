"""The pages of a registered party member, at /member/: registration (双报到), the member's home, record."""

from django.urls import URLPattern, path

from gridwork.party import member_views

app_name = "member"
urlpatterns: list[URLPattern] = [
    path("", member_views.home_view, name="home"),
    path("register/", member_views.register_view, name="register"),
    path("registrations/<int:pk>/withdraw/", member_views.withdraw_view, name="withdraw"),
]
