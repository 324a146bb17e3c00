"""Following a matter as its reporter: with an account, or with the number and tracking code of an anonymous report.

- A session that proved a tracking code remembers it (server-side session), so the follower can open the matter
  and rate the reply without typing the code again.
- Wrong number/code pairs are counted per session and per IP address; after ``GUESS_LIMIT`` wrong tries in
  ``GUESS_WINDOW`` the lookup is refused for the next hour, whatever is typed.
- Rating by a tracking-code holder goes through ``services.matter_transition`` with a ``TrackingCodeHolder`` as
  the actor; the service checks the code itself. Nothing here decides who may take a move.
- What a resident sees of the events: every step, the unit and role of who took it, the person's name masked
  (张*), and only the notes meant for the resident.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Role
from gridwork.common.masking import mask_name
from gridwork.matters import services
from gridwork.matters.models import Matter, MatterEvent
from gridwork.matters.workflow import ACTION_LABELS, Action, MatterState

SESSION_KEY = "gridwork_tracked_matters"
GUESSES_SESSION_KEY = "gridwork_tracking_guesses"
MAX_REMEMBERED = 20
GUESS_LIMIT = 10
GUESS_WINDOW = 3600  # seconds

# Notes a resident reads; the others (a return's reason, an extension request) are the units' working notes.
RESIDENT_NOTE_ACTIONS = frozenset(
    {Action.PROGRESS, Action.REPLY, Action.RATE, Action.CLOSE_BY_AGREEMENT, Action.VERIFY_CLOSE, Action.DISCARD}
)
REPORTER_ROLES = frozenset({"", "resident", "reporter"})


@dataclass(frozen=True)
class TrackingCodeHolder:
    """The actor of a move made by whoever proved a matter's tracking code (an anonymous reporter, a caller).

    ``services`` honours it for the reporter's moves (rating) only, after checking the code against the matter;
    it holds no post, so every other move is refused.
    """

    tracking_code: str
    is_authenticated: bool = False
    pk: None = None


# --- the proof, kept in the session ------------------------------------------------------------------------


def tracking_remember(session: SessionBase, *, number: str, code: str) -> None:
    """Remember that this session proved ``code`` for ``number`` (the latest few matters only)."""
    proofs = dict(session.get(SESSION_KEY, {}))
    proofs.pop(number, None)
    proofs[number] = code
    session[SESSION_KEY] = dict(list(proofs.items())[-MAX_REMEMBERED:])


def tracking_code_in_session(session: SessionBase, number: str) -> str:
    return str(session.get(SESSION_KEY, {}).get(number, ""))


# --- the guess limit ---------------------------------------------------------------------------------------


def _now() -> float:
    return time.time()


def _ip_key(request: HttpRequest) -> str:
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    return "gridwork:tracking-guesses:" + hashlib.sha256(address.encode()).hexdigest()[:32]


def _blocked(state: dict[str, Any] | None, now: float) -> bool:
    return bool(state) and float(state.get("blocked_until", 0)) > now  # type: ignore[union-attr]


def _after_failure(state: dict[str, Any] | None, now: float) -> dict[str, Any]:
    state = state or {}
    failures = [float(at) for at in state.get("failures", []) if now - float(at) < GUESS_WINDOW] + [now]
    blocked_until = float(state.get("blocked_until", 0))
    if len(failures) >= GUESS_LIMIT:
        failures, blocked_until = [], now + GUESS_WINDOW
    return {"failures": failures, "blocked_until": blocked_until}


def tracking_guess_blocked(request: HttpRequest) -> bool:
    """Whether this session or this IP address made ``GUESS_LIMIT`` wrong tries and the hour is not over."""
    now = _now()
    return _blocked(request.session.get(GUESSES_SESSION_KEY), now) or _blocked(cache.get(_ip_key(request)), now)


def tracking_guess_failed(request: HttpRequest) -> None:
    """Count a wrong number/code pair against the session and the IP address.

    The per-IP count lives in the cache: one process with the default local-memory cache, every process with a
    shared cache (see ``CACHES``). Two wrong tries at the same instant may count once; the limit stays near 10.
    """
    now = _now()
    request.session[GUESSES_SESSION_KEY] = _after_failure(request.session.get(GUESSES_SESSION_KEY), now)
    key = _ip_key(request)
    cache.set(key, _after_failure(cache.get(key), now), timeout=2 * GUESS_WINDOW)


# --- reading -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Following:
    """A matter as its follower sees it, and how they proved they may: as the signed-in reporter or by the code."""

    matter: Matter
    tracking_code: str = ""

    @property
    def actor_for(self) -> Any:
        return TrackingCodeHolder(self.tracking_code) if self.tracking_code else None


def resident_matter_list(*, user: Any) -> QuerySet[Matter]:
    """我的诉求: the matters a signed-in resident reported, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Matter.objects.none()
    return (
        Matter.objects.filter(reporter=user)
        .select_related("community", "grid", "category")
        .order_by("-created_at", "-id")
    )


def matter_following(request: HttpRequest, number: str) -> Following | None:
    """The matter ``number`` if this request's user reported it, or this session proved its tracking code."""
    number = number.strip().upper()
    user = request.user
    if user.is_authenticated:
        own = resident_matter_list(user=user).filter(number=number).first()
        if own is not None:
            return Following(matter=own)
    code = tracking_code_in_session(request.session, number)
    if code:
        matter = services.matter_receipt_lookup(number=number, tracking_code=code)
        if matter is not None:
            return Following(matter=matter, tracking_code=code)
    return None


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    action: str
    label: str
    state_label: str
    who: str
    note: str
    reply: str


def _who(event: MatterEvent) -> str:
    """The unit and role of who took the step, the person masked: 春晖社区 · 社区工作者 · 张*."""
    if event.actor_role in REPORTER_ROLES:
        return _("Reporter") if event.action in {Action.FILE, Action.RATE} else ""
    role = Role(event.actor_role).label if event.actor_role in Role.values else ""
    return " · ".join(str(part) for part in (event.actor_unit, role, mask_name(event.actor_name)) if part)


def resident_timeline(matter: Matter) -> list[TimelineEntry]:
    entries = []
    for event in matter.events.order_by("sequence"):
        entries.append(
            TimelineEntry(
                at=event.at,
                action=event.action,
                label=str(ACTION_LABELS.get(event.action, event.action)),
                state_label=str(MatterState(event.to_state).label) if event.to_state in MatterState.values else "",
                who=_who(event),
                note=event.note if event.action in RESIDENT_NOTE_ACTIONS else "",
                reply=str(event.data.get("text", "")) if event.action == Action.REPLY else "",
            )
        )
    return entries


def following_may_rate(following: Following, *, user: Any) -> bool:
    """Whether the follower may rate now, by the service's own checks."""
    actor = following.actor_for or user
    return Action.RATE in services.matter_allowed_actions(actor=actor, matter=following.matter)


# --- rating ------------------------------------------------------------------------------------------------


def matter_rate_by_tracking_code(
    *, number: str, tracking_code: str, satisfaction: str, comment: str = "", expected_version: int | None = None
) -> Matter:
    """评价 by whoever holds the tracking code of a matter filed without an account.

    The service checks the code against the matter and refuses what the loop does not allow (rating twice, say).
    """
    matter = services.matter_receipt_lookup(number=number, tracking_code=tracking_code)
    if matter is None:
        raise services.MatterNotFound
    return services.matter_transition(
        actor=TrackingCodeHolder(tracking_code),
        matter_id=matter.pk,
        action=Action.RATE,
        data={"satisfaction": satisfaction},
        note=comment,
        expected_version=expected_version,
    )
