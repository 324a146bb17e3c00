"""Staff pages of the outbound webhooks, at /staff/webhooks/."""

from django.urls import path

from gridwork.webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("", views.endpoint_list_view, name="endpoint-list"),
    path("new/", views.endpoint_create_view, name="endpoint-create"),
    path("<int:pk>/", views.endpoint_edit_view, name="endpoint-edit"),
    path("<int:pk>/deactivate/", views.endpoint_deactivate_view, name="endpoint-deactivate"),
    path("<int:pk>/rotate-secret/", views.endpoint_rotate_view, name="endpoint-rotate"),
    path("deliveries/", views.delivery_list_view, name="delivery-list"),
    path("deliveries/<uuid:public_id>/", views.delivery_detail_view, name="delivery-detail"),
    path("deliveries/<uuid:public_id>/redeliver/", views.delivery_redeliver_view, name="delivery-redeliver"),
]
