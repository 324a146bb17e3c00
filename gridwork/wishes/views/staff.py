"""Staff pages of micro-wishes, at /staff/wishes/: the queue of the user's communities (stale first), a wish with its
events and photos and the moves the user may make, posting on a resident's behalf, the Excel export and the city's
settings. Reads go through ``wishes.selectors`` (scoped by VIEW_PARTY), writes through ``wishes.services``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gridwork.accounts.roles import Perm
from gridwork.analytics.views.exports import xlsx_response
from gridwork.audit.services import audit_record
from gridwork.common.forms import add_service_errors
from gridwork.common.masking import mask_name, mask_phone
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.common.scope import holds_over
from gridwork.wishes import services
from gridwork.wishes.exports import wishes_xlsx
from gridwork.wishes.forms import QueueFilterForm, ReasonForm, ReviewForm, SettingsForm, VersionForm, WishForm
from gridwork.wishes.models import Wish, WishSettings, WishState
from gridwork.wishes.selectors import (
    claimant_label,
    wish_community_choices,
    wish_get,
    wish_list,
    wish_outcome_note,
    wish_photo_get,
    wish_timeline,
)
from gridwork.wishes.views.common import perform, photo_response


def _crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Micro-wishes"), "url": reverse("wishes:list")}, *extra]


@dataclass(frozen=True)
class Row:
    """A wish as a list shows it to this user: the beneficiary masked unless they may see personal data there."""

    wish: Wish
    beneficiary: str
    phone: str
    claimant: str
    stale: bool


def _row(wish: Wish, user: Any) -> Row:
    shown = holds_over(user, Perm.VIEW_PERSONAL_DATA, wish.community)
    return Row(
        wish=wish,
        beneficiary=wish.beneficiary_name if shown else mask_name(wish.beneficiary_name),
        phone=wish.beneficiary_phone if shown else mask_phone(wish.beneficiary_phone),
        claimant=claimant_label(wish, unmasked=shown),
        stale=bool(getattr(wish, "stale", False)),
    )


def _filtered(request: HttpRequest) -> tuple[QueueFilterForm, Any]:
    user: Any = request.user
    bound = any(request.GET.get(key) for key in QueueFilterForm.base_fields)
    form = QueueFilterForm(request.GET if bound else None, communities=wish_community_choices(user=user))
    values = form.cleaned_data if bound and form.is_valid() else {}
    wishes = wish_list(
        user=user,
        state=values.get("state", ""),
        community=values.get("community"),
        stale_only=bool(values.get("stale")),
    )
    return form, wishes


@staff_view(Perm.VIEW_PARTY)
@require_GET
def list_view(request: HttpRequest) -> HttpResponse:
    """微心愿: the wishes of the user's communities, stale ones first, filtered by state, community and staleness."""
    user: Any = request.user
    form, wishes = _filtered(request)
    page, query = paginate(request, wishes)
    return render(
        request,
        "wishes/staff/list.html",
        {
            "form": form,
            "rows": [_row(wish, user) for wish in page],
            "page_obj": page,
            "query": query,
            "export_query": request.GET.urlencode(),
            "may_post": user.has_perm_anywhere(Perm.MANAGE_PARTY),
            "may_edit_settings": services.wish_settings_editable_by(user=user),
            "settings": WishSettings.current(),
            "breadcrumbs": _crumbs(),
        },
    )


@staff_view(Perm.VIEW_PARTY)
@require_GET
def export_view(request: HttpRequest) -> HttpResponse:
    """The list with its filters as .xlsx; an export with unmasked rows is recorded in the audit log."""
    user: Any = request.user
    form, wishes = _filtered(request)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest(
            "; ".join(f"{name}: {' '.join(str(error) for error in errors)}" for name, errors in form.errors.items()),
            content_type="text/plain; charset=utf-8",
        )
    chosen = {name: value for name, value in form.cleaned_data.items() if value} if form.is_bound else {}
    about: list[tuple[Any, Any]] = [
        *((form.fields[name].label or name, str(value)) for name, value in chosen.items()),
        (gettext_lazy("Exported at"), timezone.now()),
        (gettext_lazy("Exported by"), str(user)),
    ]
    ledger = wishes_xlsx(wishes, unmasked_paths=user.scope_paths(Perm.VIEW_PERSONAL_DATA), about=about)
    if ledger.unmasked:
        with transaction.atomic():
            audit_record(
                actor=user,
                action="wish.export_unmasked",
                detail={
                    "rows": ledger.rows,
                    "unmasked": ledger.unmasked,
                    "capped": ledger.capped,
                    "filters": {name: str(value) for name, value in chosen.items()},
                },
                request=request,
            )
    today = timezone.localdate()
    return xlsx_response(
        ledger.content,
        ascii_name=f"micro-wishes-{today:%Y%m%d}.xlsx",
        display_name=f"{_('Micro-wishes')}-{today:%Y%m%d}.xlsx",
    )


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def new_view(request: HttpRequest) -> HttpResponse:
    """代发: post a wish on behalf of a resident in difficulty, in a community the user manages."""
    user: Any = request.user
    communities = wish_community_choices(user=user, perm=Perm.MANAGE_PARTY)
    form = WishForm(request.POST or None, communities=communities)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                wish = services.wish_post(actor=user, on_behalf=True, **form.post_kwargs())
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied as error:
                form.add_error("community", str(error))
                status = 403
            else:
                messages.success(request, _("The wish is posted; review it to publish it."))
                return redirect("wishes:detail", pk=wish.pk)
    return render(
        request,
        "wishes/staff/form.html",
        {
            "form": form,
            "cap": services.yuan(WishSettings.current().value_cap),
            "breadcrumbs": _crumbs({"label": _("Post on a resident's behalf"), "url": ""}),
        },
        status=status,
    )


STAFF_FORMS: dict[str, type[forms.Form]] = {
    "review": ReviewForm,
    "release": ReasonForm,
    "confirm": VersionForm,
    "cancel": ReasonForm,
}


def _allowed(user: Any, wish: Wish) -> list[str]:
    if not services.wish_managed_by(user=user, wish=wish):
        return []
    allowed = {
        WishState.SUBMITTED: ["review", "cancel"],
        WishState.PUBLISHED: ["cancel"],
        WishState.CLAIMED: ["release"],
        WishState.FULFILLED: ["confirm"] if wish.on_behalf else [],
    }
    return allowed.get(WishState(wish.state), [])


def _move(request: HttpRequest, action: str, wish: Wish, form: forms.Form) -> None:
    data = form.cleaned_data
    user: Any = request.user
    version = data["version"]
    if action == "review":
        services.wish_review(
            actor=user,
            wish=wish,
            publish=data["decision"] == "publish",
            reason=data.get("reason", ""),
            expected_version=version,
        )
    elif action == "release":
        services.wish_release(actor=user, wish=wish, reason=data.get("reason", ""), expected_version=version)
    elif action == "confirm":
        services.wish_confirm(actor=user, wish=wish, expected_version=version)
    elif action == "cancel":
        services.wish_cancel(actor=user, wish=wish, reason=data.get("reason", ""), expected_version=version)


@staff_view(Perm.VIEW_PARTY)
@require_http_methods(["GET", "POST"])
def detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A wish: what, for whom (masked unless the user may see personal data there), its events and photos, and the
    forms of the moves the user may make now."""
    user: Any = request.user
    wish = wish_get(user=user, pk=pk)
    failed: forms.Form | None = None
    status, refusal = 200, ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in STAFF_FORMS:
            return HttpResponseBadRequest(_("Unknown action."))
        posted = STAFF_FORMS[action](request.POST, prefix=action)
        status, refusal = perform(posted, lambda: _move(request, action, wish, posted))
        failed = posted
        if status == 0:
            messages.success(request, _("Done: %(wish)s.") % {"wish": wish.title})
            return redirect("wishes:detail", pk=wish.pk)
        wish = wish_get(user=user, pk=pk)
    action_forms = {}
    for action in _allowed(user, wish):
        if failed is not None and failed.prefix == action and not refusal:
            action_forms[action] = failed
        else:
            action_forms[action] = STAFF_FORMS[action](prefix=action, initial={"version": wish.version})
    unmasked = services.wish_personal_data_visible(user=user, community=wish.community)
    return render(
        request,
        "wishes/staff/detail.html",
        {
            "wish": wish,
            "row": _row(wish, user),
            "timeline": wish_timeline(wish=wish, audience="staff", unmasked=unmasked),
            "outcome_note": wish_outcome_note(wish),
            "forms": action_forms,
            "refusal": refusal,
            "breadcrumbs": _crumbs({"label": wish.title, "url": ""}),
        },
        status=status or 200,
    )


@staff_view(Perm.VIEW_PARTY)
@require_GET
def photo_view(request: HttpRequest, pk: int, photo_id: int) -> HttpResponse:
    wish = wish_get(user=request.user, pk=pk)
    return photo_response(wish_photo_get(wish=wish, photo_id=photo_id))


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def settings_view(request: HttpRequest) -> HttpResponse:
    """The city's rules for wishes: the value cap and the days before an unclaimed wish is highlighted."""
    if not services.wish_settings_editable_by(user=request.user):
        raise PermissionDenied
    current = WishSettings.current()
    form = SettingsForm(
        request.POST or None, initial={"value_cap": current.value_cap, "stale_days": current.stale_days}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.wish_settings_update(
                    actor=request.user,
                    value_cap=form.cleaned_data["value_cap"],
                    stale_days=form.cleaned_data["stale_days"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
                status = 403
            else:
                messages.success(request, _("The rules for micro-wishes are saved."))
                return redirect("wishes:list")
    return render(
        request,
        "wishes/staff/settings.html",
        {"form": form, "breadcrumbs": _crumbs({"label": _("Rules"), "url": ""})},
        status=status,
    )
