"""Idle session timeout: a staff or resident session ends after SESSION_IDLE_TIMEOUT without a request."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

LAST_SEEN_KEY = "gridwork_last_seen"
# Write the session at most this often just to move the idle clock, not on every request.
TOUCH_INTERVAL_SECONDS = 60


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY)
            idle_limit = settings.SESSION_IDLE_TIMEOUT.total_seconds()
            if last_seen is not None and now - float(last_seen) > idle_limit:
                logout(request)
                request.session["gridwork_idle_logout"] = True
            elif last_seen is None or now - float(last_seen) > TOUCH_INTERVAL_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
