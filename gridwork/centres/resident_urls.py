"""Public and residents' pages of the centres app, at /centres/."""

from django.urls import URLPattern, path

from gridwork.centres.views import public

app_name = "centres_public"

urlpatterns: list[URLPattern] = [
    path("", public.centre_list_view, name="list"),
    path("<int:pk>/", public.centre_view, name="centre"),
    path("rooms/<int:pk>/", public.room_view, name="room"),
    path("rooms/<int:pk>/book/", public.book_view, name="book"),
    path("mine/", public.mine_view, name="mine"),
    path("mine/<int:pk>/cancel/", public.cancel_view, name="cancel"),
]
