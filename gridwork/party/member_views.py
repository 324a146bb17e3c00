"""A party member's own mobile pages of 双报到: register with the community where they live (or move to another),
see where their registration stands (with the reason of a rejection) and its history, withdraw it. Once confirmed,
the home page is the member's summary: open micro-wishes near them, volunteer orders issued to them, their points,
their community performance record this year and the evaluations their community sent to their employer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.forms import add_service_errors
from gridwork.common.permissions import signed_in_view
from gridwork.party import records, selectors
from gridwork.party import registrations as services
from gridwork.party.flows import EVENT_LABELS, REGISTRATION_FLOW, RegistrationAction
from gridwork.party.forms import CommunityForm, RegistrationForm
from gridwork.party.models import MemberRegistration, RegistrationState
from gridwork.party.periods import this_year
from gridwork.party.skills import skill_labels
from gridwork.points.selectors import member_balance
from gridwork.volunteers.selectors import member_orders
from gridwork.wishes.selectors import member_open_wishes


def _initial(user: Any, latest: MemberRegistration | None, community_code: str) -> dict[str, Any]:
    """The form filled from the member's last registration, else from their account."""
    initial: dict[str, Any] = {"community": community_code}
    if latest is not None:
        initial.update(
            name=latest.name,
            phone=latest.phone,
            employer=latest.employer,
            employer_party_organisation=latest.employer_party_organisation,
            employer_unit=latest.employer_unit_id,
            skills=list(latest.skills or []),
        )
    else:
        initial.update(name=getattr(user, "full_name", ""), phone=getattr(user, "phone", "") or "")
    return initial


@signed_in_view
@require_http_methods(["GET", "POST"])
def register_view(request: HttpRequest) -> HttpResponse:
    """双报到: step one chooses the community (GET ``?community=``), step two the building and the rest (POST)."""
    user: Any = request.user
    source = request.POST if request.method == "POST" else request.GET
    community = selectors.registration_community_get(source.get("community", "")[:32])
    communities = selectors.registration_communities()
    current = selectors.member_registration_of(user)
    pending = selectors.registration_pending_of(user)
    form: RegistrationForm | None = None
    status = 200
    if community is not None:
        buildings = selectors.registration_building_choices(community)
        units = selectors.registration_employer_units()
        if request.method == "POST":
            form = RegistrationForm(request.POST, buildings=buildings, employer_units=units)
            status = 400
            if form.is_valid():
                data = form.cleaned_data
                try:
                    services.registration_submit(
                        actor=user,
                        name=data["name"],
                        phone=data["phone"],
                        employer=data["employer"],
                        employer_party_organisation=data["employer_party_organisation"],
                        employer_unit=data["employer_unit"],
                        community=community,
                        building=buildings.filter(code=data["building"]).first(),
                        skills=data["skills"],
                    )
                except ValidationError as invalid:
                    add_service_errors(form, invalid)
                else:
                    messages.success(
                        request,
                        _("Your registration with %(community)s is sent. The community will confirm it.")
                        % {"community": community.name},
                    )
                    return redirect("member:home")
        else:
            latest = selectors.registration_latest_of(user)
            form = RegistrationForm(
                initial=_initial(user, latest, community.code), buildings=buildings, employer_units=units
            )
    elif request.method == "POST":
        status = 400
    community_form = CommunityForm(
        initial={"community": community.code if community else ""}, communities=communities, auto_id="id_step_%s"
    )
    return render(
        request,
        "party/member/register.html",
        {
            "community": community,
            "community_form": community_form,
            "community_missing": request.method == "POST" and community is None,
            "form": form,
            "current": current,
            "pending": pending,
        },
        status=status,
    )


def _member_events(registration: MemberRegistration) -> list[dict[str, Any]]:
    """The registration's events as the member sees them: what happened, when, and the reason or new community;
    not which staff member did it."""
    return [
        {"label": EVENT_LABELS.get(event.action, event.action), "at": event.at, "note": event.note}
        for event in registration.events.all()
    ]


def _url(name: str) -> str | None:
    """The URL of a page of another app, or None while that app does not have it."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _summary(user: Any, member: MemberRegistration) -> dict[str, Any]:
    """What a confirmed member's home shows, read through the other apps' selectors."""
    own, rest = member_open_wishes(member=member)
    return {
        "wishes_here": len(own),
        "wishes_near": len(own) + len(rest),
        "wishes_url": _url("member_wishes:list"),
        "orders_waiting": len(member_orders(member=member).offered),
        "orders_url": _url("member_orders:list"),
        "points": member_balance(member=member),
        "points_url": _url("member_points:home"),
        "record": records.record_of(member, this_year()),
        "evaluations": list(records.my_sent_evaluations(user=user)),
    }


def _home(request: HttpRequest, *, refusal: str = "", status: int = 200) -> HttpResponse:
    user: Any = request.user
    registrations = list(selectors.my_registrations(user=user))
    current = next((r for r in registrations if r.state == RegistrationState.CONFIRMED), None)
    pending = next((r for r in registrations if r.state == RegistrationState.PENDING), None)
    latest = registrations[0] if registrations else None
    history = [
        {
            "registration": registration,
            "skills": skill_labels(registration.skills or []),
            "events": _member_events(registration),
            "may_withdraw": RegistrationAction.WITHDRAW in REGISTRATION_FLOW.allowed(registration.state),
        }
        for registration in registrations
    ]
    return render(
        request,
        "party/member/home.html",
        {
            "current": current,
            "pending": pending,
            "rejected": latest if latest is not None and latest.state == RegistrationState.REJECTED else None,
            "history": history,
            "may_register": pending is None and current is None,
            "may_move": pending is None and current is not None,
            "refusal": refusal,
            "summary": _summary(user, current) if current is not None else None,
        },
        status=status,
    )


@signed_in_view
@require_http_methods(["GET"])
def home_view(request: HttpRequest) -> HttpResponse:
    """My registration: where it stands, why it was rejected, my registrations and their events; once confirmed, my
    summary (wishes near me, orders waiting, points, record this year, sent evaluations)."""
    return _home(request)


@signed_in_view
@require_POST
def withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw one of my registrations (another member's is not found), at the version my page showed."""
    registration = selectors.my_registration_get(user=request.user, pk=pk)
    try:
        version = int(request.POST.get("expected_version", ""))
    except ValueError:
        version = None
    try:
        services.registration_withdraw(actor=request.user, registration=registration, expected_version=version)
    except (StaleState, MoveRefused) as refused:
        return _home(request, refusal=str(refused), status=409)
    messages.success(
        request, _("Your registration with %(community)s is withdrawn.") % {"community": registration.community.name}
    )
    return redirect("member:home")
