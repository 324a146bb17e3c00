"""Staff pages of the monthly service day (/staff/service-day/)."""

from django.urls import URLPattern, path

from gridwork.serviceday.views import staff

app_name = "serviceday"

urlpatterns: list[URLPattern] = [
    path("", staff.cycle_list_view, name="cycle-list"),
    path("export.xlsx", staff.cycle_export_view, name="cycle-export"),
    path("<int:pk>/", staff.cycle_detail_view, name="cycle-detail"),
    path("<int:pk>/complete/", staff.cycle_complete_view, name="cycle-complete"),
    path("<int:pk>/opinions/new/", staff.opinion_add_view, name="opinion-add"),
    path("<int:pk>/opinions/from-matters/", staff.opinion_matters_view, name="opinion-matters"),
    path("<int:pk>/items/new/", staff.item_create_view, name="item-create"),
    path("items/<int:pk>/edit/", staff.item_edit_view, name="item-edit"),
    path("items/<int:pk>/drop/", staff.item_drop_view, name="item-drop"),
    path("items/<int:pk>/result/", staff.item_result_view, name="item-result"),
]
