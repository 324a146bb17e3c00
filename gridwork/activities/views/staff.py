"""Staff pages of the activities, at /staff/activities/: the list, creating an activity with its room booked in the
same step, an activity's page (sign-ups, check-ins, attendance, minutes, photos, history), the big QR code for the
screen and a new code, checking someone in by hand, the minutes with photos, more photos, cancelling, a photo.

Reads go through ``activities.selectors`` (VIEW_CENTRES; the QR code and every write need MANAGE_CENTRES over the
activity's place: 404 outside), writes through ``activities.services``. A refused form answers 400 with the field and
why; a stale page or a move the activity's state does not allow answers 409 with the message.
"""

from __future__ import annotations

from typing import Any, cast

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.accounts.roles import Perm
from gridwork.activities import selectors
from gridwork.activities.flows import ACTIVITY_FLOW, ActivityAction
from gridwork.activities.forms import (
    ActivityFilterForm,
    ActivityForm,
    CancelForm,
    HandCheckInForm,
    MinutesForm,
    PhotosForm,
    RotateForm,
)
from gridwork.activities.models import Activity, ActivityState
from gridwork.activities.services import activities as services
from gridwork.activities.services import participation
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.forms import add_service_errors
from gridwork.common.masking import mask_name
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view

CONFLICT = 409
BAD_REQUEST = 400
QR_SCALE = 12


def _crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Activities"), "url": reverse("activities:activity-list")}, *extra]


def _activity_crumbs(activity: Activity, *extra: dict[str, str]) -> list[dict[str, str]]:
    return _crumbs({"label": activity.number, "url": reverse("activities:activity-detail", args=[activity.pk])}, *extra)


def _manage(request: HttpRequest, pk: int) -> Activity:
    """The activity, 404 outside the units where the user runs activities."""
    return selectors.activity_get(user=request.user, pk=pk, perm=Perm.MANAGE_CENTRES)


# --- list -----------------------------------------------------------------------------------------------------------


@staff_view(Perm.VIEW_CENTRES)
@require_GET
def activity_list_view(request: HttpRequest) -> HttpResponse:
    """The activities of the user's units: upcoming or past, by state, kind, community; search by number or title."""
    user: Any = request.user
    bound = any(request.GET.get(key) for key in ActivityFilterForm.base_fields)
    form = ActivityFilterForm(request.GET if bound else None, places=selectors.filter_place_choices(user=user))
    values = form.cleaned_data if bound and form.is_valid() else {}
    filters = selectors.ActivityFilters(
        state=values.get("state", ""),
        kind=values.get("kind", ""),
        when=values.get("when", ""),
        place=values.get("place"),
        q=values.get("q", ""),
    )
    page, query = paginate(request, selectors.activity_list(user=user, filters=filters))
    return render(
        request,
        "activities/list.html",
        {
            "form": form,
            "page_obj": page,
            "query": query,
            "may_create": user.has_perm_anywhere(Perm.MANAGE_CENTRES),
            "breadcrumbs": _crumbs(),
        },
        status=BAD_REQUEST if bound and form.errors else 200,
    )


# --- creating -------------------------------------------------------------------------------------------------------


def _organisers(user: Any) -> Any:
    from gridwork.party.models import PartyOrganisation

    return PartyOrganisation.objects.restrict(user, Perm.MANAGE_CENTRES).select_related("place").order_by("code")


@staff_view(Perm.MANAGE_CENTRES)
@require_http_methods(["GET", "POST"])
def activity_create_view(request: HttpRequest) -> HttpResponse:
    """Create an activity; pick a room and the times to book it in the same step (``?room=`` preselects a room)."""
    user: Any = request.user
    choices = {
        "places": selectors.place_choices(user=user),
        "organisers": _organisers(user),
        "rooms": services.bookable_rooms(user),
    }
    status = 200
    if request.method == "POST":
        form = ActivityForm(request.POST, **choices)
        if form.is_valid():
            values = form.cleaned_data
            try:
                activity = services.activity_create(
                    actor=user,
                    place=values["place"],
                    title=values["title"],
                    kind=values["kind"],
                    description=values.get("description") or "",
                    organiser=values.get("organiser"),
                    starts_at=values["starts_at"],
                    ends_at=values["ends_at"],
                    audience=values["audience"],
                    signup_limit=values.get("signup_limit"),
                    location=values.get("location") or "",
                    room=values.get("room"),
                    attendees=values.get("attendees"),
                    contact_name=values.get("contact_name") or "",
                    contact_phone=values.get("contact_phone") or "",
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                text = _("Activity %(number)s created.") % {"number": activity.number}
                if activity.booking is not None:
                    text += " " + _("Room booking %(booking)s: %(state)s.") % {
                        "booking": activity.booking.number,
                        "state": activity.booking.get_state_display(),
                    }
                messages.success(request, text)
                return redirect("activities:activity-detail", pk=activity.pk)
        status = BAD_REQUEST
    else:
        places = list(choices["places"][:2])
        initial: dict[str, Any] = {
            "contact_name": user.full_name,
            "contact_phone": user.phone or "",
            "place": places[0].pk if len(places) == 1 else None,
            "room": request.GET.get("room", "")[:12] or None,
        }
        form = ActivityForm(initial=initial, **choices)
    return render(
        request,
        "activities/form.html",
        {"form": form, "breadcrumbs": _crumbs({"label": _("New activity"), "url": ""})},
        status=status,
    )


# --- an activity's page ---------------------------------------------------------------------------------------------


def _detail(
    request: HttpRequest,
    activity: Activity,
    *,
    status: int = 200,
    refusal: str = "",
    checkin_form: HandCheckInForm | None = None,
    photos_form: PhotosForm | None = None,
) -> HttpResponse:
    user: Any = request.user
    can_manage = selectors.may_manage(user, activity)
    full_names = selectors.may_see_names(user, activity)
    allowed = ACTIVITY_FLOW.allowed(activity.state) if can_manage else []
    now = timezone.now()
    can_check_in = (
        can_manage
        and activity.state != ActivityState.CANCELLED
        and now >= (activity.starts_at - participation.CHECKIN_OPENS_BEFORE)
    )
    if can_check_in and checkin_form is None:
        checkin_form = HandCheckInForm(
            signups=selectors.signups_not_checked_in(activity), full_names=full_names, prefix="checkin"
        )
    begun = now >= activity.starts_at
    return render(
        request,
        "activities/detail.html",
        {
            "activity": activity,
            "attendance": selectors.attendance(activity),
            "signups": selectors.signup_rows(activity, full_names=full_names),
            "checkins": selectors.checkin_rows(activity, full_names=full_names),
            "photos": list(selectors.activity_photos(activity)),
            "timeline": selectors.activity_timeline(activity),
            "can_manage": can_manage,
            "can_qr": can_manage and ActivityAction.ROTATE_TOKEN in allowed,
            "can_cancel": ActivityAction.CANCEL in allowed,
            "can_minutes": ActivityAction.RECORD_MINUTES in allowed and begun,
            "can_photos": can_manage and begun and activity.state != ActivityState.CANCELLED,
            "can_check_in": can_check_in,
            "checkin_form": checkin_form,
            "photos_form": photos_form or PhotosForm(prefix="photos"),
            "refusal": refusal,
            "breadcrumbs": _activity_crumbs(activity),
        },
        status=status,
    )


@staff_view(Perm.VIEW_CENTRES)
@require_GET
def activity_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.activity_get(user=request.user, pk=pk))


@staff_view(Perm.MANAGE_CENTRES)
@require_GET
def activity_qr_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The check-in QR code, big, for the screen of the room: a phone that scans it opens the check-in page."""
    activity = _manage(request, pk)
    if activity.state == ActivityState.CANCELLED:
        raise Http404
    url = request.build_absolute_uri(services.checkin_url(activity))
    svg = segno.make(url, error="m").svg_inline(scale=QR_SCALE, dark="#000", light="#fff")
    return render(
        request,
        "activities/qr.html",
        {
            "activity": activity,
            "url": url,
            "svg": svg,
            "window_refusal": participation.checkin_window_refusal(activity, timezone.now()),
            "attendance": selectors.attendance(activity),
            "rotate_form": RotateForm(initial={"version": activity.version}),
            "can_rotate": ActivityAction.ROTATE_TOKEN in ACTIVITY_FLOW.allowed(activity.state),
            "breadcrumbs": _activity_crumbs(activity, {"label": _("Check-in code"), "url": ""}),
        },
    )


@staff_view(Perm.MANAGE_CENTRES)
@require_POST
def activity_rotate_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A new check-in code: the old link and QR code stop working."""
    activity = _manage(request, pk)
    form = RotateForm(request.POST)
    if not form.is_valid():
        return _detail(request, activity, status=BAD_REQUEST, refusal=_("The page was incomplete; reload it."))
    try:
        services.activity_rotate_token(
            actor=request.user, activity=activity, expected_version=form.cleaned_data["version"]
        )
    except (StaleState, MoveRefused) as error:
        return _detail(request, _manage(request, pk), status=CONFLICT, refusal=str(error))
    messages.success(request, _("A new check-in code is shown; the old one no longer works."))
    return redirect("activities:activity-qr", pk=activity.pk)


@staff_view(Perm.MANAGE_CENTRES)
@require_POST
def activity_checkin_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Check someone in by hand: a person signed up, or someone without an account by name."""
    activity = _manage(request, pk)
    full_names = selectors.may_see_names(request.user, activity)
    form = HandCheckInForm(
        request.POST, signups=selectors.signups_not_checked_in(activity), full_names=full_names, prefix="checkin"
    )
    if form.is_valid():
        values = form.cleaned_data
        try:
            checkin = participation.checkin_by_hand(
                actor=request.user,
                activity=activity,
                signup=values.get("signup"),
                name=values.get("name") or "",
                kind=values["kind"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            shown = checkin.name if full_names else mask_name(checkin.name)
            messages.success(request, _("%(name)s is checked in.") % {"name": shown})
            return redirect("activities:activity-detail", pk=activity.pk)
    return _detail(request, activity, status=BAD_REQUEST, checkin_form=form)


def _step(
    request: HttpRequest,
    activity: Activity,
    *,
    template: str,
    form: Any,
    title: str,
    status: int = 200,
    refusal: str = "",
) -> HttpResponse:
    return render(
        request,
        template,
        {
            "activity": activity,
            "form": form,
            "title": title,
            "refusal": refusal,
            "breadcrumbs": _activity_crumbs(activity, {"label": title, "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.MANAGE_CENTRES)
@require_http_methods(["GET", "POST"])
def activity_minutes_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Record (or amend) the minutes once the activity has begun, with photos."""
    activity = _manage(request, pk)
    title = _("Minutes and photos")
    template = "activities/minutes.html"
    if request.method == "GET":
        form = MinutesForm(initial={"version": activity.version, "minutes": activity.minutes})
        return _step(request, activity, template=template, form=form, title=title)
    form = MinutesForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.activity_record_minutes(
                actor=request.user,
                activity=activity,
                minutes=form.cleaned_data["minutes"],
                photos=form.cleaned_data.get("photos") or [],
                expected_version=form.cleaned_data["version"],
            )
        except (StaleState, MoveRefused) as error:
            return _step(
                request, activity, template=template, form=form, title=title, status=CONFLICT, refusal=str(error)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The minutes are recorded."))
            return redirect("activities:activity-detail", pk=activity.pk)
    return _step(request, activity, template=template, form=form, title=title, status=BAD_REQUEST)


@staff_view(Perm.MANAGE_CENTRES)
@require_POST
def activity_photos_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Add photos of an activity that has begun."""
    activity = _manage(request, pk)
    form = PhotosForm(request.POST, request.FILES, prefix="photos")
    if form.is_valid():
        try:
            added = services.activity_add_photos(
                actor=request.user, activity=activity, photos=form.cleaned_data["photos"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(n)d photos added.") % {"n": len(added)})
            return redirect("activities:activity-detail", pk=activity.pk)
    return _detail(request, activity, status=BAD_REQUEST, photos_form=form)


@staff_view(Perm.MANAGE_CENTRES)
@require_http_methods(["GET", "POST"])
def activity_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a planned activity and its room booking; those signed up are told why."""
    activity = _manage(request, pk)
    title = _("Cancel the activity")
    template = "activities/cancel.html"
    if request.method == "GET":
        form = CancelForm(initial={"version": activity.version})
        return _step(request, activity, template=template, form=form, title=title)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.activity_cancel(
                actor=request.user,
                activity=activity,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except (StaleState, MoveRefused) as error:
            return _step(
                request, activity, template=template, form=form, title=title, status=CONFLICT, refusal=str(error)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            return _step(request, activity, template=template, form=form, title=title, status=403, refusal=str(error))
        else:
            messages.success(request, _("The activity is cancelled."))
            return redirect("activities:activity-detail", pk=activity.pk)
    return _step(request, activity, template=template, form=form, title=title, status=BAD_REQUEST)


@staff_view(Perm.VIEW_CENTRES)
@require_GET
def activity_photo_view(request: HttpRequest, pk: int, photo_id: int) -> HttpResponse:
    """One photo of an activity of the user's units, private to this browser."""
    photo = selectors.photo_get(user=request.user, pk=pk, photo_id=photo_id)
    try:
        handle = photo.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
    response = FileResponse(handle, content_type=photo.content_type or "application/octet-stream")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return cast(HttpResponse, response)
