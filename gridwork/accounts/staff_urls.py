"""Staff pages about staff: the list, a staff member, a new staff member."""

from django.urls import URLPattern, path

from gridwork.accounts import views

app_name = "staff_accounts"
urlpatterns: list[URLPattern] = [
    path("", views.staff_list_view, name="staff-list"),
    path("new/", views.staff_create_view, name="staff-create"),
    path("<int:pk>/", views.staff_detail_view, name="staff-detail"),
    path("<int:pk>/deactivate/", views.staff_deactivate_view, name="staff-deactivate"),
]
