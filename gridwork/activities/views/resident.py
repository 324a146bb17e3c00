"""Residents' and members' pages of the activities, at /activities/: the upcoming activities of my community (anyone
may read them; signed in, my community is chosen for me), an activity's page with sign-up and cancelling it, my
sign-ups, and the check-in link of the QR code.

The check-in link (``check-in/<token>/``) is what the QR code on the room's screen carries: opening it signs in if
needed (the residents' phone sign-in, coming back to the link) and shows one button that checks the signed-in person
in (a POST with the CSRF token: opening a link writes nothing, so a chat app's link preview or another site's image
cannot check anyone in); the secret token is what makes the link the activity's (a forged or obsolete token is not
found).
A second scan says when the first one was; a person outside a restricted audience, or a scan outside the activity's
time, is refused with the reason.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.activities import selectors
from gridwork.activities.models import ActivityState
from gridwork.activities.services import participation
from gridwork.common.permissions import public_view, signed_in_view

BAD_REQUEST = 400
FORBIDDEN = 403
NOT_FOUND = 404


def _phone_sign_in(request: HttpRequest) -> str:
    return f"{reverse('accounts:phone')}?{urlencode({'next': request.get_full_path()})}"


def _my_community(user: Any) -> Any:
    from gridwork.mediation.services.applications import resident_home_community
    from gridwork.party.selectors import member_registration_of

    home = resident_home_community(user)
    if home is not None:
        return home
    registration = member_registration_of(user)
    return registration.community if registration is not None else None


@public_view
@require_GET
def list_view(request: HttpRequest) -> HttpResponse:
    """The upcoming activities of a community (``?community=<code>``; signed in: mine by default)."""
    communities = selectors.public_community_choices()
    code = request.GET.get("community", "").strip()[:32]
    mine = _my_community(request.user) if request.user.is_authenticated else None
    community = communities.filter(code=code).first() if code else mine
    upcoming = selectors.upcoming_for(community) if community is not None else []
    activities = [activity for activity in upcoming if participation.publicly_visible(request.user, activity)]
    signed = (
        set(
            selectors.my_signups(request.user)
            .filter(cancelled_at__isnull=True, activity__in=activities)
            .values_list("activity_id", flat=True)
        )
        if request.user.is_authenticated
        else set()
    )
    return render(
        request,
        "activities/resident/list.html",
        {
            "communities": communities,
            "community": community,
            "mine": mine,
            "activities": activities,
            "signed": signed,
            "unknown": bool(code) and community is None,
        },
        status=NOT_FOUND if code and community is None else 200,
    )


def _detail(request: HttpRequest, pk: int, *, status: int = 200, refusal: str = "") -> HttpResponse:
    activity = selectors.public_activity_get(pk)
    user: Any = request.user
    if not participation.publicly_visible(user, activity):
        raise Http404
    signup = participation.open_signup(user, activity)
    standing = participation.participant_standing(user, activity) if user.is_authenticated else None
    now = timezone.now()
    open_for_signup = activity.state == ActivityState.PLANNED and now < activity.starts_at
    return render(
        request,
        "activities/resident/detail.html",
        {
            "activity": activity,
            "signup": signup,
            "standing": standing,
            "open_for_signup": open_for_signup,
            "full": activity.signup_limit is not None and activity.signed_up >= activity.signup_limit,
            "checked_in_at": selectors.my_checkins(user).get(activity.pk) if user.is_authenticated else None,
            "sign_in_url": _phone_sign_in(request),
            "refusal": refusal,
        },
        status=status,
    )


@public_view
@require_GET
def detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


@signed_in_view
@require_POST
def signup_view(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.public_activity_get(pk)
    try:
        participation.signup_create(user=request.user, activity=activity)
    except ValidationError as error:
        return _detail(request, pk, status=BAD_REQUEST, refusal=" ".join(error.messages))
    messages.success(request, _("You are signed up for %(title)s.") % {"title": activity.title})
    return redirect("activities_public:detail", pk=activity.pk)


@signed_in_view
@require_POST
def signup_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.public_activity_get(pk)
    try:
        participation.signup_cancel(user=request.user, activity=activity)
    except ValidationError as error:
        return _detail(request, pk, status=BAD_REQUEST, refusal=" ".join(error.messages))
    messages.success(request, _("Your sign-up is cancelled; the place is free for someone else."))
    return redirect("activities_public:detail", pk=activity.pk)


@signed_in_view
@require_GET
def mine_view(request: HttpRequest) -> HttpResponse:
    """My sign-ups, newest activity first, with whether I checked in."""
    signups = list(selectors.my_signups(request.user)[:100])
    return render(
        request,
        "activities/resident/mine.html",
        {"signups": signups, "checked": selectors.my_checkins(request.user), "now": timezone.now()},
    )


@public_view
@require_http_methods(["GET", "POST"])
def checkin_view(request: HttpRequest, token: str) -> HttpResponse:
    """The QR code's link: sign in if needed; the page (GET, which writes nothing) shows the activity and a button
    that checks the signed-in person in (POST, with the CSRF token), or the check-in already made, or why not."""
    try:
        activity = participation.activity_by_code(token[:100])
    except participation.UnknownCode:
        return render(request, "activities/resident/checkin.html", {"unknown": True}, status=NOT_FOUND)
    if not request.user.is_authenticated:
        return redirect(_phone_sign_in(request))
    context: dict[str, Any] = {"activity": activity}
    if request.method == "GET":
        preview = participation.checkin_preview(user=request.user, token=activity.checkin_token)
        if preview.existing is not None:
            context.update(
                checkin=preview.existing,
                already=True,
                already_message=participation.already_message(preview.existing),
            )
            return render(request, "activities/resident/checkin.html", context)
        context.update(refusal=preview.refusal, confirm=not preview.refusal)
        status = FORBIDDEN if preview.refusal else 200
        return render(request, "activities/resident/checkin.html", context, status=status)
    try:
        outcome = participation.checkin_scan(user=request.user, token=activity.checkin_token)
    except participation.CheckInRefused as refused:
        context["refusal"] = str(refused)
        return render(request, "activities/resident/checkin.html", context, status=FORBIDDEN)
    except participation.UnknownCode:
        return render(request, "activities/resident/checkin.html", {"unknown": True}, status=NOT_FOUND)
    context.update(
        checkin=outcome.checkin,
        already=outcome.already,
        already_message=participation.already_message(outcome.checkin) if outcome.already else "",
    )
    return render(request, "activities/resident/checkin.html", context)
