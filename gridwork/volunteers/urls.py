"""Staff pages of volunteer orders, at /staff/volunteers/: the menu, orders to issue, follow."""

from django.urls import URLPattern, path

from gridwork.volunteers.views import staff

app_name = "volunteers"
urlpatterns: list[URLPattern] = [
    path("orders/", staff.order_list_view, name="order-list"),
    path("orders/export/", staff.order_export_view, name="order-export"),
    path("orders/<int:pk>/", staff.order_detail_view, name="order-detail"),
    path("orders/<int:pk>/issue/", staff.order_issue_view, name="order-issue"),
    path("orders/<int:pk>/decline/", staff.order_decline_view, name="order-decline"),
    path("orders/<int:pk>/cancel/", staff.order_cancel_view, name="order-cancel"),
    path("menu/", staff.menu_list_view, name="menu-list"),
    path("menu/new/", staff.menu_create_view, name="menu-create"),
    path("menu/<int:pk>/", staff.menu_edit_view, name="menu-edit"),
    path("menu/<int:pk>/withdraw/", staff.menu_withdraw_view, name="menu-withdraw"),
]
