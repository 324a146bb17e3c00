"""The signature: computed as documented, checked by ``verify`` with a tolerance, and refused when anything differs."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from gridwork.webhooks.signing import parse, sign, signed_headers, verify

SECRET = "whsec_test"
BODY = b'{"id":"x","event":"matter.closed","matter":{"number":"GW202610120000001"}}'
T = 1_790_000_000


def test_the_header_is_the_documented_hmac_over_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), f"{T}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, BODY, timestamp=T) == f"t={T},v1={expected}"


def test_verify_accepts_a_fresh_signature_and_refuses_an_old_one() -> None:
    header = sign(SECRET, BODY, timestamp=T)
    assert verify(SECRET, BODY, header, now=T + 299)
    assert verify(SECRET, BODY, header, now=T - 299)
    assert not verify(SECRET, BODY, header, now=T + 301)
    assert verify(SECRET, BODY, header, tolerance=3600, now=T + 3000)


@pytest.mark.parametrize(
    ("secret", "body", "header"),
    [
        ("whsec_other", BODY, None),  # another secret
        (SECRET, BODY + b" ", None),  # one byte more
        (SECRET, BODY.replace(b"closed", b"opened"), None),  # a changed body
        (SECRET, BODY, f"t={T + 1},v1=" + sign(SECRET, BODY, timestamp=T).split("v1=")[1]),  # the timestamp moved
        (SECRET, BODY, ""),
        (SECRET, BODY, "garbage"),
        (SECRET, BODY, f"t={T}"),
        (SECRET, BODY, f"t=abc,v1={'0' * 64}"),
    ],
)
def test_verify_refuses_anything_else(secret: str, body: bytes, header: str | None) -> None:
    assert not verify(secret, body, header if header is not None else sign(SECRET, BODY, timestamp=T), now=T)


def test_several_v1_values_pass_if_one_matches() -> None:
    good = sign(SECRET, BODY, timestamp=T).split("v1=")[1]
    assert verify(SECRET, BODY, f"t={T},v1={'0' * 64},v1={good}", now=T)
    assert parse(f"t={T},v1=a,v1=b") == (T, ["a", "b"])
    assert parse(f"t={T},t={T},v1=a") == (None, [])


def test_the_headers_of_an_attempt() -> None:
    headers = signed_headers(secret=SECRET, body=BODY, event_type="matter.closed", delivery_id="abc", timestamp=T)
    assert headers["X-Gridwork-Event"] == "matter.closed"
    assert headers["X-Gridwork-Delivery"] == "abc"
    assert headers["X-Gridwork-Timestamp"] == str(T)
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "Gridwork-Webhooks/1"
    assert verify(SECRET, BODY, headers["X-Gridwork-Signature"], now=T)
