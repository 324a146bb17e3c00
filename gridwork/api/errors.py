"""Every API error is JSON: ``{"code": …, "message": …, "errors": {field: [messages]}}``, with a 4xx status.

The services' own refusals map here once: not found or out of scope → 404, a move the user may not take → 403,
a move the matter's state does not allow or a stale version → 409, a failed ``If-Match`` → 412, an
``Idempotency-Key`` reused with another body → 422.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from gridwork.matters.services import ConcurrentChange, IdempotencyConflict, MatterNotFound, NotAllowed
from gridwork.matters.workflow import TransitionRefused


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The matter has changed since the version named in If-Match."
    default_code = "precondition_failed"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This matter was changed by someone else. Reload it and try again."
    default_code = "conflict"


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This idempotency key was already used for a different request."
    default_code = "idempotency_conflict"


def _field_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail, flattened to ``{"field": [...], "items.0.task": [...]}``."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(_field_errors(value, name))
        return flat
    if isinstance(detail, list) and detail and all(isinstance(item, dict | list) for item in detail):
        flat = {}
        for index, item in enumerate(detail):
            flat.update(_field_errors(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix or "non_field_errors": [str(message) for message in messages]}


def _translate(exc: Exception) -> exceptions.APIException | None:
    """The DRF exception standing for one of the platform's own."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return exceptions.ValidationError(detail)
    if isinstance(exc, MatterNotFound | Http404):
        return exceptions.NotFound()
    if isinstance(exc, NotAllowed):
        return exceptions.PermissionDenied(str(exc), code=exc.code)
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, TransitionRefused):
        return Conflict(str(exc), code=exc.code)
    if isinstance(exc, ConcurrentChange):
        return Conflict(str(exc))
    if isinstance(exc, IdempotencyConflict):
        return Unprocessable(str(exc))
    return exc if isinstance(exc, exceptions.APIException) else None


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    api_exc = _translate(exc)
    if api_exc is None:
        return None  # a bug: Django's 500 handling (and logging) takes it
    headers: dict[str, str] = {}
    if auth := getattr(api_exc, "auth_header", None):
        headers["WWW-Authenticate"] = auth
    if wait := getattr(api_exc, "wait", None):
        headers["Retry-After"] = str(int(wait))
    if isinstance(api_exc, exceptions.ValidationError):
        body = {"code": "invalid", "message": _("Some fields are wrong."), "errors": _field_errors(api_exc.detail)}
    else:
        codes = api_exc.get_codes()
        body = {
            "code": codes if isinstance(codes, str) else api_exc.default_code,
            "message": str(api_exc.detail),
            "errors": {},
        }
    set_rollback()
    return Response(body, status=api_exc.status_code, headers=headers)
