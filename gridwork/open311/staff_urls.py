"""Staff pages of the Open311 API keys, at /staff/open311/."""

from django.urls import URLPattern, path

from gridwork.open311 import staff_views

app_name = "staff_open311"
urlpatterns: list[URLPattern] = [
    path("", staff_views.key_list_view, name="key-list"),
    path("new/", staff_views.key_create_view, name="key-create"),
    path("<int:pk>/revoke/", staff_views.key_revoke_view, name="key-revoke"),
]
