"""The signature of an outbound webhook, and the reference check a receiver runs (the README shows it).

Each attempt is signed afresh: ``X-Gridwork-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>``, the HMAC taken with
the endpoint's secret over ``b"<t>." + body``. Covering the timestamp lets a receiver refuse an old request replayed
(``tolerance``); the delivery id (``X-Gridwork-Delivery``) lets it recognise a repeat of one it has already handled.
"""

from __future__ import annotations

import hashlib
import hmac
import time

EVENT_HEADER = "X-Gridwork-Event"
DELIVERY_HEADER = "X-Gridwork-Delivery"
TIMESTAMP_HEADER = "X-Gridwork-Timestamp"
SIGNATURE_HEADER = "X-Gridwork-Signature"
SCHEME = "v1"
DEFAULT_TOLERANCE = 300  # seconds


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``b"<timestamp>." + body`` under ``secret``."""
    return hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    """The value of ``X-Gridwork-Signature`` for ``body`` sent at ``timestamp`` (default: now)."""
    moment = int(time.time()) if timestamp is None else timestamp
    return f"t={moment},{SCHEME}={signature(secret, moment, body)}"


def signed_headers(*, secret: str, body: bytes, event_type: str, delivery_id: str, timestamp: int) -> dict[str, str]:
    """Every header of one attempt."""
    return {
        "Content-Type": "application/json",
        "User-Agent": "Gridwork-Webhooks/1",
        EVENT_HEADER: event_type,
        DELIVERY_HEADER: delivery_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, body, timestamp=timestamp),
    }


def parse(header: str) -> tuple[int | None, list[str]]:
    """The timestamp and the ``v1`` signatures of a signature header; (None, []) for anything malformed."""
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            return None, []
        if key == "t":
            if not value.isdigit() or timestamp is not None:
                return None, []
            timestamp = int(value)
        elif key == SCHEME:
            signatures.append(value)
    return timestamp, signatures


def verify(secret: str, body: bytes, header: str, tolerance: int = DEFAULT_TOLERANCE, now: float | None = None) -> bool:
    """Whether ``header`` signs exactly ``body`` with ``secret``, at a time within ``tolerance`` seconds of ``now``."""
    timestamp, signatures = parse(header)
    if timestamp is None or not signatures:
        return False
    moment = time.time() if now is None else now
    if abs(moment - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in signatures)
