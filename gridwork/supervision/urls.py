"""Staff pages of supervision, at /staff/supervision/."""

from django.urls import path

from gridwork.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.overview_view, name="overview"),
    path("whistles/<int:pk>/", views.whistle_view, name="whistle"),
    path("hard/", views.hard_board_view, name="hard"),
]
