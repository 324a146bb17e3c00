"""Staff pages of the community workforce (社区工作者队伍), at /staff/workforce/."""

from django.urls import URLPattern, path

from gridwork.workforce import views

app_name = "workforce"
urlpatterns: list[URLPattern] = [
    path("", views.worker_list_view, name="worker-list"),
    path("export/", views.worker_export_view, name="worker-export"),
    path("new/", views.worker_create_view, name="worker-create"),
    path("<int:pk>/", views.worker_detail_view, name="worker-detail"),
    path("<int:pk>/edit/", views.worker_edit_view, name="worker-edit"),
    path("<int:pk>/move/", views.worker_move_view, name="worker-move"),
    path("<int:pk>/regrade/", views.worker_regrade_view, name="worker-regrade"),
    path("<int:pk>/leave/", views.worker_leave_view, name="worker-leave"),
    path("<int:pk>/return/", views.worker_return_view, name="worker-return"),
    path("ladders/", views.ladder_list_view, name="ladder-list"),
    path("ladders/new/", views.ladder_create_view, name="ladder-create"),
    path("ladders/preset/", views.ladder_preset_view, name="ladder-preset"),
    path("ladders/<int:pk>/", views.ladder_detail_view, name="ladder-detail"),
    path("ladders/<int:pk>/edit/", views.ladder_edit_view, name="ladder-edit"),
    path("ladders/<int:pk>/pay/", views.ladder_pay_view, name="ladder-pay"),
    path("ladders/<int:pk>/stars/", views.ladder_stars_view, name="ladder-stars"),
    path("training/", views.course_list_view, name="course-list"),
    path("training/new/", views.course_create_view, name="course-create"),
    path("training/<int:pk>/", views.course_detail_view, name="course-detail"),
    path("training/<int:pk>/edit/", views.course_edit_view, name="course-edit"),
    path("training/<int:pk>/records/", views.record_add_view, name="record-add"),
    path("training/records/<int:pk>/remove/", views.record_remove_view, name="record-remove"),
    path("training/secretaries/", views.training_view, name="training"),
    path("training/secretaries/export/", views.training_export_view, name="training-export"),
    path("staffing/", views.staffing_view, name="staffing"),
    path("staffing/export/", views.staffing_export_view, name="staffing-export"),
    path("standards/", views.rule_edit_view, name="rule-edit"),
    path("reserve/", views.reserve_list_view, name="reserve-list"),
    path("reserve/new/", views.reserve_create_view, name="reserve-create"),
    path("reserve/<int:pk>/", views.reserve_edit_view, name="reserve-edit"),
    path("reserve/<int:pk>/leave/", views.reserve_leave_view, name="reserve-leave"),
]
