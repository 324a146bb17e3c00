"""Staff pages of co-construction, at /staff/cobuild/: the needs (with matching), the resources, the matches, the
projects, and the figures."""

from django.urls import URLPattern, path

from gridwork.cobuild.views import figures, needs, projects, resources

app_name = "cobuild"
urlpatterns: list[URLPattern] = [
    path("needs/", needs.need_list_view, name="need-list"),
    path("needs/export/", needs.need_export_view, name="need-export"),
    path("needs/new/", needs.need_create_view, name="need-create"),
    path("needs/<int:pk>/", needs.need_detail_view, name="need-detail"),
    path("needs/<int:pk>/edit/", needs.need_edit_view, name="need-edit"),
    path("needs/<int:pk>/matching/", needs.need_matching_view, name="need-matching"),
    path("needs/<int:pk>/match/", needs.need_match_view, name="need-match"),
    path("needs/<int:pk>/meet/", needs.need_meet_view, name="need-meet"),
    path("needs/<int:pk>/reopen/", needs.need_reopen_view, name="need-reopen"),
    path("needs/<int:pk>/withdraw/", needs.need_withdraw_view, name="need-withdraw"),
    path("resources/", resources.resource_list_view, name="resource-list"),
    path("resources/export/", resources.resource_export_view, name="resource-export"),
    path("resources/new/", resources.resource_create_view, name="resource-create"),
    path("resources/<int:pk>/", resources.resource_detail_view, name="resource-detail"),
    path("resources/<int:pk>/edit/", resources.resource_edit_view, name="resource-edit"),
    path("resources/<int:pk>/use-up/", resources.resource_use_up_view, name="resource-use-up"),
    path("resources/<int:pk>/restore/", resources.resource_restore_view, name="resource-restore"),
    path("resources/<int:pk>/withdraw/", resources.resource_withdraw_view, name="resource-withdraw"),
    path("matches/", projects.match_list_view, name="match-list"),
    path("matches/export/", projects.match_export_view, name="match-export"),
    path("matches/<int:pk>/project/", projects.match_project_view, name="match-project"),
    path("projects/", projects.project_list_view, name="project-list"),
    path("projects/export/", projects.project_export_view, name="project-export"),
    path("projects/new/", projects.project_create_view, name="project-create"),
    path("projects/<int:pk>/", projects.project_detail_view, name="project-detail"),
    path("projects/<int:pk>/edit/", projects.project_edit_view, name="project-edit"),
    path("projects/<int:pk>/milestones/", projects.milestone_add_view, name="milestone-add"),
    path("projects/<int:pk>/milestones/<int:milestone_id>/done/", projects.milestone_done_view, name="milestone-done"),
    path("projects/<int:pk>/start/", projects.project_start_view, name="project-start"),
    path("projects/<int:pk>/finish/", projects.project_finish_view, name="project-finish"),
    path("projects/<int:pk>/cancel/", projects.project_cancel_view, name="project-cancel"),
    path("figures/", figures.figures_view, name="figures"),
    path("figures/export/", figures.figures_export_view, name="figures-export"),
]
