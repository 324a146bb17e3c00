"""A member's pages of volunteer orders, at /member/orders/: orders issued to them, take, record hours."""

from django.urls import URLPattern

app_name = "member_orders"
urlpatterns: list[URLPattern] = []
