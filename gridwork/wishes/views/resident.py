"""The resident's mobile pages of micro-wishes, at /wishes/: my wishes and the form to post one, a wish with its
progress (who claimed it: a member's name masked, or a unit's name), the photo of it fulfilled, and the buttons to
confirm it or withdraw it. Only the resident who posted a wish sees it here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gridwork.common.forms import add_service_errors
from gridwork.common.permissions import signed_in_view
from gridwork.people.models import Resident
from gridwork.places.models import Place, PlaceLevel
from gridwork.wishes import services
from gridwork.wishes.forms import ReasonForm, VersionForm, WishForm
from gridwork.wishes.models import Wish, WishSettings, WishState
from gridwork.wishes.selectors import (
    claimant_label,
    posted_wish_get,
    posted_wish_list,
    wish_outcome_note,
    wish_photo_get,
    wish_timeline,
)
from gridwork.wishes.views.common import perform, photo_response

MINE_SHOWN = 100


def _communities() -> Any:
    return Place.objects.filter(level=PlaceLevel.COMMUNITY).select_related("parent").order_by("path")


def _initial(user: Any) -> dict[str, Any]:
    """The resident's own name and phone, and their household's community and building when the account is linked."""
    initial: dict[str, Any] = {"beneficiary_name": user.full_name, "beneficiary_phone": user.phone or ""}
    resident = Resident.objects.filter(user_id=user.pk).select_related("household").first()
    if resident is not None:
        codes = resident.household.ancestor_codes()
        for place in Place.objects.filter(code__in=codes, level__in=[PlaceLevel.COMMUNITY, PlaceLevel.MICROGRID]):
            if place.level == PlaceLevel.COMMUNITY:
                initial["community"] = place.pk
            else:
                initial["building"] = place.name
    return initial


@signed_in_view
@require_http_methods(["GET", "POST"])
def mine_view(request: HttpRequest) -> HttpResponse:
    """我的微心愿: the wishes I posted, and the form to post one (reviewed by the community before it is published)."""
    user: Any = request.user
    form = WishForm(request.POST or None, communities=_communities(), initial=_initial(user))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                wish = services.wish_post(actor=user, on_behalf=False, **form.post_kwargs())
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
                status = 403
            else:
                messages.success(request, _("Your wish is sent; the community reviews it before publishing it."))
                return redirect("resident_wishes:detail", pk=wish.pk)
    return render(
        request,
        "wishes/resident/mine.html",
        {
            "form": form,
            "wishes": list(posted_wish_list(user=user)[:MINE_SHOWN]),
            "cap": services.yuan(WishSettings.current().value_cap),
            "opened": request.method == "POST",
        },
        status=status,
    )


RESIDENT_FORMS: dict[str, type[forms.Form]] = {"confirm": VersionForm, "cancel": ReasonForm}


def _allowed(user: Any, wish: Wish) -> list[str]:
    allowed = []
    if wish.state == WishState.FULFILLED and not wish.on_behalf:
        allowed.append("confirm")
    if wish.state in (WishState.SUBMITTED, WishState.PUBLISHED):
        allowed.append("cancel")
    return allowed


@signed_in_view
@require_http_methods(["GET", "POST"])
def detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    wish = posted_wish_get(user=user, pk=pk)
    failed: forms.Form | None = None
    status, refusal = 200, ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in RESIDENT_FORMS:
            return HttpResponseBadRequest(_("Unknown action."))
        form = RESIDENT_FORMS[action](request.POST, prefix=action)

        def move() -> Any:
            version = form.cleaned_data["version"]
            if action == "confirm":
                return services.wish_confirm(actor=user, wish=wish, expected_version=version)
            return services.wish_cancel(
                actor=user, wish=wish, reason=form.cleaned_data.get("reason", ""), expected_version=version
            )

        status, refusal = perform(form, move)
        if status == 0:
            done = _("Thank you for confirming.") if action == "confirm" else _("Your wish is withdrawn.")
            messages.success(request, done)
            return redirect("resident_wishes:detail", pk=wish.pk)
        failed = form
        wish = posted_wish_get(user=user, pk=pk)
    action_forms: dict[str, forms.Form] = {}
    for action in _allowed(user, wish):
        if failed is not None and failed.prefix == action and not refusal:
            action_forms[action] = failed
        else:
            action_forms[action] = RESIDENT_FORMS[action](prefix=action, initial={"version": wish.version})
    return render(
        request,
        "wishes/resident/detail.html",
        {
            "wish": wish,
            "claimant": claimant_label(wish),
            "timeline": wish_timeline(wish=wish, audience="poster"),
            "outcome_note": wish_outcome_note(wish),
            "forms": action_forms,
            "refusal": refusal,
        },
        status=status or 200,
    )


@signed_in_view
@require_GET
def photo_view(request: HttpRequest, pk: int, photo_id: int) -> HttpResponse:
    wish = posted_wish_get(user=request.user, pk=pk)
    return photo_response(wish_photo_get(wish=wish, photo_id=photo_id))
