"""The platform's URL map: one include per app."""

from django.urls import include, path

from gridwork.accounts.admin_site import admin_site
from gridwork.common import views as common_views

urlpatterns = [
    path("", common_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("gridwork.accounts.urls")),
    path("places/", include("gridwork.places.public_urls")),
    path("staff/", common_views.staff_home, name="staff-home"),
    path("staff/places/", include("gridwork.places.urls")),
    path("staff/party/", include("gridwork.party.urls")),
    path("staff/points/", include("gridwork.points.urls")),
    path("staff/wishes/", include("gridwork.wishes.urls")),
    path("staff/volunteers/", include("gridwork.volunteers.urls")),
    path("staff/care/", include("gridwork.care.urls")),
    path("staff/people/", include("gridwork.people.urls")),
    path("staff/accounts/", include("gridwork.accounts.staff_urls")),
    path("staff/imports/", include("gridwork.imports.urls")),
    path("staff/audit/", include("gridwork.audit.urls")),
    path("staff/matters/", include("gridwork.matters.urls")),
    path("staff/intake/", include("gridwork.matters.intake_urls")),
    path("staff/supervision/", include("gridwork.supervision.urls")),
    path("staff/api/", include("gridwork.api.staff_urls")),
    path("staff/open311/", include("gridwork.open311.staff_urls")),
    path("staff/webhooks/", include("gridwork.webhooks.urls")),
    path("staff/triage/", include("gridwork.triage.urls")),
    path("staff/analytics/", include("gridwork.analytics.urls")),
    path("api/", include("gridwork.api.urls")),
    path("open311/v2/", include("gridwork.open311.urls")),
    path("report/", include("gridwork.matters.resident_urls")),
    path("wishes/", include("gridwork.wishes.resident_urls")),
    path("member/points/", include("gridwork.points.member_urls")),
    path("member/wishes/", include("gridwork.wishes.member_urls")),
    path("member/orders/", include("gridwork.volunteers.member_urls")),
    path("orders/", include("gridwork.volunteers.resident_urls")),
    path("member/", include("gridwork.party.member_urls")),
    path("unit/", include("gridwork.party.unit_urls")),
    path("notifications/", include("gridwork.notifications.urls")),
    path("admin/", admin_site.urls),
]
