"""What the deliberation pages share: applying a service for a form and turning its refusal into the page's status
and message, and streaming a progress photo."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _

from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.forms import add_service_errors
from gridwork.deliberation.models import ProgressPhoto
from gridwork.deliberation.services import AlreadyDecided, AlreadyVoted, NotNow

BAD_REQUEST = 400
FORBIDDEN = 403
CONFLICT = 409
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


class Outcome:
    """What applying a service gave: its result, or the status and the message to show."""

    def __init__(self, *, result: Any = None, status: int = 0, refusal: str = "") -> None:
        self.result = result
        self.status = status
        self.refusal = refusal

    @property
    def done(self) -> bool:
        return self.status == 0


def perform(form: forms.Form | None, call: Callable[[], Any]) -> Outcome:
    """Run ``call`` for a valid ``form`` (or without one): a wrong field goes on the form (400), a refusal of who
    may act is 403 with its reason, a move not possible now or on a stale page is 409 with its message."""
    if form is not None and not form.is_valid():
        return Outcome(status=BAD_REQUEST)
    try:
        result = call()
    except ValidationError as error:
        if form is not None:
            add_service_errors(form, error)
            return Outcome(status=BAD_REQUEST)
        return Outcome(status=BAD_REQUEST, refusal=" ".join(error.messages))
    except PermissionDenied as error:
        return Outcome(status=FORBIDDEN, refusal=str(error) or _("You may not do this."))
    except (StaleState, MoveRefused, NotNow, AlreadyVoted, AlreadyDecided) as error:
        return Outcome(status=CONFLICT, refusal=str(error))
    return Outcome(result=result)


def photo_response(photo: ProgressPhoto) -> HttpResponse:
    """The photo's bytes (re-encoded on upload, without metadata)."""
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
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return cast(HttpResponse, response)
