from django.urls import path

from gridwork.party import (
    contact_views,
    evaluation_views,
    overview_views,
    parttime_views,
    registration_views,
    views,
)

app_name = "party"
urlpatterns = [
    path("", views.organisation_list_view, name="organisation-list"),
    path("members/", views.member_list_view, name="member-list"),
    path("registrations/", registration_views.registration_list_view, name="registration-list"),
    path("registrations/members/", registration_views.registered_members_view, name="registered-members"),
    path(
        "registrations/members/export.xlsx",
        registration_views.registered_members_export_view,
        name="registered-members-export",
    ),
    path("registrations/<int:pk>/", registration_views.registration_detail_view, name="registration-detail"),
    path("evaluations/", evaluation_views.evaluation_list_view, name="evaluations"),
    path("evaluations/send/", evaluation_views.evaluations_send_view, name="evaluations-send"),
    path("evaluations/export.xlsx", evaluation_views.evaluations_export_view, name="evaluations-export"),
    path("evaluations/members/<int:pk>/", evaluation_views.evaluation_member_view, name="evaluation-member"),
    path("unit-registrations/", registration_views.unit_registration_list_view, name="unit-registration-list"),
    path(
        "unit-registrations/new/",
        registration_views.unit_registration_create_view,
        name="unit-registration-create",
    ),
    path(
        "unit-registrations/<int:pk>/",
        registration_views.unit_registration_detail_view,
        name="unit-registration-detail",
    ),
    path("units/<int:pk>/contacts/", registration_views.unit_contacts_view, name="unit-contacts"),
    path("units/<int:pk>/contacts/new/", contact_views.unit_contact_create_view, name="unit-contact-create"),
    path(
        "units/<int:pk>/contacts/<int:contact_pk>/remove/",
        contact_views.unit_contact_remove_view,
        name="unit-contact-remove",
    ),
    path("part-time/", parttime_views.parttime_list_view, name="parttime-list"),
    path("part-time/export.xlsx", parttime_views.parttime_export_view, name="parttime-export"),
    path("part-time/new/", parttime_views.parttime_create_view, name="parttime-create"),
    path("part-time/<int:pk>/", parttime_views.parttime_detail_view, name="parttime-detail"),
    path("part-time/<int:pk>/end/", parttime_views.parttime_end_view, name="parttime-end"),
    path("part-time/<int:pk>/renew/", parttime_views.parttime_renew_view, name="parttime-renew"),
    path("overview/", overview_views.overview_view, name="overview"),
    path("overview/export.xlsx", overview_views.overview_export_view, name="overview-export"),
    path("<str:code>/", views.organisation_detail_view, name="organisation-detail"),
]
