"""The employer's pages (/unit/) for the contacts of a resident unit: the unit's registrations with communities
(单位报到), the members who named the unit as their employer (across communities), and each member's page, where
the community performance record and the dual evaluation (双评价) will appear. A contact sees only their own units'
members: any other member is not found."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.common.flows import MoveRefused, StaleState
from gridwork.party import registrations as services
from gridwork.party import selectors
from gridwork.party.access import unit_contact_view
from gridwork.party.flows import EVENT_LABELS, UNIT_REGISTRATION_FLOW, RegistrationAction
from gridwork.party.forms import UnitRegistrationForm, errors_onto
from gridwork.party.skills import skill_labels


def _home(request: HttpRequest, *, refusal: str = "", status: int = 200) -> HttpResponse:
    user: Any = request.user
    registrations = [
        {
            "registration": registration,
            "events": [
                {"label": EVENT_LABELS.get(event.action, event.action), "at": event.at, "note": event.note}
                for event in registration.events.all()
            ],
            "may_withdraw": RegistrationAction.WITHDRAW in UNIT_REGISTRATION_FLOW.allowed(registration.state),
        }
        for registration in selectors.contact_unit_registrations(user=user)
    ]
    return render(
        request,
        "party/unit/home.html",
        {
            "units": list(request.units),  # type: ignore[attr-defined]
            "members": selectors.unit_member_list(user=user),
            "registrations": registrations,
            "refusal": refusal,
        },
        status=status,
    )


@unit_contact_view
@require_GET
def home_view(request: HttpRequest) -> HttpResponse:
    return _home(request)


@unit_contact_view
@require_GET
def member_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One member of the user's units: where they are registered, since when, what they offer, where they were
    registered before; the place of their community performance record and dual evaluation."""
    registration = selectors.unit_member_get(user=request.user, pk=pk)
    return render(
        request,
        "party/unit/member.html",
        {
            "member": registration,
            "skills": skill_labels(registration.skills or []),
            "history": selectors.unit_member_history(user=request.user, registration=registration),
        },
    )


@unit_contact_view
@require_http_methods(["GET", "POST"])
def register_view(request: HttpRequest) -> HttpResponse:
    """单位报到: the unit registers its party organisation with a community, saying what it offers."""
    communities = selectors.registration_communities()
    form = UnitRegistrationForm(request.POST or None, units=request.units, communities=communities)  # type: ignore[attr-defined]
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                registration = services.unit_registration_submit(
                    actor=request.user,
                    unit=form.cleaned_data["unit"],
                    community=communities.filter(code=form.cleaned_data["community"]).first(),
                    offers=form.cleaned_data["offers"],
                )
            except ValidationError as invalid:
                errors_onto(form, invalid)
            else:
                messages.success(
                    request,
                    _("%(unit)s's registration with %(community)s is sent. The community will confirm it.")
                    % {"unit": registration.unit.name, "community": registration.community.name},
                )
                return redirect("unit:home")
    return render(request, "party/unit/register.html", {"form": form}, status=status)


@unit_contact_view
@require_POST
def withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a registration of one of the user's units (any other is not found)."""
    registration = selectors.contact_unit_registration_get(user=request.user, pk=pk)
    try:
        version = int(request.POST.get("expected_version", ""))
    except ValueError:
        version = None
    try:
        services.unit_registration_withdraw(actor=request.user, registration=registration, expected_version=version)
    except (StaleState, MoveRefused) as refused:
        return _home(request, refusal=str(refused), status=409)
    messages.success(request, _("The registration is withdrawn."))
    return redirect("unit:home")
