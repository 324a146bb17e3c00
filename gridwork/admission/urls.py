"""Staff pages of the admission app, at /staff/admission/."""

from django.urls import URLPattern, path

from gridwork.admission.views import community, duties, figures, requests

app_name = "admission"

urlpatterns: list[URLPattern] = [
    path("", requests.request_list_view, name="request-list"),
    path("new/", requests.request_create_view, name="request-create"),
    path("<int:pk>/", requests.request_detail_view, name="request-detail"),
    path("<int:pk>/edit/", requests.request_edit_view, name="request-edit"),
    path("<int:pk>/submit/", requests.request_submit_view, name="request-submit"),
    path("<int:pk>/withdraw/", requests.request_withdraw_view, name="request-withdraw"),
    path("<int:pk>/decide/", requests.request_decide_view, name="request-decide"),
    path("<int:pk>/assign/", requests.request_assign_view, name="request-assign"),
    path("duties/", duties.duty_list_view, name="duty-list"),
    path("duties/history/", duties.duty_history_view, name="duty-history"),
    path("duties/new/", duties.duty_create_view, name="duty-create"),
    path("duties/<int:pk>/edit/", duties.duty_edit_view, name="duty-edit"),
    path("duties/<int:pk>/toggle/", duties.duty_toggle_view, name="duty-toggle"),
    path("bodies/", duties.body_list_view, name="body-list"),
    path("bodies/add/", duties.body_add_view, name="body-add"),
    path("bodies/<int:pk>/remove/", duties.body_remove_view, name="body-remove"),
    path("tasks/", community.task_list_view, name="task-list"),
    path("tasks/<int:pk>/", community.task_detail_view, name="task-detail"),
    path("tasks/<int:pk>/receive/", community.task_receive_view, name="task-receive"),
    path("reports/", community.report_list_view, name="report-list"),
    path("reports/new/", community.report_create_view, name="report-create"),
    path("figures/", figures.figures_view, name="figures"),
    path("figures/export/", figures.figures_export_view, name="figures-export"),
]
