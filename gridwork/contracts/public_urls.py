"""The public board of contracts (亮约), at /board/: a community's published contracts and each contract's page;
residents of the community rate a contract there."""

from django.urls import URLPattern, path

from gridwork.contracts.views import public

app_name = "public_contracts"
urlpatterns: list[URLPattern] = [
    path("contracts/<str:number>/", public.detail_view, name="detail"),
    path("contracts/<str:number>/rate/", public.rate_view, name="rate"),
    path("<str:code>/contracts/", public.community_view, name="community"),
]
