"""Public and resident pages of the propertyfirms app, at /property/."""

from django.urls import URLPattern, path

from gridwork.propertyfirms.views import public

app_name = "propertyfirms_public"

urlpatterns: list[URLPattern] = [
    path("", public.company_list_view, name="list"),
    path("<int:pk>/", public.company_view, name="company"),
    path("rate/", public.rate_view, name="rate"),
]
