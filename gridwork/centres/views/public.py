"""Public pages of the centres, at /centres/: the centres anyone may read (of my community by default for a verified
resident or a registered member; any community by search), a centre's page (address, hours, functions, rooms), a
room's week (busy and free times, never who booked), booking a room (signed-in residents as themselves or an
organisation, unit contacts as their unit), and my bookings with cancelling.

Staff book on the staff pages (403 here). A resident finds only their own bookings (anything else is not found).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.centres import hours, selectors, services
from gridwork.centres.flows import BOOKING_FLOW, BookingAction
from gridwork.centres.forms import CancelForm, ResidentBookingForm
from gridwork.centres.models import BookingState, Room
from gridwork.centres.views.centres import function_labels
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.forms import add_service_errors
from gridwork.common.permissions import public_view, signed_in_view
from gridwork.places.models import Place, PlaceLevel

PAGE_SIZE = 20
BAD_REQUEST = 400
CONFLICT = 409


def home_community(user: Any) -> Place | None:
    """The community of a verified resident's household, else of a registered member's registration."""
    from gridwork.mediation.services.applications import resident_home_community
    from gridwork.party.selectors import member_registration_of

    community = resident_home_community(user)
    if community is None:
        member = member_registration_of(user)
        community = member.community if member is not None else None
    return community


def _community_of_code(code: str) -> Place | None:
    if not code:
        return None
    return Place.objects.filter(code=code[:32], level=PlaceLevel.COMMUNITY).first()


@public_view
@require_GET
def centre_list_view(request: HttpRequest) -> HttpResponse:
    """The centres near me: of my community (its street's centre, its station, its estates' stations) when I am a
    verified resident or a registered member, of the community chosen (``?community=<code>``), or all of them
    (``?all=1``), searchable by name, address, community or street (``?q=``)."""
    q = request.GET.get("q", "").strip()[:50]
    home = home_community(request.user)
    chosen = _community_of_code(request.GET.get("community", "").strip())
    show_all = bool(request.GET.get("all")) or bool(q)
    community = chosen or (None if show_all else home)
    centres = selectors.public_centres(community=community, q=q)
    page = Paginator(centres, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        {
            "centre": centre,
            "today": hours.hours_text(centre.opening_hours, today),
            "functions": function_labels(centre),
            "rooms": [room for room in centre.rooms.all() if room.bookable],
        }
        for centre in page
    ]
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "centres/public/list.html",
        {
            "rows": rows,
            "page_obj": page,
            "query": params.urlencode(),
            "q": q,
            "home": home,
            "community": community,
            "communities": Place.objects.filter(level=PlaceLevel.COMMUNITY, centres__is_active=True)
            .select_related("parent")
            .distinct()
            .order_by("path"),
        },
    )


@public_view
@require_GET
def centre_view(request: HttpRequest, pk: int) -> HttpResponse:
    centre = selectors.public_centre_get(pk)
    return render(
        request,
        "centres/public/centre.html",
        {
            "centre": centre,
            "week": hours.weekly_table(centre.opening_hours),
            "functions": function_labels(centre),
            "rooms": selectors.centre_rooms(centre),
        },
    )


def _week(request: HttpRequest, room: Room) -> dict[str, Any]:
    now = timezone.now()
    today = timezone.localdate()
    monday = selectors.parse_week(request.GET.get("week"), today)
    return {
        "days": selectors.room_week(room, monday, now=now),
        "monday": monday,
        "previous": (monday - timedelta(days=7)).isoformat(),
        "next": (monday + timedelta(days=7)).isoformat(),
        "this_week": selectors.week_start(today) == monday,
    }


@public_view
@require_GET
def room_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A room's week: each day's opening hours, the times already held (pending or confirmed) and the free times."""
    room = selectors.public_room_get(pk)
    return render(request, "centres/public/room.html", {"room": room, "centre": room.centre, **_week(request, room)})


def _may_book(user: Any) -> Any:
    """Residents book from their own account, unit contacts for their units; staff use the staff pages (403)."""
    from gridwork.party.selectors import units_of_contact

    units = units_of_contact(user=user)
    if not services.is_resident(user) and not units.exists():
        raise PermissionDenied(_("Staff book rooms on the staff pages."))
    return units


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None


@signed_in_view
@require_http_methods(["GET", "POST"])
def book_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    room = selectors.public_room_get(pk)
    units = _may_book(user)
    resident = services.is_resident(user)
    status = 200
    if request.method == "POST":
        form = ResidentBookingForm(request.POST, resident=resident, units=units)
        if form.is_valid():
            values = form.cleaned_data
            kind, unit = form.booker_of()
            starts_at, ends_at = form.slot()
            try:
                booking = services.booking_create(
                    actor=user,
                    room=room,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    booker_kind=kind,
                    purpose=values["purpose"],
                    attendees=values["attendees"],
                    contact_name=values["contact_name"],
                    contact_phone=values["contact_phone"],
                    unit=unit,
                    organisation_name=values.get("organisation_name") or "",
                )
            except PermissionDenied as error:
                form.add_error("booker", str(error))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if booking.state == BookingState.PENDING:
                    text = _("Booking %(number)s sent: the centre approves it and you will be told.")
                else:
                    text = _("Booking %(number)s confirmed.")
                messages.success(request, text % {"number": booking.number})
                return redirect("centres_public:mine")
        status = BAD_REQUEST
    else:
        day = _day(request.GET.get("day")) or timezone.localdate()
        form = ResidentBookingForm(
            initial={
                "day": day.isoformat(),
                "contact_name": user.full_name,
                "contact_phone": user.phone or "",
                "attendees": 10,
            },
            resident=resident,
            units=units,
        )
    return render(
        request,
        "centres/public/book.html",
        {"form": form, "room": room, "centre": room.centre, **_week(request, room)},
        status=status,
    )


def _mine(request: HttpRequest, *, status: int = 200, refusal: str = "") -> HttpResponse:
    user: Any = request.user
    page = Paginator(selectors.my_bookings(user), PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [
        {
            "booking": booking,
            "may_cancel": BookingAction.CANCEL in BOOKING_FLOW.allowed(booking.state) and booking.starts_at > now,
            "form": CancelForm(initial={"version": booking.version}, prefix=f"b{booking.pk}"),
        }
        for booking in page
    ]
    return render(
        request,
        "centres/public/mine.html",
        {"rows": rows, "page_obj": page, "query": "", "refusal": refusal},
        status=status,
    )


@signed_in_view
@require_GET
def mine_view(request: HttpRequest) -> HttpResponse:
    return _mine(request)


@signed_in_view
@require_POST
def cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    booking = selectors.my_booking_get(user, pk)
    form = CancelForm(request.POST, prefix=f"b{booking.pk}")
    if not form.is_valid():
        return _mine(request, status=BAD_REQUEST, refusal=_("The page was incomplete: reload it."))
    try:
        services.booking_cancel(
            actor=user,
            booking=booking,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data.get("reason") or "",
        )
    except (StaleState, MoveRefused) as error:
        return _mine(request, status=CONFLICT, refusal=str(error))
    except ValidationError as error:
        return _mine(request, status=BAD_REQUEST, refusal=" ".join(error.messages))
    messages.success(request, _("Booking %(number)s cancelled.") % {"number": booking.number})
    return redirect("centres_public:mine")
