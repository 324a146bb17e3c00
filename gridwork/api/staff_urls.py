"""Staff pages of API tokens, at /staff/api/."""

from django.urls import URLPattern, path

from gridwork.api import staff_views

app_name = "staff_api"
urlpatterns: list[URLPattern] = [
    path("", staff_views.token_list_view, name="token-list"),
    path("new/", staff_views.token_create_view, name="token-create"),
    path("<int:pk>/revoke/", staff_views.token_revoke_view, name="token-revoke"),
]
