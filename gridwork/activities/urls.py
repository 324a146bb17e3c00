"""Staff pages of the activities app (/staff/activities/): activities, their check-in code, check-ins by hand,
minutes and photos; the branches' organisation life (三会一课) and its export."""

from django.urls import URLPattern, path

from gridwork.activities.views import life, staff

app_name = "activities"

urlpatterns: list[URLPattern] = [
    path("", staff.activity_list_view, name="activity-list"),
    path("new/", staff.activity_create_view, name="activity-create"),
    path("<int:pk>/", staff.activity_detail_view, name="activity-detail"),
    path("<int:pk>/qr/", staff.activity_qr_view, name="activity-qr"),
    path("<int:pk>/qr/new/", staff.activity_rotate_view, name="activity-rotate"),
    path("<int:pk>/check-in/", staff.activity_checkin_view, name="activity-checkin"),
    path("<int:pk>/minutes/", staff.activity_minutes_view, name="activity-minutes"),
    path("<int:pk>/photos/", staff.activity_photos_view, name="activity-photos"),
    path("<int:pk>/photos/<int:photo_id>/", staff.activity_photo_view, name="activity-photo"),
    path("<int:pk>/cancel/", staff.activity_cancel_view, name="activity-cancel"),
    path("life/", life.life_view, name="life"),
    path("life/export/", life.life_export_view, name="life-export"),
]
