"""Test data for webhooks: a receiver on loopback that checks signatures on its own, endpoints, and a whole loop."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.matters.models import Matter
from gridwork.matters.services import matter_transition
from gridwork.matters.tests.factories import LoopStaff, file_in_building
from gridwork.matters.workflow import Action, MatterKind, Satisfaction
from gridwork.places.models import Place
from gridwork.places.tests.factories import CityTree
from gridwork.webhooks.events import WebhookEvent
from gridwork.webhooks.models import WebhookEndpoint
from gridwork.webhooks.services import endpoint_create

ALL_EVENTS = list(WebhookEvent.values)


@dataclass
class Request:
    headers: dict[str, str]
    body: bytes
    signature_valid: bool
    status: int


@dataclass
class Receiver:
    """What a hotline system would run: it checks each request's signature itself (not with ``signing.verify``) and
    answers 401 to a bad one; otherwise the next of ``answers``, then 200."""

    url: str
    secret: str = ""
    answers: list[int] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            valid = self._valid(headers, body)
            status = 401 if not valid else (self.answers.pop(0) if self.answers else 200)
            self.requests.append(Request(headers=headers, body=body, signature_valid=valid, status=status))
            return status

    def _valid(self, headers: dict[str, str], body: bytes) -> bool:
        fields = dict(part.split("=", 1) for part in headers.get("X-Gridwork-Signature", "").split(",") if "=" in part)
        timestamp = headers.get("X-Gridwork-Timestamp", "")
        if fields.get("t") != timestamp or not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
            return False
        expected = hmac.new(self.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, fields.get("v1", ""))

    def accepted(self) -> dict[str, list[Request]]:
        """The requests answered 2xx, by delivery id."""
        found: dict[str, list[Request]] = {}
        for request in self.requests:
            if 200 <= request.status < 300:
                found.setdefault(request.headers["X-Gridwork-Delivery"], []).append(request)
        return found

    def by_delivery(self) -> dict[str, list[Request]]:
        found: dict[str, list[Request]] = {}
        for request in self.requests:
            found.setdefault(request.headers["X-Gridwork-Delivery"], []).append(request)
        return found


@contextmanager
def loopback_receiver(*, answers: list[int] | None = None, path: str = "/hook") -> Iterator[Receiver]:
    """A real HTTP server on 127.0.0.1 at a free port, in a thread, for the length of the block."""
    receiver: Receiver | None = None

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            assert receiver is not None
            status = receiver.handle(dict(self.headers.items()), body)
            reply = b'{"ok":true}' if status < 300 else b'{"error":"try later"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            if 300 <= status < 400:
                self.send_header("Location", receiver.url + "/moved")
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}{path}", answers=list(answers or []))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def make_admin(tree: CityTree, username: str = "sysadmin") -> User:
    return make_staff(role=Role.SYSTEM_ADMIN, place=tree.city, username=username)


def make_endpoint(
    admin: User,
    *,
    url: str,
    place: Place,
    events: list[str] | None = None,
    channel: str = "",
    name: str = "12345 热线",
    receiver: Receiver | None = None,
) -> WebhookEndpoint:
    """An endpoint made through the service; the receiver (if given) learns its secret."""
    endpoint, secret = endpoint_create(
        actor=admin, name=name, url=url, events=events or ALL_EVENTS, place=place, channel=channel
    )
    if receiver is not None:
        receiver.secret = secret
    return endpoint


def file_hotline_matter(tree: CityTree, **options: Any) -> Matter:
    options.setdefault("channel", "hotline")
    options.setdefault("external_ref", "12345-20261012-0001")
    options.setdefault("reporter_name", "张三")
    options.setdefault("reporter_phone", "13812345678")
    return Matter.objects.get(pk=file_in_building(tree, **options).matter_id)


def through_the_loop(tree: CityTree, staff: LoopStaff, matter: Matter) -> Matter:
    """Dispatch to the district department, accept, reply, rate "satisfied", verify and close."""

    def move(actor: Any, action: str, data: dict[str, Any] | None = None) -> Matter:
        return matter_transition(actor=actor, matter_id=matter.pk, action=action, data=data or {})

    move(staff.dispatcher, Action.DISPATCH, {"kind": MatterKind.PROFESSIONAL, "lead_department_id": tree.department.pk})
    move(staff.department, Action.ACCEPT)
    move(staff.department, Action.PROGRESS, {})
    move(staff.department, Action.REPLY, {"text": "已更换灯具，恢复照明。"})
    move(staff.operator, Action.RATE, {"satisfaction": Satisfaction.SATISFIED})
    return move(staff.dispatcher, Action.VERIFY_CLOSE)
