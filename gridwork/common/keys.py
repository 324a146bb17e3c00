"""Secret keys handed to other systems (API tokens, Open311 keys): shown once, stored only as a keyed hash.

A key reads ``<kind>_<prefix>_<secret>``. The prefix is stored in clear, so that a list of keys can name each one
and a lookup finds its row by index; the whole key is stored as an HMAC under the platform's secret key, so that
a copy of the database does not give anyone a working key. Comparison is in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Model, QuerySet
from django.utils import timezone

PREFIX_LENGTH = 8
LAST_USED_EVERY = timedelta(minutes=1)  # "last used" is written at most this often, not on every request

Row = TypeVar("Row", bound=Model)


@dataclass(frozen=True)
class IssuedKey:
    key: str  # shown once to whoever created it, never stored
    prefix: str
    digest: str


def key_digest(key: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), key.strip().encode(), hashlib.sha256).hexdigest()


def issue_key(kind: str) -> IssuedKey:
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    key = f"{kind}_{prefix}_{secrets.token_urlsafe(32)}"
    return IssuedKey(key=key, prefix=prefix, digest=key_digest(key))


def key_prefix(key: str, kind: str) -> str | None:
    """The prefix of a key of this kind, or None if the text is not shaped like one."""
    parts = key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != kind or len(parts[1]) != PREFIX_LENGTH:
        return None
    if any(char not in "0123456789abcdef" for char in parts[1]):
        return None
    return parts[1]


def key_matches(key: str, digest: str) -> bool:
    return hmac.compare_digest(key_digest(key), digest)


def find_issued(rows: QuerySet[Row], key: str, kind: str) -> Row | None:
    """The row (with ``prefix`` and ``digest``) that this key of this kind is, or None: one indexed lookup."""
    prefix = key_prefix(key, kind)
    row = rows.filter(prefix=prefix).first() if prefix else None
    return row if row is not None and key_matches(key, row.digest) else None  # type: ignore[attr-defined]


def record_use(row: Any, *, now: datetime | None = None) -> None:
    """Note when an issued key was last used (``last_used_at``), at most once a minute."""
    now = now or timezone.now()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_EVERY:
        type(row).objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now
