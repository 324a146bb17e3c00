"""Downloading a stored mediation document (an agreement, a referral letter): it carries the parties' data in full,
so it is opened first (a missing file is 404, with no audit row), then the download is audited, then sent as an
attachment that no cache keeps."""

from __future__ import annotations

from typing import Any, cast

from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse

from gridwork.audit.services import audit_record


def audited_pdf(
    request: HttpRequest,
    field: FieldFile,
    *,
    action: str,
    target: models.Model,
    detail: dict[str, Any],
    filename: str,
) -> HttpResponse:
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
    with transaction.atomic():
        audit_record(actor=request.user, action=action, target=target, detail=detail, request=request)
    response = FileResponse(handle, content_type="application/pdf", as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return cast(HttpResponse, response)
