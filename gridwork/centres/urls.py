"""Staff pages of the centres app, at /staff/centres/."""

from django.urls import URLPattern, path

from gridwork.centres.views import bookings, centres, figures

app_name = "centres"

urlpatterns: list[URLPattern] = [
    path("", centres.centre_list_view, name="centre-list"),
    path("new/", centres.centre_create_view, name="centre-create"),
    path("<int:pk>/", centres.centre_detail_view, name="centre-detail"),
    path("<int:pk>/edit/", centres.centre_edit_view, name="centre-edit"),
    path("<int:pk>/calendar/", centres.calendar_view, name="calendar"),
    path("<int:pk>/rooms/new/", centres.room_create_view, name="room-create"),
    path("rooms/<int:pk>/edit/", centres.room_edit_view, name="room-edit"),
    path("bookings/", bookings.booking_list_view, name="booking-list"),
    path("bookings/new/", bookings.booking_create_view, name="booking-create"),
    path("bookings/<int:pk>/", bookings.booking_detail_view, name="booking-detail"),
    path("bookings/<int:pk>/approve/", bookings.booking_approve_view, name="booking-approve"),
    path("bookings/<int:pk>/refuse/", bookings.booking_refuse_view, name="booking-refuse"),
    path("bookings/<int:pk>/cancel/", bookings.booking_cancel_view, name="booking-cancel"),
    path("usage/", figures.usage_view, name="usage"),
    path("usage/export/", figures.usage_export_view, name="usage-export"),
]
