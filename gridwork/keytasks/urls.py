"""Staff pages of the keytasks app, at /staff/key-tasks/."""

from django.urls import URLPattern, path

from gridwork.keytasks.views import items, tasks

app_name = "keytasks"

urlpatterns: list[URLPattern] = [
    path("", tasks.task_list_view, name="task-list"),
    path("new/", tasks.task_create_view, name="task-create"),
    path("overview/", tasks.overview_view, name="overview"),
    path("mine/", items.my_items_view, name="my-items"),
    path("<int:pk>/", tasks.task_detail_view, name="task-detail"),
    path("<int:pk>/edit/", tasks.task_edit_view, name="task-edit"),
    path("<int:pk>/move/<slug:action>/", tasks.task_move_view, name="task-move"),
    path("<int:pk>/export/", tasks.task_export_view, name="task-export"),
    path("<int:pk>/items/new/", items.item_create_view, name="item-create"),
    path("items/<int:pk>/", items.item_detail_view, name="item-detail"),
    path("items/<int:pk>/report/", items.item_report_view, name="item-report"),
    path("items/<int:pk>/milestones/new/", items.milestone_create_view, name="milestone-create"),
    path("items/<int:pk>/cancel/", items.item_cancel_view, name="item-cancel"),
    path("evidence/<int:pk>/", items.evidence_view, name="evidence"),
]
