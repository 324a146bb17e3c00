"""Staff pages of the socialorgs app, at /staff/social-orgs/."""

from django.urls import URLPattern, path

from gridwork.socialorgs.views import figures, incubation, members, organisations

app_name = "socialorgs"

urlpatterns: list[URLPattern] = [
    path("", organisations.organisation_list_view, name="organisation-list"),
    path("new/", organisations.organisation_create_view, name="organisation-create"),
    path("<int:pk>/", organisations.organisation_detail_view, name="organisation-detail"),
    path("<int:pk>/edit/", organisations.organisation_edit_view, name="organisation-edit"),
    path("<int:pk>/dissolve/", organisations.organisation_dissolve_view, name="organisation-dissolve"),
    path("<int:pk>/members/new/", members.member_add_view, name="member-add"),
    path("members/<int:pk>/edit/", members.member_edit_view, name="member-edit"),
    path("members/<int:pk>/leave/", members.member_leave_view, name="member-leave"),
    path("<int:pk>/incubation/new/", incubation.incubation_enter_view, name="incubation-enter"),
    path("incubations/<int:pk>/", incubation.incubation_detail_view, name="incubation-detail"),
    path("incubations/<int:pk>/move/", incubation.incubation_move_view, name="incubation-move"),
    path("bases/", incubation.base_list_view, name="base-list"),
    path("bases/new/", incubation.base_create_view, name="base-create"),
    path("bases/<int:pk>/", incubation.base_detail_view, name="base-detail"),
    path("bases/<int:pk>/edit/", incubation.base_edit_view, name="base-edit"),
    path("figures/", figures.figures_view, name="figures"),
    path("figures/export/", figures.figures_export_view, name="figures-export"),
]
