"""Public pages of the monthly service day (/service-day/): choose a community, its service days, the opinion form,
one cycle's page, rating an item."""

from django.urls import URLPattern, path

from gridwork.serviceday.views import public

app_name = "serviceday_public"

urlpatterns: list[URLPattern] = [
    path("", public.home_view, name="home"),
    path("community/<str:code>/", public.community_view, name="community"),
    path("community/<str:code>/opinion/", public.opinion_view, name="opinion"),
    path("cycle/<int:pk>/", public.cycle_view, name="cycle"),
    path("item/<int:pk>/rate/", public.rate_view, name="rate"),
]
