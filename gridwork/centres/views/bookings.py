"""Staff pages of room bookings, at /staff/centres/bookings/: the list (by state, centre, room, date; contacts
masked), booking a room (``?room=`` and ``?day=`` prefill it), a booking's page (the contact in full only with
VIEW_PERSONAL_DATA there, the history), and approving, refusing (with the reason) and cancelling.

Reads through ``centres.selectors`` (VIEW_CENTRES, 404 outside), moves through ``centres.services`` (the centre's
managers; the booker may cancel their own). A refused form answers 400 with the field and why; a stale page or a
move the booking's state does not allow answers 409 with the message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.accounts.roles import Perm
from gridwork.centres import selectors, services
from gridwork.centres.flows import ACTION_LABELS, BOOKING_FLOW, BookingAction
from gridwork.centres.forms import ApproveForm, BookingFilterForm, CancelForm, RefuseForm, StaffBookingForm
from gridwork.centres.models import Booking, Room
from gridwork.centres.views.centres import crumbs
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.forms import add_service_errors
from gridwork.common.masking import mask_name, mask_phone
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.people.models import ResidentUnit

BAD_REQUEST = 400
CONFLICT = 409


def _booking_crumbs(booking: Booking, *extra: dict[str, str]) -> list[dict[str, str]]:
    return crumbs(
        {"label": _("Bookings"), "url": reverse("centres:booking-list")},
        {"label": booking.number, "url": reverse("centres:booking-detail", args=[booking.pk])},
        *extra,
    )


def _id(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@staff_view(Perm.VIEW_CENTRES)
@require_GET
def booking_list_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    centres = selectors.centre_list(user=user)
    rooms = Room.objects.restrict(user, Perm.VIEW_CENTRES).select_related("centre").order_by("centre__name", "name")
    bound = any(request.GET.get(key) for key in BookingFilterForm.base_fields)
    form = BookingFilterForm(request.GET if bound else None, centres=centres, rooms=rooms)
    values = form.cleaned_data if bound and form.is_valid() else {}
    filters = selectors.BookingFilters(
        state=values.get("state", ""),
        centre=values.get("centre"),
        room=values.get("room"),
        day=values.get("day"),
        q=values.get("q", ""),
    )
    page, query = paginate(request, selectors.booking_list(user=user, filters=filters))
    return render(
        request,
        "centres/booking_list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": [selectors.masked_row(booking) for booking in page],
            "query": query,
            "breadcrumbs": crumbs({"label": _("Bookings"), "url": ""}),
        },
        status=BAD_REQUEST if bound and form.errors else 200,
    )


@staff_view(Perm.VIEW_CENTRES)
@require_http_methods(["GET", "POST"])
def booking_create_view(request: HttpRequest) -> HttpResponse:
    """Book a room of a centre within the user's reach (their units' and those above), as staff, for an organisation
    or on a resident unit's behalf."""
    user: Any = request.user
    rooms = selectors.bookable_rooms(user=user)
    units = ResidentUnit.objects.restrict(user, Perm.VIEW_PARTY).order_by("name")  # not lifted to the community
    status = 200
    if request.method == "POST":
        form = StaffBookingForm(request.POST, rooms=rooms, units=units)
        if form.is_valid():
            values = form.cleaned_data
            starts_at, ends_at = form.slot()
            try:
                booking = services.booking_create(
                    actor=user,
                    room=values["room"],
                    starts_at=starts_at,
                    ends_at=ends_at,
                    booker_kind=values["booker_kind"],
                    purpose=values["purpose"],
                    attendees=values["attendees"],
                    contact_name=values["contact_name"],
                    contact_phone=values["contact_phone"],
                    unit=values.get("unit"),
                    organisation_name=values.get("organisation_name") or "",
                )
            except PermissionDenied as error:
                form.add_error("room", str(error) or _("You may not book this room."))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Booking %(number)s made: %(state)s.")
                    % {"number": booking.number, "state": booking.get_state_display()},
                )
                return redirect("centres:booking-detail", pk=booking.pk)
        status = BAD_REQUEST
    else:
        initial: dict[str, Any] = {"contact_name": user.full_name, "booker_kind": "staff", "attendees": 10}
        room_id = _id(request.GET.get("room"))
        if room_id is not None and rooms.filter(pk=room_id).exists():
            initial["room"] = room_id
        day = (request.GET.get("day") or "").strip()[:10]
        initial["day"] = day or timezone.localdate().isoformat()
        form = StaffBookingForm(initial=initial, rooms=rooms, units=units)
    title = _("Book a room")
    return render(
        request,
        "centres/booking_form.html",
        {
            "form": form,
            "title": title,
            "breadcrumbs": crumbs(
                {"label": _("Bookings"), "url": reverse("centres:booking-list")}, {"label": title, "url": ""}
            ),
        },
        status=status,
    )


def _detail(
    request: HttpRequest,
    booking: Booking,
    *,
    status: int = 200,
    refusal: str = "",
    refuse_form: RefuseForm | None = None,
    cancel_form: CancelForm | None = None,
) -> HttpResponse:
    user: Any = request.user
    manager = services.manages_centre(user, booking.room.centre)
    allowed = BOOKING_FLOW.allowed(booking.state)
    may_cancel = BookingAction.CANCEL in allowed and (manager or booking.booker_id == user.pk)
    full = selectors.may_see_contact(user, booking)
    return render(
        request,
        "centres/booking_detail.html",
        {
            "booking": booking,
            "booker": services.booker_display(booking),
            "contact_name": booking.contact_name if full else mask_name(booking.contact_name),
            "contact_phone": booking.contact_phone if full else mask_phone(booking.contact_phone),
            "timeline": [
                {"event": event, "label": ACTION_LABELS.get(event.action, event.action)}
                for event in selectors.booking_timeline(booking)
            ],
            "may_decide": manager and BookingAction.APPROVE in allowed,
            "may_cancel": may_cancel,
            "approve_form": ApproveForm(initial={"version": booking.version}),
            "refuse_form": refuse_form or RefuseForm(initial={"version": booking.version}),
            "cancel_form": cancel_form or CancelForm(initial={"version": booking.version}),
            "refusal": refusal,
            "breadcrumbs": _booking_crumbs(booking),
        },
        status=status,
    )


@staff_view(Perm.VIEW_CENTRES)
@require_GET
def booking_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.booking_get(user=request.user, pk=pk))


def _fresh(request: HttpRequest, pk: int) -> Booking:
    return selectors.booking_get(user=request.user, pk=pk)


@staff_view(Perm.MANAGE_CENTRES)
@require_POST
def booking_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_get(user=request.user, pk=pk, perm=Perm.MANAGE_CENTRES)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        return _detail(request, booking, status=BAD_REQUEST, refusal=_("The page was incomplete: reload it."))
    try:
        services.booking_approve(
            actor=request.user,
            booking=booking,
            expected_version=form.cleaned_data["version"],
            note=form.cleaned_data.get("note") or "",
        )
    except (StaleState, MoveRefused) as error:
        return _detail(request, _fresh(request, pk), status=CONFLICT, refusal=str(error))
    except ValidationError as error:
        return _detail(request, booking, status=BAD_REQUEST, refusal=" ".join(error.messages))
    messages.success(request, _("Booking %(number)s approved; the booker is told.") % {"number": booking.number})
    return redirect("centres:booking-detail", pk=booking.pk)


@staff_view(Perm.MANAGE_CENTRES)
@require_POST
def booking_refuse_view(request: HttpRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_get(user=request.user, pk=pk, perm=Perm.MANAGE_CENTRES)
    form = RefuseForm(request.POST)
    if not form.is_valid():
        return _detail(request, booking, status=BAD_REQUEST, refuse_form=form)
    try:
        services.booking_refuse(
            actor=request.user,
            booking=booking,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data.get("reason") or "",
        )
    except (StaleState, MoveRefused) as error:
        return _detail(request, _fresh(request, pk), status=CONFLICT, refusal=str(error))
    except ValidationError as error:
        add_service_errors(form, error)
        return _detail(request, booking, status=BAD_REQUEST, refuse_form=form)
    messages.success(request, _("Booking %(number)s refused; the booker is told.") % {"number": booking.number})
    return redirect("centres:booking-detail", pk=booking.pk)


@staff_view(Perm.VIEW_CENTRES)
@require_POST
def booking_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The centre's managers cancel any booking of it; other staff only their own."""
    booking = selectors.booking_get(user=request.user, pk=pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _detail(request, booking, status=BAD_REQUEST, cancel_form=form)
    try:
        services.booking_cancel(
            actor=request.user,
            booking=booking,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data.get("reason") or "",
        )
    except PermissionDenied:
        raise
    except (StaleState, MoveRefused) as error:
        return _detail(request, _fresh(request, pk), status=CONFLICT, refusal=str(error))
    except ValidationError as error:
        add_service_errors(form, error)
        return _detail(
            request,
            booking,
            status=BAD_REQUEST,
            cancel_form=form,
            refusal=" ".join(str(e) for e in form.non_field_errors()),
        )
    messages.success(request, _("Booking %(number)s cancelled.") % {"number": booking.number})
    return redirect("centres:booking-detail", pk=booking.pk)
