"""Where browsers send Content-Security-Policy violations (the policy's report-uri): each one becomes a log line.

A violation on a page of the platform is a bug (an inline handler or style that slipped in) or an attack (injected
markup the policy blocked); either way the operators should see it. The endpoint is public, as browsers send the
reports without cookies or a CSRF token, so it trusts nothing in them: the body is bounded, only the known fields are
kept, each cut short, and nothing is stored.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from gridwork.common.permissions import public_view

logger = logging.getLogger("gridwork.csp")

MAX_REPORT_BYTES = 16 * 1024
MAX_FIELD_CHARS = 300
REPORT_FIELDS = (
    "document-uri",
    "violated-directive",
    "effective-directive",
    "blocked-uri",
    "source-file",
    "line-number",
    "column-number",
    "disposition",
)


def csp_report_fields(body: Any) -> dict[str, str] | None:
    """The known fields of a report-uri report ({"csp-report": {...}}), as short strings; None if it is not one."""
    if not isinstance(body, dict) or not isinstance(body.get("csp-report"), dict):
        return None
    report = body["csp-report"]
    return {key: str(report[key])[:MAX_FIELD_CHARS] for key in REPORT_FIELDS if key in report}


@public_view
@csrf_exempt
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Log one violation report and answer 204; refuse anything too large (413) or not a report (400)."""
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return HttpResponseBadRequest()
    if length > MAX_REPORT_BYTES:
        return HttpResponse(status=413)
    try:
        fields = csp_report_fields(json.loads(request.read(MAX_REPORT_BYTES + 1)[:MAX_REPORT_BYTES]))
    except (ValueError, UnicodeDecodeError):
        fields = None
    if fields is None:
        return HttpResponseBadRequest()
    logger.warning("Content-Security-Policy violation: %s", json.dumps(fields, ensure_ascii=True, sort_keys=True))
    return HttpResponse(status=204)
