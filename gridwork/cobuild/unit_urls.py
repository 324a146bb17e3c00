"""A resident unit's contact's pages of co-construction, at /unit/resources/: our resources, the needs around us."""

from django.urls import URLPattern, path

from gridwork.cobuild.views import unit

app_name = "unit_cobuild"
urlpatterns: list[URLPattern] = [
    path("", unit.resource_list_view, name="resource-list"),
    path("new/", unit.resource_create_view, name="resource-create"),
    path("<int:pk>/", unit.resource_detail_view, name="resource-detail"),
    path("<int:pk>/edit/", unit.resource_edit_view, name="resource-edit"),
    path("<int:pk>/use-up/", unit.resource_use_up_view, name="resource-use-up"),
    path("<int:pk>/restore/", unit.resource_restore_view, name="resource-restore"),
    path("<int:pk>/withdraw/", unit.resource_withdraw_view, name="resource-withdraw"),
    path("needs/", unit.need_list_view, name="need-list"),
    path("needs/<int:pk>/", unit.need_detail_view, name="need-detail"),
]
