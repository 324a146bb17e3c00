"""What the ratings' pages share: applying a service for a form with the page's status, breadcrumbs, and streaming
evidence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.forms import add_service_errors
from gridwork.ratings.models import Assessment, Evidence, EvidenceKind, Round


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
    except (StaleState, MoveRefused) as error:
        return 409, str(error)
    return 0, ""


def crumbs(
    round_: Round | None = None, assessment: Assessment | None = None, label: str = "", target_label: str = ""
) -> list[dict[str, str]]:
    """Star ratings › the round › the assessment (its target as the viewer may see it) › the page."""
    found = [{"label": _("Star ratings"), "url": reverse("ratings:round-list")}]
    if round_ is not None:
        found.append({"label": round_.name, "url": reverse("ratings:round-detail", args=[round_.pk])})
    if assessment is not None:
        found.append({"label": target_label, "url": reverse("ratings:assessment", args=[assessment.pk])})
    if label:
        found.append({"label": label, "url": ""})
    return found


def evidence_response(evidence: Evidence) -> HttpResponse:
    """The evidence's bytes, private to this user's browser: photos shown inline, documents only downloaded."""
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
    photo = evidence.kind == EvidenceKind.PHOTO and evidence.content_type.startswith("image/")
    response = FileResponse(
        handle,
        content_type=evidence.content_type or "application/octet-stream",
        as_attachment=not photo,
        filename=evidence.file.name.rsplit("/", 1)[-1],
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return cast(HttpResponse, response)
