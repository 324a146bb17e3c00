"""One HTTP POST to a receiver, with the standard library: a timeout, no redirects, and an answer that never raises.

A redirect is not followed (urllib would turn the POST into a GET without the body): it is a failed attempt, like
any status outside 2xx, a refused connection or a timeout, and is retried on the back-off schedule.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

TIMEOUT_SECONDS = 10.0
EXCERPT_BYTES = 500


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    error: str
    excerpt: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _excerpt(raw: bytes) -> str:
    return raw[:EXCERPT_BYTES].decode("utf-8", errors="replace")[:EXCERPT_BYTES]


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float = TIMEOUT_SECONDS) -> Answer:
    """POST ``body`` to ``url`` (http or https only: the endpoint's URL is checked when it is saved)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - scheme checked
    opener = urllib.request.build_opener(_NoRedirect)
    started = time.monotonic()
    status: int | None = None
    error = ""
    excerpt = ""
    try:
        with opener.open(request, timeout=timeout) as response:
            status = int(response.status)
            excerpt = _excerpt(response.read(EXCERPT_BYTES))
    except urllib.error.HTTPError as failure:  # an answer outside 2xx (redirects included)
        status = int(failure.code)
        try:
            excerpt = _excerpt(failure.read(EXCERPT_BYTES))
        except (OSError, http.client.HTTPException):
            excerpt = ""
        finally:
            failure.close()
    except urllib.error.URLError as failure:
        error = str(failure.reason)
    except (OSError, http.client.HTTPException, ValueError) as failure:  # timeouts, resets, malformed answers
        error = f"{type(failure).__name__}: {failure}"
    duration_ms = int((time.monotonic() - started) * 1000)
    return Answer(status_code=status, error=error[:500], excerpt=excerpt, duration_ms=duration_ms)
