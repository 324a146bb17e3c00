"""Staff pages of centres and rooms, at /staff/centres/: the list, a centre's page (hours, functions, rooms, the
bookings waiting for approval), creating and editing a centre (functions as checkboxes from the standard lists,
opening hours per weekday), adding and editing rooms, and the centre's calendar (a week of rooms × days).

Reads through ``centres.selectors`` (VIEW_CENTRES, 404 outside the user's units), writes through
``centres.services`` (MANAGE_CENTRES). A refused form answers 400 with the field and why.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gridwork.accounts.roles import Perm
from gridwork.centres import hours, selectors, services
from gridwork.centres.forms import CentreForm, RoomForm
from gridwork.centres.models import BookingState, Centre, CentreFunction, CentreKind
from gridwork.common.forms import add_service_errors
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view

BAD_REQUEST = 400


def crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Service centres"), "url": reverse("centres:centre-list")}, *extra]


def centre_crumbs(centre: Centre, *extra: dict[str, str]) -> list[dict[str, str]]:
    return crumbs({"label": centre.name, "url": reverse("centres:centre-detail", args=[centre.pk])}, *extra)


def function_labels(centre: Centre) -> list[str]:
    return [str(CentreFunction(code).label) for code in centre.functions or [] if code in CentreFunction.values]


@staff_view(Perm.VIEW_CENTRES)
@require_GET
def centre_list_view(request: HttpRequest) -> HttpResponse:
    """The centres of the user's units: name, kind, place, rooms, whether bookings need approval."""
    user: Any = request.user
    q = request.GET.get("q", "")[:50]
    kind = request.GET.get("kind", "")
    page, query = paginate(request, selectors.centre_list(user=user, q=q, kind=kind))
    return render(
        request,
        "centres/centre_list.html",
        {
            "page_obj": page,
            "query": query,
            "q": q,
            "kind": kind,
            "kinds": CentreKind.choices,
            "may_create": selectors.centre_place_choices(user=user).exists(),
            "breadcrumbs": crumbs(),
        },
    )


@staff_view(Perm.MANAGE_CENTRES)
@require_http_methods(["GET", "POST"])
def centre_create_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    places = selectors.centre_place_choices(user=user)
    status = 200
    if request.method == "POST":
        form = CentreForm(request.POST, places=places)
        if form.is_valid():
            try:
                centre = services.centre_create(actor=user, values=form.to_input())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Centre “%(name)s” created: add its rooms.") % {"name": centre.name})
                return redirect("centres:centre-detail", pk=centre.pk)
        status = BAD_REQUEST
    else:
        initial: dict[str, Any] = {"is_active": True}
        for key in hours.WEEKDAYS[:5]:
            initial[f"hours_{key}"] = "08:30-12:00, 14:00-17:30"
        form = CentreForm(initial=initial, places=places)
    return render(
        request,
        "centres/centre_form.html",
        {"form": form, "title": _("New centre"), "breadcrumbs": crumbs({"label": _("New centre"), "url": ""})},
        status=status,
    )


@staff_view(Perm.VIEW_CENTRES)
@require_GET
def centre_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    centre = selectors.centre_get(user=user, pk=pk)
    pending = selectors.booking_list(
        user=user, filters=selectors.BookingFilters(state=BookingState.PENDING, centre=centre)
    ).order_by("starts_at")[:20]
    return render(
        request,
        "centres/centre_detail.html",
        {
            "centre": centre,
            "rooms": selectors.centre_rooms(centre),
            "week": hours.weekly_table(centre.opening_hours),
            "functions": function_labels(centre),
            "pending": [selectors.masked_row(b) for b in pending],
            "may_manage": services.manages_centre(user, centre),
            "breadcrumbs": centre_crumbs(centre),
        },
    )


@staff_view(Perm.MANAGE_CENTRES)
@require_http_methods(["GET", "POST"])
def centre_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    centre = selectors.centre_get(user=user, pk=pk, perm=Perm.MANAGE_CENTRES)
    places = selectors.centre_place_choices(user=user)
    status = 200
    if request.method == "POST":
        form = CentreForm(request.POST, places=places)
        if form.is_valid():
            try:
                services.centre_update(actor=user, centre=centre, values=form.to_input())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Centre saved."))
                return redirect("centres:centre-detail", pk=centre.pk)
        status = BAD_REQUEST
    else:
        form = CentreForm(initial=CentreForm.initial_of(centre), places=places)
    title = _("Edit the centre")
    return render(
        request,
        "centres/centre_form.html",
        {
            "form": form,
            "centre": centre,
            "title": title,
            "breadcrumbs": centre_crumbs(centre, {"label": title, "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.MANAGE_CENTRES)
@require_http_methods(["GET", "POST"])
def room_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    centre = selectors.centre_get(user=user, pk=pk, perm=Perm.MANAGE_CENTRES)
    status = 200
    if request.method == "POST":
        form = RoomForm(request.POST)
        if form.is_valid():
            try:
                room = services.room_create(actor=user, centre=centre, values=form.to_input())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Room “%(name)s” added.") % {"name": room.name})
                return redirect("centres:centre-detail", pk=centre.pk)
        status = BAD_REQUEST
    else:
        form = RoomForm(initial={"bookable": True})
    title = _("New room")
    return render(
        request,
        "centres/room_form.html",
        {
            "form": form,
            "centre": centre,
            "title": title,
            "breadcrumbs": centre_crumbs(centre, {"label": title, "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.MANAGE_CENTRES)
@require_http_methods(["GET", "POST"])
def room_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    room = selectors.room_get(user=user, pk=pk, perm=Perm.MANAGE_CENTRES)
    centre = room.centre
    status = 200
    if request.method == "POST":
        form = RoomForm(request.POST)
        if form.is_valid():
            try:
                services.room_update(actor=user, room=room, values=form.to_input())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Room saved."))
                return redirect("centres:centre-detail", pk=centre.pk)
        status = BAD_REQUEST
    else:
        form = RoomForm(initial=RoomForm.initial_of(room))
    title = _("Edit room “%(name)s”") % {"name": room.name}
    return render(
        request,
        "centres/room_form.html",
        {
            "form": form,
            "centre": centre,
            "room": room,
            "title": title,
            "breadcrumbs": centre_crumbs(centre, {"label": title, "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.VIEW_CENTRES)
@require_GET
def calendar_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The centre's week: rooms × days with the bookings holding their slot (pending ones marked); ``?week=`` any day
    of the week wanted (YYYY-MM-DD); previous, next and this week."""
    user: Any = request.user
    centre = selectors.centre_get(user=user, pk=pk)
    today = timezone.localdate()
    monday = selectors.parse_week(request.GET.get("week"), today)
    grid = selectors.centre_week(centre, monday, today=today)
    days = [monday + timedelta(days=offset) for offset in range(7)]
    return render(
        request,
        "centres/calendar.html",
        {
            "centre": centre,
            "grid": grid,
            "days": days,
            "monday": monday,
            "sunday": days[-1],
            "previous": (monday - timedelta(days=7)).isoformat(),
            "next": (monday + timedelta(days=7)).isoformat(),
            "today": today,
            "this_week": selectors.week_start(today) == monday,
            "may_book": bool(selectors.bookable_rooms(user=user).filter(centre=centre).exists()),
            "breadcrumbs": centre_crumbs(centre, {"label": _("Calendar"), "url": ""}),
        },
    )
