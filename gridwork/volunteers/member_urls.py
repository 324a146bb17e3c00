"""A member's pages of volunteer orders, at /member/orders/: orders issued to them, take, record hours."""

from django.urls import URLPattern, path

from gridwork.volunteers.views import member

app_name = "member_orders"
urlpatterns: list[URLPattern] = [
    path("", member.list_view, name="list"),
    path("<int:pk>/", member.detail_view, name="detail"),
    path("<int:pk>/take/", member.take_view, name="take"),
    path("<int:pk>/give-back/", member.give_back_view, name="give-back"),
    path("<int:pk>/complete/", member.complete_view, name="complete"),
]
