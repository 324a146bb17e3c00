"""``Idempotency-Key`` on POST: the same key and body get the first answer again; another body gets 422.

The key belongs to the signed-in user. The POST's work and the record of its answer commit together, so a retry
after a lost answer finds either nothing (and does the work) or the whole answer; two retries racing meet at the
unique key, and the loser's work is rolled back and the winner's answer returned.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.validators import ProhibitNullCharactersValidator
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from gridwork.api.errors import Unprocessable
from gridwork.api.models import ApiIdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY = 128
REPLAYED_HEADER = "Idempotent-Replayed"

KEPT_HEADERS = ("Location", "ETag")

Handler = Callable[..., Response]


def _fingerprint(request: Request) -> str:
    data = request.data
    if hasattr(data, "lists"):
        data = dict(data.lists())
    files = {name: [f"{f.name}:{f.size}" for f in request.FILES.getlist(name)] for name in request.FILES}
    payload = {"path": request.path, "data": data, "files": files}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _replay(record: ApiIdempotencyKey, request_hash: str) -> Response:
    if record.request_hash != request_hash:
        raise Unprocessable(_("This idempotency key was already used for a different request."))
    headers = {**record.headers, REPLAYED_HEADER: "true"}
    return Response(record.body, status=record.status_code, headers=headers)


def idempotent(handler: Handler) -> Handler:
    """Wrap a POST handler of an APIView: a successful answer is stored under the request's Idempotency-Key."""

    @wraps(handler)
    def wrapped(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return handler(view, request, *args, **kwargs)
        if len(key) > MAX_KEY:
            raise exceptions.ValidationError({HEADER: [_("At most %(n)d characters.") % {"n": MAX_KEY}]})
        if "\x00" in key:  # PostgreSQL refuses the character in a string
            raise exceptions.ValidationError({HEADER: [ProhibitNullCharactersValidator.message]})
        request_hash = _fingerprint(request)
        earlier = ApiIdempotencyKey.objects.filter(user=request.user, key=key).first()
        if earlier is not None:
            return _replay(earlier, request_hash)
        try:
            with transaction.atomic():
                response = handler(view, request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    ApiIdempotencyKey.objects.create(
                        user=request.user,
                        key=key,
                        endpoint=request.path[:255],
                        request_hash=request_hash,
                        status_code=response.status_code,
                        body=response.data,
                        headers={name: response[name] for name in KEPT_HEADERS if response.has_header(name)},
                    )
        except IntegrityError:
            earlier = ApiIdempotencyKey.objects.filter(user=request.user, key=key).first()
            if earlier is None:
                raise
            return _replay(earlier, request_hash)
        return response

    return wrapped
