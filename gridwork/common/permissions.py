"""Deny by default: every view declares the permission it needs, or that it is public.

``staff_view(perm)`` lets in only signed-in staff who hold ``perm`` in at least one post; everyone else
is sent to sign in (anonymous) or refused with 403. Objects out of the user's scope are not found (404):
that is the selectors' job, since views take their querysets only from selectors.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])

ACCESS_ATTRIBUTE = "gridwork_access"


def staff_view(perm: str) -> Callable[[ViewFunc], ViewFunc]:
    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not getattr(user, "is_staff_member", False) or not user.has_perm_anywhere(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        setattr(wrapped, ACCESS_ATTRIBUTE, f"staff:{perm}")
        return wrapped  # type: ignore[return-value]

    return decorator


def public_view(view: ViewFunc) -> ViewFunc:
    """Mark a view as open to everyone, on purpose (the resident portal, the locating service, sign-in)."""
    setattr(view, ACCESS_ATTRIBUTE, "public")
    return view


def signed_in_view(view: ViewFunc) -> ViewFunc:
    """Any signed-in user (staff or resident); used for pages about the user's own account."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    setattr(wrapped, ACCESS_ATTRIBUTE, "signed_in")
    return wrapped  # type: ignore[return-value]
