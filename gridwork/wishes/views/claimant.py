"""The claimants' mobile pages: a registered party member's at /member/wishes/ (open wishes of their community first,
then the rest of their street; their claims with release and fulfil), and a resident unit's contact's at
/wishes/units/ (the open wishes of the communities the unit is registered with; the unit's claims).

A claimant sees the beneficiary's name masked until they hold the claim; while they do, they see the name and phone
to deliver the wish.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gridwork.common.masking import mask_name
from gridwork.common.permissions import signed_in_view
from gridwork.party.access import member_view
from gridwork.people.models import ResidentUnit
from gridwork.wishes import services
from gridwork.wishes.forms import ClaimForm, FulfilForm, ReasonForm
from gridwork.wishes.models import Wish, WishState
from gridwork.wishes.selectors import (
    claimant_label,
    member_claimed_wishes,
    member_open_wishes,
    member_wish_get,
    unit_claimed_wishes,
    unit_open_wishes,
    unit_wish_get,
    units_spoken_for,
    wish_photo_get,
    wish_timeline,
)
from gridwork.wishes.views.common import perform, photo_response

CLAIMED_SHOWN = 50


@dataclass(frozen=True)
class Side:
    """Whose pages: the URL names they link to and their title."""

    list_url: str
    detail_url: str
    photo_url: str
    title: Any


MEMBER = Side("member_wishes:list", "member_wishes:detail", "member_wishes:photo", gettext_lazy("Micro-wishes"))
UNIT = Side(
    "resident_wishes:units",
    "resident_wishes:unit-detail",
    "resident_wishes:unit-photo",
    gettext_lazy("Micro-wishes for our unit"),
)


def _beneficiary(wish: Wish, holds_claim: bool) -> tuple[str, str]:
    if holds_claim and wish.state == WishState.CLAIMED:
        return wish.beneficiary_name, wish.beneficiary_phone
    return mask_name(wish.beneficiary_name), ""


def _forms(wish: Wish, *, holds_claim: bool, units: QuerySet[ResidentUnit] | None) -> dict[str, forms.Form]:
    initial = {"version": wish.version}
    found: dict[str, forms.Form] = {}
    if wish.state == WishState.PUBLISHED:
        found["claim"] = ClaimForm(prefix="claim", initial=initial, units=units)
    if wish.state == WishState.CLAIMED and holds_claim:
        found["release"] = ReasonForm(prefix="release", initial=initial)
        found["fulfil"] = FulfilForm(prefix="fulfil", initial=initial)
    return found


def _posted(
    request: HttpRequest, action: str, wish: Wish, units: QuerySet[ResidentUnit] | None
) -> tuple[forms.Form, Callable[[], Any]]:
    user: Any = request.user
    form: forms.Form
    if action == "claim":
        claim = ClaimForm(request.POST, prefix="claim", units=units)
        form = claim

        def move() -> Any:
            return services.wish_claim(
                actor=user,
                wish=wish,
                expected_version=claim.cleaned_data["version"],
                unit=claim.cleaned_data.get("unit"),
            )

    elif action == "release":
        release = ReasonForm(request.POST, prefix="release")
        form = release

        def move() -> Any:
            return services.wish_release(
                actor=user,
                wish=wish,
                reason=release.cleaned_data.get("reason", ""),
                expected_version=release.cleaned_data["version"],
            )

    else:
        fulfil = FulfilForm(request.POST, request.FILES, prefix="fulfil")
        form = fulfil

        def move() -> Any:
            return services.wish_fulfil(
                actor=user,
                wish=wish,
                photo=fulfil.cleaned_data.get("photo"),
                note=fulfil.cleaned_data.get("note", ""),
                expected_version=fulfil.cleaned_data["version"],
            )

    return form, move


DONE = {
    "claim": gettext_lazy("You claimed “%(wish)s”. Thank you!"),
    "release": gettext_lazy("You released “%(wish)s”; it is open to others again."),
    "fulfil": gettext_lazy("“%(wish)s” is recorded as fulfilled; the resident is asked to confirm."),
}


def _detail(
    request: HttpRequest,
    pk: int,
    *,
    side: Side,
    find: Callable[[int], Wish],
    claim_units: Callable[[Wish], QuerySet[ResidentUnit] | None],
) -> HttpResponse:
    user: Any = request.user
    wish = find(pk)
    failed: forms.Form | None = None
    failed_action = ""
    status, refusal = 200, ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in DONE:
            return HttpResponseBadRequest(_("Unknown action."))
        form, move = _posted(request, action, wish, claim_units(wish))
        status, refusal = perform(form, move)
        if status == 0:
            messages.success(request, DONE[action] % {"wish": wish.title})
            return redirect(side.detail_url, pk=wish.pk)
        failed, failed_action = form, action
        wish = find(pk)
    holds_claim = services.wish_claimed_by(user=user, wish=wish)
    action_forms = _forms(wish, holds_claim=holds_claim, units=claim_units(wish))
    if failed is not None and failed_action in action_forms and not refusal:
        action_forms[failed_action] = failed
    name, phone = _beneficiary(wish, holds_claim)
    return render(
        request,
        "wishes/claimant/detail.html",
        {
            "side": side,
            "wish": wish,
            "holds_claim": holds_claim,
            "beneficiary": name,
            "beneficiary_phone": phone,
            "claimant": claimant_label(wish),
            "timeline": wish_timeline(wish=wish, audience="claimant"),
            "forms": action_forms,
            "refusal": refusal,
        },
        status=status or 200,
    )


# --- members ----------------------------------------------------------------------------------------------------------


@member_view
@require_GET
def member_list_view(request: HttpRequest) -> HttpResponse:
    """Open wishes near the member (their community, then their street; stale first) and their own claims."""
    member = request.member  # type: ignore[attr-defined]
    own, rest = member_open_wishes(member=member)
    street = member.community.parent
    sections = [
        (_("Open in %(place)s") % {"place": member.community.name}, own, "own"),
        (
            _("Open elsewhere in %(place)s") % {"place": street.name if street else member.community.name},
            rest,
            "street",
        ),
    ]
    return render(
        request,
        "wishes/claimant/list.html",
        {
            "side": MEMBER,
            "sections": sections,
            "claimed": list(member_claimed_wishes(member=member)[:CLAIMED_SHOWN]),
            "units": None,
        },
    )


@member_view
@require_http_methods(["GET", "POST"])
def member_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    return _detail(
        request,
        pk,
        side=MEMBER,
        find=lambda key: member_wish_get(member=member, pk=key),
        claim_units=lambda wish: None,
    )


@member_view
@require_GET
def member_photo_view(request: HttpRequest, pk: int, photo_id: int) -> HttpResponse:
    wish = member_wish_get(member=request.member, pk=pk)  # type: ignore[attr-defined]
    return photo_response(wish_photo_get(wish=wish, photo_id=photo_id))


# --- resident units ---------------------------------------------------------------------------------------------------


def _unit_choices(request: HttpRequest) -> Callable[[Wish], QuerySet[ResidentUnit] | None]:
    def choices(wish: Wish) -> QuerySet[ResidentUnit]:
        units = services.claiming_units(user=request.user, community=wish.community)
        return ResidentUnit.objects.filter(pk__in=[unit.pk for unit in units]).order_by("name")

    return choices


@signed_in_view
@require_GET
def unit_list_view(request: HttpRequest) -> HttpResponse:
    """单位认领: the open wishes of the communities where the user's units are registered, and the units' claims."""
    units = list(units_spoken_for(user=request.user))
    return render(
        request,
        "wishes/claimant/list.html",
        {
            "side": UNIT,
            "sections": [
                (
                    _("Open in the communities where your unit is registered"),
                    list(unit_open_wishes(user=request.user)),
                    "units",
                )
            ],
            "claimed": list(unit_claimed_wishes(user=request.user)[:CLAIMED_SHOWN]),
            "units": units,
        },
    )


@signed_in_view
@require_http_methods(["GET", "POST"])
def unit_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(
        request,
        pk,
        side=UNIT,
        find=lambda key: unit_wish_get(user=request.user, pk=key),
        claim_units=_unit_choices(request),
    )


@signed_in_view
@require_GET
def unit_photo_view(request: HttpRequest, pk: int, photo_id: int) -> HttpResponse:
    wish = unit_wish_get(user=request.user, pk=pk)
    return photo_response(wish_photo_get(wish=wish, photo_id=photo_id))
