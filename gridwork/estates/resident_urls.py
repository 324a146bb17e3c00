"""Public and resident pages of the estates app, at /estates/."""

from django.urls import URLPattern, path

from gridwork.estates.views import public

app_name = "estates_public"

urlpatterns: list[URLPattern] = [
    path("", public.estate_list_view, name="list"),
    path("<int:pk>/", public.estate_view, name="estate"),
]
