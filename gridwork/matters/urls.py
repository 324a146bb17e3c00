"""Staff pages of matters, at /staff/matters/."""

from django.urls import path

from gridwork.matters.views import routing, staff

app_name = "matters"
urlpatterns = [
    path("", staff.queue_view, name="queue"),
    path("routing/", routing.routing_list_view, name="routing-list"),
    path("routing/new/", routing.routing_create_view, name="routing-create"),
    path("routing/<int:pk>/", routing.routing_edit_view, name="routing-edit"),
    path("routing/<int:pk>/delete/", routing.routing_delete_view, name="routing-delete"),
    path("<str:number>/", staff.detail_view, name="detail"),
    path("<str:number>/merge/", staff.merge_view, name="merge"),
    path("<str:number>/map.geojson", staff.detail_map_view, name="detail-map"),
    path("<str:number>/photos/<int:photo_id>/", staff.photo_view, name="photo"),
]
