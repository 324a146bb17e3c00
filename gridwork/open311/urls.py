"""Open311 GeoReport v2 at /open311/v2/: each resource ends in its format, ``.xml`` or ``.json``."""

from django.urls import URLPattern, re_path

from gridwork.open311 import views

app_name = "open311"

FORMAT = r"\.(?P<fmt>[A-Za-z0-9]+)$"

urlpatterns: list[URLPattern] = [
    re_path(r"^discovery" + FORMAT, views.discovery_view, name="discovery"),
    re_path(r"^services" + FORMAT, views.services_view, name="services"),
    # Category codes hold dots (G1.01.002): the format is what follows the last one.
    re_path(r"^services/(?P<code>[^/]+)" + FORMAT, views.service_definition_view, name="service-definition"),
    re_path(r"^requests" + FORMAT, views.requests_view, name="requests"),
    re_path(r"^requests/(?P<number>[^/.]+)" + FORMAT, views.request_view, name="request"),
    re_path(r"^tokens/(?P<token>[^/.]+)" + FORMAT, views.token_view, name="token"),
    re_path(r"^(?P<rest>.*)$", views.not_found_view, name="not-found"),
]
