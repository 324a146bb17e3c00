"""The employer's pages (单位报到, 双评价), at /unit/: its registrations, its members' records and evaluations."""

from django.urls import URLPattern, path

from gridwork.party import unit_views

app_name = "unit"
urlpatterns: list[URLPattern] = [
    path("", unit_views.home_view, name="home"),
    path("register/", unit_views.register_view, name="register"),
    path("registrations/<int:pk>/withdraw/", unit_views.withdraw_view, name="registration-withdraw"),
    path("members/<int:pk>/", unit_views.member_view, name="member"),
    path("evaluations/", unit_views.evaluations_view, name="evaluations"),
    path("evaluations/export.xlsx", unit_views.evaluations_export_view, name="evaluations-export"),
]
