"""The in-app inbox, at /notifications/, for any signed-in user."""

from django.urls import path

from gridwork.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("read-all/", views.mark_all_read_view, name="read-all"),
    path("<int:pk>/read/", views.mark_read_view, name="read"),
    path("<int:pk>/open/", views.open_view, name="open"),
]
