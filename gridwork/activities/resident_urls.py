"""Public and residents' pages of the activities app (/activities/): my community's upcoming activities, an
activity with sign-up, my sign-ups, and the check-in link of the QR code."""

from django.urls import URLPattern, path

from gridwork.activities.views import resident

app_name = "activities_public"

urlpatterns: list[URLPattern] = [
    path("", resident.list_view, name="list"),
    path("mine/", resident.mine_view, name="mine"),
    path("<int:pk>/", resident.detail_view, name="detail"),
    path("<int:pk>/sign-up/", resident.signup_view, name="sign-up"),
    path("<int:pk>/sign-up/cancel/", resident.signup_cancel_view, name="sign-up-cancel"),
    path("check-in/<str:token>/", resident.checkin_view, name="check-in"),
]
