"""What the wishes' pages share: applying a move and turning a refusal into the page's status and message, and
streaming a photo to someone who may see its wish."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _

from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.forms import add_service_errors
from gridwork.wishes.models import WishPhoto
from gridwork.wishes.services import WishAlreadyClaimed

PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


def perform(form: forms.Form, move: Callable[[], Any]) -> tuple[int, str]:
    """Apply ``move`` for a valid ``form``: (0, "") when done; else the status and, for a refused or stale move, the
    message for the page (a wrong field's message goes on the form)."""
    if not form.is_valid():
        return 400, ""
    try:
        move()
    except ValidationError as error:
        add_service_errors(form, error)
        return 400, ""
    except PermissionDenied as error:
        return 403, str(error) or _("You may not do this.")
    except (StaleState, WishAlreadyClaimed) as error:
        return 409, str(error)
    except MoveRefused as error:
        return 409, str(error)
    return 0, ""


def photo_response(photo: WishPhoto) -> HttpResponse:
    """The photo's bytes, private to this user's browser; there is no public URL of it."""
    try:
        handle = photo.image.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
    safe = photo.content_type in PHOTO_TYPES
    response = FileResponse(
        handle,
        content_type=photo.content_type if safe else "application/octet-stream",
        as_attachment=not safe,
        filename=photo.image.name.rsplit("/", 1)[-1],
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return cast(HttpResponse, response)
