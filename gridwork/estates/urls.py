"""Staff pages of the estates app, at /staff/estates/."""

from django.urls import URLPattern, path

from gridwork.estates.views import committees, coverage, estates

app_name = "estates"

urlpatterns: list[URLPattern] = [
    path("", estates.estate_list_view, name="estate-list"),
    path("new/", estates.estate_create_view, name="estate-create"),
    path("<int:pk>/", estates.estate_detail_view, name="estate-detail"),
    path("<int:pk>/edit/", estates.estate_edit_view, name="estate-edit"),
    path("<int:pk>/committee/new/", committees.committee_create_view, name="committee-create"),
    path("committees/<int:pk>/", committees.committee_detail_view, name="committee-detail"),
    path("committees/<int:pk>/edit/", committees.committee_edit_view, name="committee-edit"),
    path("committees/<int:pk>/move/<slug:action>/", committees.committee_move_view, name="committee-move"),
    path("committees/<int:pk>/members/new/", committees.member_create_view, name="member-create"),
    path("members/<int:pk>/leave/", committees.member_leave_view, name="member-leave"),
    path("committees/<int:pk>/meetings/new/", committees.meeting_create_view, name="meeting-create"),
    path("meetings/<int:pk>/", committees.meeting_detail_view, name="meeting-detail"),
    path("meetings/<int:pk>/decisions/", committees.decision_create_view, name="decision-create"),
    path("committees/<int:pk>/notices/new/", committees.notice_create_view, name="notice-create"),
    path("notices/<int:pk>/withdraw/", committees.notice_withdraw_view, name="notice-withdraw"),
    path("coverage/", coverage.coverage_view, name="coverage"),
    path("coverage/export/", coverage.coverage_export_view, name="coverage-export"),
]
