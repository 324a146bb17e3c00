"""Pages of the staff's second factor: set up an authenticator, enter a code after the password, backup codes.

The rules (who is asked, the lock, what is audited) are in ``gridwork.accounts.twofactor``; these pages only ask and
show. The set-up page shows the secret as a QR code drawn here as inline SVG (nothing is fetched from elsewhere) and
as text to type.
"""

from __future__ import annotations

from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

import segno
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from gridwork.accounts import sessions, twofactor
from gridwork.accounts.middleware_twofactor import session_is_verified
from gridwork.accounts.models import User
from gridwork.accounts.views import _home_for, _safe_next
from gridwork.common.permissions import signed_in_view

# The unconfirmed authenticator this session's set-up page showed (its id; never the secret).
SETUP_DEVICE_KEY = "gridwork_2fa_setup_device"
LOCKED_STATUS = 429


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg text-center font-monospace",
                "autocomplete": "one-time-code",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
    )


def _next(request: HttpRequest) -> str | None:
    return _safe_next(request, request.POST.get("next") or request.GET.get("next"))


def _with_next(url: str, after: str | None) -> str:
    return f"{url}?{urlencode({'next': after})}" if after else url


def _away(request: HttpRequest) -> HttpResponse | None:
    """Where a user who owes no second factor here goes instead (the page asked for, or their home)."""
    if not twofactor.second_factor_required(request.user) or session_is_verified(request):
        return redirect(_next(request) or _home_for(request.user))
    return None


def _signed_in(request: HttpRequest, device: Device) -> None:
    """The session is verified by ``device``; a new session id, as at every step up."""
    old_key = request.session.session_key
    otp_login(request, device)
    request.session.cycle_key()
    request.session.pop(SETUP_DEVICE_KEY, None)
    # The new key is the one to end when the account is disabled or its second factor reset.
    sessions.session_rekey(request=request, user=request.user, old_key=old_key)


def _qr_svg(uri: str) -> SafeString:
    """The otpauth:// URI as an inline SVG (segno writes only paths and attributes, no script and no style)."""
    svg: str = segno.make(uri, error="m").svg_inline(scale=5, svgclass="img-fluid border rounded")
    # segno's own markup: the URI is drawn as paths, never written as text.
    return mark_safe(svg)  # noqa: S308  # nosec B308 B703


def _grouped(secret: str) -> str:
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


@signed_in_view
def twofactor_verify_view(request: HttpRequest) -> HttpResponse:
    """After the password: six digits from the authenticator app, or one backup code."""
    if (away := _away(request)) is not None:
        return away
    user: User = request.user  # type: ignore[assignment]
    after = _next(request)
    if twofactor.totp_device_confirmed(user) is None:
        return redirect(_with_next(reverse("accounts:twofactor-setup"), after))
    form = CodeForm(request.POST or None)
    status = 200
    locked_until = twofactor.second_factor_locked_until(user)
    if request.method == "POST" and form.is_valid():
        try:
            device = twofactor.second_factor_verify(user=user, code=form.cleaned_data["code"], request=request)
        except twofactor.SecondFactorRefused as refusal:
            form.add_error("code", str(refusal))
            locked_until = refusal.locked_until
        else:
            _signed_in(request, device)
            return redirect(after or _home_for(user))
    if locked_until is not None:
        status = LOCKED_STATUS
    return render(
        request,
        "accounts/twofactor/verify.html",
        {"form": form, "next": after or "", "locked_until": locked_until},
        status=status,
    )


@signed_in_view
@never_cache  # the page shows the authenticator's secret
def twofactor_setup_view(request: HttpRequest) -> HttpResponse:
    """First sign-in (or after a reset): scan the QR code, type a code to confirm; then the backup codes, once."""
    if (away := _away(request)) is not None:
        return away
    user: User = request.user  # type: ignore[assignment]
    after = _next(request)
    if twofactor.totp_device_confirmed(user) is not None:
        return redirect(_with_next(reverse("accounts:twofactor-verify"), after))
    device = twofactor.enrolment_device(user=user, device_id=request.session.get(SETUP_DEVICE_KEY))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and device is not None and form.is_valid():
        try:
            enrolment = twofactor.enrolment_confirm(
                user=user, device=device, code=form.cleaned_data["code"], request=request
            )
        except twofactor.SecondFactorRefused as refusal:
            form.add_error("code", str(refusal))
            if refusal.locked_until is not None:
                status = LOCKED_STATUS
        else:
            _signed_in(request, enrolment.device)
            return _backup_codes_page(request, enrolment.backup_codes, after=after or _home_for(user), enrolled=True)
    if device is None:
        try:
            device = twofactor.enrolment_start(user=user, request=request)
        except ValidationError:  # confirmed meanwhile in another session
            return redirect(_with_next(reverse("accounts:twofactor-verify"), after))
        request.session[SETUP_DEVICE_KEY] = device.pk
        if request.method == "POST":
            form = CodeForm()
            messages.warning(request, _("This set-up had expired. Scan the new QR code and enter its code."))
    return render(request, "accounts/twofactor/setup.html", _setup_context(device, form, after), status=status)


def _setup_context(device: TOTPDevice, form: CodeForm, after: str | None) -> dict[str, Any]:
    secret = b32encode(device.bin_key).decode()
    return {
        "form": form,
        "next": after or "",
        "qr_svg": _qr_svg(device.config_url),
        "secret": _grouped(secret),
    }


def _backup_codes_page(request: HttpRequest, codes: list[str], *, after: str, enrolled: bool) -> HttpResponse:
    """The codes, in this response only (never kept in the session); not to be cached."""
    response = render(
        request,
        "accounts/twofactor/backup_codes.html",
        {
            "codes": codes,
            "count": len(codes),
            "after": after,
            "enrolled": enrolled,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@signed_in_view
def twofactor_backup_codes_view(request: HttpRequest) -> HttpResponse:
    """How many backup codes are left; make ten new ones (the old ones stop working)."""
    user: User = request.user  # type: ignore[assignment]
    if twofactor.totp_device_confirmed(user) is None:
        return redirect(_home_for(user))
    if not session_is_verified(request):
        return redirect(_with_next(reverse("accounts:twofactor-verify"), request.get_full_path()))
    if request.method == "POST":
        codes = twofactor.backup_codes_replace(user=user, request=request)
        return _backup_codes_page(request, codes, after=_home_for(user), enrolled=False)
    return render(
        request,
        "accounts/twofactor/backup_codes_manage.html",
        {"left": twofactor.backup_codes_left(user), "breadcrumbs": [{"label": _("Backup codes"), "url": ""}]},
    )
