"""Residents' pages of the closed loop: report a problem, follow it (my matters, or number and tracking code), rate.

Public JSON for the report's map: micro-grids (buildings) by name or address, and the grid boundaries around a
point. Neither holds personal data.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gridwork.common.permissions import public_view, signed_in_view
from gridwork.matters import services, tracking
from gridwork.matters.forms.intake import RatingForm, ResidentReportForm, TrackForm
from gridwork.matters.merge import matter_merged_into
from gridwork.matters.models import Channel
from gridwork.matters.views.intake import file_from_form, parent_name, report_page_context, upload_capped
from gridwork.matters.workflow import Action, TransitionRefused
from gridwork.places.locating import InvalidCoordinatesError, OutsideServiceAreaError, locate
from gridwork.places.models import Place, PlaceLevel
from gridwork.triage.duplicates import TEXT_MIN as SIMILAR_TEXT_MIN
from gridwork.triage.duplicates import likely_duplicates, place_of, public_candidate

BUILDING_RESULTS = 20
BUILDING_QUERY_MIN, BUILDING_QUERY_MAX = 2, 50
AROUND_GRIDS_MAX = 400
MINE_PAGE_SIZE = 20
SIMILAR_LIMIT = 5
SIMILAR_TEXT_MAX = 500
SIMILAR_PER_MINUTE = 30  # per IP address: the report form asks about once per pause in typing


def _is_resident(user: Any) -> bool:
    return bool(user.is_authenticated and not getattr(user, "is_staff_member", True))


# --- reporting ---------------------------------------------------------------------------------------------


def _report_initial(request: HttpRequest) -> dict[str, Any]:
    """Contact of a signed-in resident, and a building given in the link (a QR code on a building's notice board)."""
    initial: dict[str, Any] = {}
    user = request.user
    if _is_resident(user):
        initial["contact_name"] = getattr(user, "full_name", "")
        initial["contact_phone"] = getattr(user, "phone", "") or ""
    code = request.GET.get("building", "").strip()
    if code and Place.objects.filter(code=code, level=PlaceLevel.MICROGRID).exists():
        initial["building"] = code
    return initial


@public_view
@upload_capped
def report_new_view(request: HttpRequest) -> HttpResponse:
    """一键上报: text, photos, place, optional contact, the personal-information notice; then the receipt."""
    if request.method == "POST":
        form = ResidentReportForm(request.POST, request.FILES)
        if form.is_valid():
            receipt = file_from_form(request, form)
            if receipt is not None:
                return _receipt(request, receipt)
        return render(request, "matters/resident/report_form.html", report_page_context(form), status=400)
    form = ResidentReportForm(initial=_report_initial(request))
    return render(request, "matters/resident/report_form.html", report_page_context(form))


def _receipt(request: HttpRequest, receipt: services.FilingReceipt) -> HttpResponse:
    """The receipt, answered to the POST itself: a retry of the same form gets the same page, code included."""
    if receipt.tracking_code:
        tracking.tracking_remember(request.session, number=receipt.number, code=receipt.tracking_code)
    response = render(
        request,
        "matters/resident/receipt.html",
        {"receipt": receipt, "signed_in": _is_resident(request.user)},
    )
    response["Cache-Control"] = "no-store"
    return response


@public_view
@require_GET
def building_search_view(request: HttpRequest) -> JsonResponse:
    """Buildings (micro-grids) whose name or address, or whose grid's or community's name, has every word typed."""
    query = request.GET.get("q", "").strip()[:BUILDING_QUERY_MAX]
    words = query.split()
    if len(query) < BUILDING_QUERY_MIN or not words:
        return JsonResponse({"results": [], "message": _("Type at least two characters.")})
    condition = Q(level=PlaceLevel.MICROGRID)
    for word in words[:5]:
        condition &= (
            Q(name__icontains=word)
            | Q(address__icontains=word)
            | Q(parent__name__icontains=word)
            | Q(parent__parent__name__icontains=word)
        )
    places = (
        Place.objects.filter(condition).select_related("parent__parent__parent").order_by("path")[:BUILDING_RESULTS]
    )
    results = [
        {
            "code": place.code,
            "name": place.name,
            "address": place.address,
            "grid": parent_name(place, 1),
            "community": parent_name(place, 2),
            "street": parent_name(place, 3),
        }
        for place in places
    ]
    return JsonResponse({"results": results})


@public_view
@require_GET
def grids_around_view(request: HttpRequest) -> JsonResponse:
    """GeoJSON of the grids of the street around a point, so the map shows where the pin falls (no tiles)."""
    try:
        location = locate(request.GET.get("lat", ""), request.GET.get("lng", ""))
    except InvalidCoordinatesError as error:
        return JsonResponse({"code": "invalid_coordinates", "message": str(error)}, status=400)
    except OutsideServiceAreaError as error:
        return JsonResponse({"code": "outside_service_area", "message": str(error)}, status=404)
    street = Place.objects.only("path").get(pk=location.street_id)
    grids = (
        Place.objects.filter(level=PlaceLevel.GRID, path__startswith=street.path, boundary__isnull=False)
        .select_related("parent")
        .order_by("code")[:AROUND_GRIDS_MAX]
    )
    features = [
        {
            "type": "Feature",
            "geometry": grid.boundary,
            "properties": {
                "code": grid.code,
                "name": grid.name,
                "community": grid.parent.name if grid.parent else "",
                "here": grid.pk == location.grid_id,
            },
        }
        for grid in grids
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


def _similar_allowed(request: HttpRequest) -> bool:
    """At most ``SIMILAR_PER_MINUTE`` look-ups a minute from one address (counted in the cache, like the tracking
    guesses: per process with the local-memory cache, across processes with a shared one)."""
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    key = "gridwork:similar-reports:" + hashlib.sha256(address.encode()).hexdigest()[:32]
    if cache.add(key, 1, timeout=60):
        return True
    try:
        return cache.incr(key) <= SIMILAR_PER_MINUTE
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=60)
        return True


@public_view
@require_GET
def similar_reports_view(request: HttpRequest) -> JsonResponse:
    """Open reports near the place that look like the same problem, while a resident types (JSON).

    Only what anyone may see: number, category, state, a rounded distance and how long ago; no text, no address,
    nothing of the reporter; no personal matters (个事). At most five, for a text of a few words at least."""
    if not _similar_allowed(request):
        return JsonResponse({"results": [], "message": _("Too many look-ups. Wait a minute.")}, status=429)
    text = request.GET.get("text", "").strip()[:SIMILAR_TEXT_MAX]
    if len(text) < SIMILAR_TEXT_MIN:
        return JsonResponse({"results": [], "message": ""})
    latitude, longitude, grid = place_of(request.GET)
    candidates = likely_duplicates(
        text=text, latitude=latitude, longitude=longitude, grid=grid, limit=SIMILAR_LIMIT, public=True
    )
    response = JsonResponse({"results": [public_candidate(candidate) for candidate in candidates], "message": ""})
    response["Cache-Control"] = "no-store"
    return response


# --- following ---------------------------------------------------------------------------------------------


@public_view
def track_view(request: HttpRequest) -> HttpResponse:
    """Follow a report with its number and tracking code; wrong pairs are limited per session and IP address."""
    form = TrackForm(request.POST or None, initial={"number": request.GET.get("number", "")[:20]})
    status = 200
    if request.method == "POST":
        if tracking.tracking_guess_blocked(request):
            form.add_error(
                None, _("Too many wrong numbers or codes. For your security, try again in an hour or call 12345.")
            )
            status = 429
        elif form.is_valid():
            number, code = form.cleaned_data["number"], form.cleaned_data["code"]
            matter = services.matter_receipt_lookup(number=number, tracking_code=code)
            if matter is not None:
                tracking.tracking_remember(request.session, number=matter.number, code=code)
                return redirect("report:resident-detail", number=matter.number)
            tracking.tracking_guess_failed(request)
            form.add_error(None, _("No report matches this number and tracking code. Check both and try again."))
            status = 404
        else:
            status = 400
    return render(request, "matters/resident/track.html", {"form": form}, status=status)


@signed_in_view
def mine_view(request: HttpRequest) -> HttpResponse:
    """我的诉求: the signed-in resident's reports, newest first."""
    paginator = Paginator(tracking.resident_matter_list(user=request.user), MINE_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "matters/resident/mine.html", {"page_obj": page, "query": ""})


def _following_or_404(request: HttpRequest, number: str) -> tracking.Following:
    following = tracking.matter_following(request, number)
    if following is None:
        raise Http404
    return following


def _detail(request: HttpRequest, following: tracking.Following, rating_form: RatingForm, status: int) -> HttpResponse:
    matter = following.matter
    may_rate = tracking.following_may_rate(following, user=request.user)
    return render(
        request,
        "matters/resident/detail.html",
        {
            "matter": matter,
            "timeline": tracking.resident_timeline(matter),
            "photo_count": matter.photos.count(),
            "may_rate": may_rate,
            "rating_form": rating_form,
            "via_code": bool(following.tracking_code),
            "channel_label": Channel(matter.channel).label if matter.channel in Channel.values else matter.channel,
            "merged_into": matter_merged_into(matter),
        },
        status=status,
    )


@public_view
@require_GET
def detail_view(request: HttpRequest, number: str) -> HttpResponse:
    """A matter with its timeline, the reply and, once replied, the rating form: for its reporter or code holder."""
    following = tracking.matter_following(request, number)
    if following is None:
        if not request.user.is_authenticated:
            return redirect(reverse("report:track") + "?" + urlencode({"number": number[:20]}))
        raise Http404
    form = RatingForm(initial={"version": following.matter.version})
    return _detail(request, following, form, 200)


@public_view
@require_POST
def rate_view(request: HttpRequest, number: str) -> HttpResponse:
    """评价: 满意 / 基本满意 / 不满意 with a comment, by the signed-in reporter or the tracking-code holder."""
    following = _following_or_404(request, number)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _detail(request, following, form, 400)
    satisfaction, comment = form.cleaned_data["satisfaction"], form.cleaned_data["comment"]
    version = form.cleaned_data["version"]
    try:
        if following.tracking_code:
            tracking.matter_rate_by_tracking_code(
                number=following.matter.number,
                tracking_code=following.tracking_code,
                satisfaction=satisfaction,
                comment=comment,
                expected_version=version,
            )
        else:
            services.matter_transition(
                actor=request.user,
                matter_id=following.matter.pk,
                action=Action.RATE,
                data={"satisfaction": satisfaction},
                note=comment,
                expected_version=version,
            )
    except services.MatterNotFound:
        messages.error(request, _("You may not rate this matter."))
    except services.ConcurrentChange:
        messages.error(
            request,
            _("This matter changed since you opened the page; it may be rated already. See where it stands below."),
        )
    except TransitionRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Thank you. Your rating has been recorded."))
    return redirect("report:resident-detail", number=following.matter.number)
