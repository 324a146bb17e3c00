"""Staff pages of the deliberation app, at /staff/deliberation/: deliberations (议事) and the yearly public-interest
projects (民生实事)."""

from django.urls import URLPattern, path

from gridwork.deliberation.views import programmes, staff

app_name = "deliberation"

urlpatterns: list[URLPattern] = [
    path("", staff.list_view, name="list"),
    path("new/", staff.create_view, name="create"),
    path("<int:pk>/", staff.detail_view, name="detail"),
    path("<int:pk>/close/", staff.close_view, name="close"),
    path("<int:pk>/cancel/", staff.cancel_view, name="cancel"),
    path("<int:pk>/comment/", staff.comment_view, name="comment"),
    path("<int:pk>/comments/<int:comment_id>/hide/", staff.comment_hide_view, name="comment-hide"),
    path("<int:pk>/to-matter/", staff.to_matter_view, name="to-matter"),
    path("<int:pk>/to-proposal/", staff.to_proposal_view, name="to-proposal"),
    path("<int:pk>/to-clause/", staff.to_clause_view, name="to-clause"),
    path("programmes/", programmes.programme_list_view, name="programme-list"),
    path("programmes/new/", programmes.programme_create_view, name="programme-create"),
    path("programmes/<int:pk>/", programmes.programme_detail_view, name="programme-detail"),
    path("programmes/<int:pk>/move/", programmes.programme_move_view, name="programme-move"),
    path("programmes/<int:pk>/choose/", programmes.programme_choose_view, name="programme-choose"),
    path("programmes/<int:pk>/export.xlsx", programmes.programme_export_view, name="programme-export"),
    path("proposals/<int:pk>/", programmes.proposal_detail_view, name="proposal-detail"),
    path("proposals/<int:pk>/screen/", programmes.proposal_screen_view, name="proposal-screen"),
    path("proposals/<int:pk>/progress/", programmes.proposal_progress_view, name="proposal-progress"),
    path("photos/<int:pk>/", programmes.photo_view, name="photo"),
]
