"""Staff pages of micro-wishes, at /staff/wishes/: review, post on behalf, follow, export, rules."""

from django.urls import URLPattern, path

from gridwork.wishes.views import staff

app_name = "wishes"
urlpatterns: list[URLPattern] = [
    path("", staff.list_view, name="list"),
    path("new/", staff.new_view, name="new"),
    path("export/", staff.export_view, name="export"),
    path("settings/", staff.settings_view, name="settings"),
    path("<int:pk>/", staff.detail_view, name="detail"),
    path("<int:pk>/photos/<int:photo_id>/", staff.photo_view, name="photo"),
]
