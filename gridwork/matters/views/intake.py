"""Intake pages of staff: the 12345 seat (with the caller's earlier matters) and the grid worker's patrol (随手拍).

Also what every filing page shares: the cap on the request's size, checked before the body is read, and filing a
valid form through ``services.matter_file`` with the form's one-time token as the idempotency key.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import shapely
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET

from gridwork.accounts.roles import Perm
from gridwork.accounts.services import phone_normalise
from gridwork.common.permissions import staff_view
from gridwork.matters import services
from gridwork.matters.forms.intake import (
    LANDLINE_RE,
    MOBILE_RE,
    FilingForm,
    HotlineForm,
    PatrolForm,
    patrol_categories,
)
from gridwork.matters.models import Matter
from gridwork.matters.photos import MAX_PHOTO_BYTES, MAX_PHOTOS
from gridwork.places.models import Place, PlaceLevel
from gridwork.places.selectors import building_by_code
from gridwork.triage.duplicates import TEXT_MIN as SIMILAR_TEXT_MIN
from gridwork.triage.duplicates import matter_likely_duplicates

# Nine photos at their cap and the form's fields; anything larger is refused before it is read.
MAX_INTAKE_REQUEST_BYTES = MAX_PHOTOS * MAX_PHOTO_BYTES + 1024 * 1024
CALLER_HISTORY_LIMIT = 10
# How long a matter's personal data is kept after closing, as the notice tells the resident (the operator's policy).
PERSONAL_DATA_RETENTION_YEARS = 3
# Errors of ``matter_file`` by key, and the form field that shows them.
SERVICE_ERROR_FIELDS = {"text": "text", "location": "location", "building": "building", "photos": "photos"}


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def upload_capped(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse a POST larger than ``MAX_INTAKE_REQUEST_BYTES`` with 413, before anything reads the body.

    The CSRF middleware reads the body of every POST it checks, so the check is made here, with the view
    exempt from the middleware and protected by ``csrf_protect`` after the size check instead.
    """
    protected = csrf_protect(view)

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST" and _content_length(request) > MAX_INTAKE_REQUEST_BYTES:
            return render(
                request,
                "matters/intake/too_large.html",
                {"limit_mb": MAX_INTAKE_REQUEST_BYTES // (1024 * 1024), "photos": MAX_PHOTOS},
                status=413,
            )
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapped)


def file_from_form(request: HttpRequest, form: FilingForm) -> services.FilingReceipt | None:
    """File a valid form's matter once per form token; put the service's refusals on the form's fields."""
    idempotency = services.Idempotency(
        scope="form", key=form.cleaned_data["token"], request_hash=form.fingerprint(user=request.user)
    )
    try:
        return services.matter_file(actor=request.user, idempotency=idempotency, **form.filing_kwargs())
    except services.IdempotencyConflict:
        form.add_error(
            None,
            _(
                "This form was already sent with different content, and the first report was filed. "
                "To report something else, start a new report."
            ),
        )
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            field = SERVICE_ERROR_FIELDS.get(key)
            form.add_error(field if field in form.fields else None, messages)
    return None


def _map_centre() -> tuple[float, float] | None:
    """Where the map opens before a pin is put: the middle of the first grid that has a boundary."""
    boundary = (
        Place.objects.filter(level=PlaceLevel.GRID, boundary__isnull=False)
        .order_by("code")
        .values_list("boundary", flat=True)
        .first()
    )
    if not boundary:
        return None
    try:
        point = shapely.geometry.shape(boundary).representative_point()
    except (ValueError, TypeError, KeyError, IndexError, shapely.errors.GEOSException):
        return None
    return (point.y, point.x)


def _building_label(form: Any) -> str:
    code = form["building"].value()
    place = getattr(form, "building_place", None)
    if place is None and code:
        place = building_by_code(code)
    if place is None:
        return ""
    return " · ".join(
        part for part in (place.name, place.address, parent_name(place, 1), parent_name(place, 2)) if part
    )


def parent_name(place: Place, generations: int) -> str:
    current: Place | None = place
    for _step in range(generations):
        current = current.parent if current is not None else None
    return current.name if current is not None else ""


def report_page_context(form: Any) -> dict[str, Any]:
    """What the map and the building search need, for the resident's and the operator's forms."""
    centre = _map_centre()
    return {
        "form": form,
        "map_centre": centre,
        "building_label": _building_label(form),
        "retention_years": PERSONAL_DATA_RETENTION_YEARS,
        "similar_text_min": SIMILAR_TEXT_MIN,
    }


def _staff_receipt(request: HttpRequest, receipt: services.FilingReceipt, *, channel: str) -> HttpResponse:
    """The number (and the caller's tracking code), and the open matters the new one likely repeats (查重)."""
    matter = Matter.objects.select_related("grid", "building", "category").filter(pk=receipt.matter_id).first()
    likely = matter_likely_duplicates(matter=matter, user=request.user) if matter is not None else []
    response = render(
        request,
        "matters/intake/receipt.html",
        {
            "receipt": receipt,
            "channel": channel,
            "likely_duplicates": likely,
            "breadcrumbs": [{"label": _("Intake"), "url": ""}, {"label": receipt.number, "url": ""}],
        },
    )
    response["Cache-Control"] = "no-store"
    return response


def caller_matters(*, user: Any, phone: str) -> QuerySet[Matter]:
    """The caller's earlier matters that the operator may see, newest first."""
    return (
        Matter.objects.restrict(user, Perm.VIEW_MATTERS)
        .filter(reporter_phone=phone)
        .select_related("community", "grid")
        .order_by("-created_at", "-id")[:CALLER_HISTORY_LIMIT]
    )


@staff_view(Perm.FILE_MATTERS)
@upload_capped
def hotline_view(request: HttpRequest) -> HttpResponse:
    """12345 seat: the operator files the caller's matter; the caller's earlier matters show beside the form."""
    form = HotlineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        receipt = file_from_form(request, form)
        if receipt is not None:
            return _staff_receipt(request, receipt, channel="hotline")
    phone = form["caller_phone"].value() or ""
    history = caller_matters(user=request.user, phone=phone_normalise(str(phone))) if phone else None
    return render(
        request,
        "matters/intake/hotline.html",
        {
            **report_page_context(form),
            "history": history,
            "breadcrumbs": [{"label": _("Intake"), "url": ""}, {"label": _("12345 hotline"), "url": ""}],
        },
        status=400 if form.is_bound else 200,
    )


@staff_view(Perm.FILE_MATTERS)
@require_GET
def hotline_history_view(request: HttpRequest) -> HttpResponse:
    """The caller's earlier matters, for the seat's side panel (an htmx request when the phone field is left)."""
    phone = phone_normalise(request.GET.get("caller_phone", ""))
    valid = bool(MOBILE_RE.fullmatch(phone) or LANDLINE_RE.fullmatch(phone))
    history = caller_matters(user=request.user, phone=phone) if valid else None
    return render(request, "matters/intake/_caller_history.html", {"history": history, "phone": phone})


@staff_view(Perm.FILE_MATTERS)
@upload_capped
def patrol_view(request: HttpRequest) -> HttpResponse:
    """随手拍: photo first, place from the device, category in two taps."""
    form = PatrolForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        receipt = file_from_form(request, form)
        if receipt is not None:
            return _staff_receipt(request, receipt, channel="patrol")
    return render(
        request,
        "matters/intake/patrol.html",
        {
            "form": form,
            "groups": patrol_categories(),
            "chosen": str(form["category"].value() or ""),
            "breadcrumbs": [{"label": _("Intake"), "url": ""}, {"label": _("Patrol report"), "url": ""}],
        },
        status=400 if form.is_bound else 200,
    )
