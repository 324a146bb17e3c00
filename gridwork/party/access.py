"""Who may open the pages of a registered party member (the member's own mobile pages: wishes to claim, orders to
take, points): a signed-in user with a confirmed registration. Everyone else signed in is sent to register.
And who may open the employer's pages: a contact of a resident unit."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from gridwork.common.permissions import ACCESS_ATTRIBUTE
from gridwork.party.selectors import member_registration_of, units_of_contact

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])

MEMBER_REGISTER_URL = "member:register"


def member_view(view: ViewFunc) -> ViewFunc:
    """The view gets ``request.member`` (the confirmed ``MemberRegistration``); without one the user is sent to the
    registration page (anonymous: to sign in first)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        member = member_registration_of(request.user)
        if member is None:
            return redirect(MEMBER_REGISTER_URL)
        request.member = member  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    setattr(wrapped, ACCESS_ATTRIBUTE, "member")
    return wrapped  # type: ignore[return-value]


def unit_contact_view(view: ViewFunc) -> ViewFunc:
    """The employer's pages (/unit/): a signed-in user who speaks for at least one resident unit (``UnitContact``).
    The view gets ``request.units`` (a queryset of those units); anonymous users are sent to sign in, any other
    signed-in user is refused (403)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        units = units_of_contact(user=request.user)
        if not units.exists():
            raise PermissionDenied(_("This page is for the contacts of a resident unit."))
        request.units = units  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    setattr(wrapped, ACCESS_ATTRIBUTE, "unit_contact")
    return wrapped  # type: ignore[return-value]
