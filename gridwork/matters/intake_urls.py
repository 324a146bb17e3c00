"""Staff intake, at /staff/intake/: the 12345 seat and the grid worker's patrol."""

from django.urls import URLPattern, path

from gridwork.matters.views import intake

app_name = "intake"
urlpatterns: list[URLPattern] = [
    path("hotline/", intake.hotline_view, name="hotline"),
    path("hotline/history/", intake.hotline_history_view, name="hotline-history"),
    path("patrol/", intake.patrol_view, name="patrol"),
]
