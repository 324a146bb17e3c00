"""Staff pages of party-building alliances (党建联盟), at /staff/alliances/."""

from django.urls import URLPattern, path

from gridwork.alliances import views

app_name = "alliances"
urlpatterns: list[URLPattern] = [
    path("", views.list_view, name="list"),
    path("new/", views.new_view, name="new"),
    path("export/", views.export_view, name="export"),
    path("<int:pk>/", views.detail_view, name="detail"),
    path("<int:pk>/edit/", views.edit_view, name="edit"),
    path("<int:pk>/join/", views.join_view, name="join"),
    path("<int:pk>/members/<int:member_id>/leave/", views.leave_view, name="leave"),
    path("<int:pk>/order/", views.order_view, name="order"),
    path("<int:pk>/hand-over/", views.hand_over_view, name="hand-over"),
    path("<int:pk>/meetings/new/", views.meeting_new_view, name="meeting-new"),
    path("<int:pk>/meetings/<int:meeting_id>/", views.meeting_view, name="meeting"),
    path("<int:pk>/dissolve/", views.dissolve_view, name="dissolve"),
]
