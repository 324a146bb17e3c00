"""Every signed-in session of a user, so that all of them can be ended at once.

Django keeps no index from a user to their sessions (the user id is inside each session's data). The key of each
session is recorded at sign-in (``UserSession``, from the user_logged_in signal) and forgotten at sign-out; ending a
user's sessions deletes each through the configured ``SESSION_ENGINE``'s ``SessionStore`` — the database row, the
cache entry (Redis), or both — so no session with the user's data outlives a deactivation or a forced password change.
Signed-cookie sessions live only in the browser and cannot be ended on the server; the platform does not use them.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest

from gridwork.accounts.models import User, UserSession


def _session_store(session_key: str) -> SessionBase:
    store_class: type[SessionBase] = import_module(settings.SESSION_ENGINE).SessionStore
    return store_class(session_key=session_key)


def _current_key(request: HttpRequest | None) -> str | None:
    session = getattr(request, "session", None) if request is not None else None
    return getattr(session, "session_key", None)


def session_record(*, request: HttpRequest, user: Any) -> None:
    """Remember the session ``request`` is signed in with as one of ``user``'s (called at sign-in)."""
    key = _current_key(request)
    if key is None or getattr(user, "pk", None) is None:
        return
    UserSession.objects.update_or_create(session_key=key, defaults={"user_id": user.pk})


def session_forget(*, request: HttpRequest | None) -> None:
    """Forget the session ``request`` is signed in with (called at sign-out, before Django flushes it)."""
    key = _current_key(request)
    if key is not None:
        UserSession.objects.filter(session_key=key).delete()


def session_rekey(*, request: HttpRequest, user: Any, old_key: str | None) -> None:
    """The session got a new key (``update_session_auth_hash`` cycles it): record the new one instead of the old."""
    if old_key is not None and old_key != _current_key(request):
        UserSession.objects.filter(session_key=old_key).delete()
    session_record(request=request, user=user)


def sessions_end(*, user: User, keep: str | None = None) -> int:
    """End every recorded session of ``user`` except ``keep`` (a session key); return how many were still open.

    Deletes through the session engine first, then the record, so that a failure leaves the record to retry."""
    keys = list(
        UserSession.objects.filter(user=user).exclude(session_key=keep or "").values_list("session_key", flat=True)
    )
    ended = 0
    for key in keys:
        store = _session_store(key)
        if store.exists(key):
            ended += 1
        store.delete(key)
    UserSession.objects.filter(session_key__in=keys).delete()
    return ended


def sessions_count(*, user: User) -> int:
    return UserSession.objects.filter(user=user).count()
