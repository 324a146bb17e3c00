"""A year of residents' matters for the demo city, from real public messages (data/tipdm2020, see its SOURCE.md).

Each message becomes a matter on a grid of the demo city, filed on a day of the past year, and taken through
the loop to a stage that fits its age: the messages with an official reply are replied, rated and mostly
closed with that reply; the others wait at dispatch, acceptance or handling. Every matter's events are
folded through ``workflow.apply``, so the stored fields are exactly what the events say, as for any matter.
"""

from __future__ import annotations

import csv
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gridwork.accounts.models import Post
from gridwork.accounts.roles import Role
from gridwork.analytics.rebuild import rebuild_rollup
from gridwork.demo.identifiers import mobile_number
from gridwork.demo.names import person_name
from gridwork.matters.models import Category, Channel, DailySequence, Matter, MatterEvent
from gridwork.matters.services import tracking_code_hash
from gridwork.matters.triage import category_keywords
from gridwork.matters.workflow import (
    Action,
    MatterKind,
    MatterState,
    Satisfaction,
    Snapshot,
    apply,
    with_supervision,
)
from gridwork.places.models import Department, Place, PlaceLevel
from gridwork.supervision.calendar import WorkCalendar
from gridwork.supervision.deadlines import plan_move
from gridwork.supervision.models import AlertLevel, DeadlineAlert

DATA = Path(settings.BASE_DIR) / "data" / "tipdm2020"
DEFAULT_SEED = 20261121
SWEEP_EVERY = timedelta(minutes=5)  # settings.GRIDWORK_SCHEDULE's supervision-sweep

# The department that handles each first-level class, by the short name in its title; None: the community.
DEPARTMENT_FOR_CLASS = {
    "城乡建设": "住房和城乡建设",
    "环境保护": "生态环境",
    "交通运输": "交通运输",
    "教育文体": "教育",
    "劳动和社会保障": "人力资源和社会保障",
    "商贸旅游": "市场监督管理",
    "卫生计生": "卫生健康",
    "民政": "民政",
}


@dataclass
class Message:
    title: str
    text: str
    label: str = ""
    reply: str = ""
    reply_after: timedelta | None = None


@dataclass
class Staff:
    dispatcher_by_street: dict[int, Any] = field(default_factory=dict)
    community_by_community: dict[int, Any] = field(default_factory=dict)
    handler_by_department: dict[int, Any] = field(default_factory=dict)
    operator: Any = None


def _read(name: str) -> Iterator[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def load_messages(*, limit: int | None, rng: random.Random) -> list[Message]:
    """Messages with official replies first, then labelled ones, then a share of the rest."""
    messages: list[Message] = []
    for row in _read("citizen_messages_with_replies.csv"):
        try:
            asked = datetime.fromisoformat(row["time"])
            answered = datetime.fromisoformat(row["reply_time"])
        except ValueError:
            continue
        delay = answered - asked if answered > asked else timedelta(days=3)
        messages.append(Message(title=row["title"], text=row["detail"], reply=row["reply"], reply_after=delay))
    messages += [
        Message(title=r["title"], text=r["detail"], label=r["label"]) for r in _read("citizen_messages_labeled.csv")
    ]
    unlabeled = [Message(title=r["title"], text=r["detail"]) for r in _read("citizen_messages_unlabeled.csv")]
    rng.shuffle(unlabeled)
    messages += unlabeled[:2000]
    rng.shuffle(messages)
    usable = [m for m in messages if len((m.title + m.text).strip()) >= 5]
    return usable[:limit] if limit else usable


def _classifier() -> Callable[[Message], Category | None]:
    """Labelled messages get their first-level class; the others the best keyword match (as the fallback triage)."""
    by_name = {c.name: c for c in Category.objects.filter(level=1)}
    table = category_keywords()

    def classify(message: Message) -> Category | None:
        if message.label:
            return by_name.get(message.label)
        text = message.title + message.text
        best: tuple[int, Category] | None = None
        for category, words in table:
            hits = sum(1 for word in words if word in text)
            if hits and (best is None or hits > best[0]):
                best = (hits, category)
        return best[1] if best else None

    return classify


def _first_level(category: Category | None, parents: dict[int, Category]) -> Category | None:
    while category is not None and category.parent_id is not None:
        category = parents.get(category.parent_id)
    return category


def _staff() -> Staff:
    staff = Staff()
    for post in Post.objects.filter(is_active=True).select_related("user"):
        if post.role == Role.STREET_STAFF:
            staff.dispatcher_by_street.setdefault(post.place_id, post.user)
        elif post.role == Role.COMMUNITY_STAFF:
            staff.community_by_community.setdefault(post.place_id, post.user)
        elif post.role == Role.DEPARTMENT_HANDLER and post.department_id is not None:
            staff.handler_by_department.setdefault(post.department_id, post.user)
        elif post.role == Role.DISPATCH_CENTRE and staff.operator is None:
            staff.operator = post.user
    return staff


@dataclass(frozen=True)
class Hand:
    """Who takes a step: the user, the unit they act for, their role."""

    user: Any
    unit: str
    role: str


class _Timeline:
    """The events of one matter as they are folded, with who took each and when."""

    def __init__(self, filed_at: datetime, data: dict[str, Any], calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self.snapshot = apply(Snapshot(), Action.FILE, data)
        self.events: list[dict[str, Any]] = [
            {"action": Action.FILE, "from_state": "", "to_state": self.snapshot.state, "at": filed_at, "data": data}
        ]
        self.stamps: dict[str, datetime] = {}
        self.overdue: list[tuple[str, datetime]] = []  # (stage, deadline) the sweep found passed

    def passed(self, until: datetime) -> None:
        """Note the current deadline as overdue if the sweep would have found it passed before ``until``."""
        due_at = self.snapshot.due_at
        if (
            due_at is not None
            and due_at + SWEEP_EVERY < until
            and (self.snapshot.due_stage, due_at) not in self.overdue
        ):
            self.overdue.append((self.snapshot.due_stage, due_at))

    def move(self, action: str, at: datetime, hand: Hand, data: dict[str, Any], note: str = "") -> None:
        self.passed(at)
        before = self.snapshot.state
        after = apply(self.snapshot, action, data)
        planned = plan_move(
            before=self.snapshot, after=after, action=action, data=data, when=at, calendar=self.calendar
        )
        if planned:  # the deadlines the service would set, as matter_transition does
            data = {**data, **planned}
            after = with_supervision(after, action, data)
        self.snapshot = after
        self.events.append(
            {
                "action": action,
                "from_state": before,
                "to_state": self.snapshot.state,
                "at": at,
                "data": data,
                "note": note,
                "actor": hand.user,
                "actor_unit": hand.unit,
                "actor_role": hand.role,
            }
        )


def demo_matters_build(  # noqa: PLR0915 — the year of matters, built in one pass
    *, seed: int = DEFAULT_SEED, limit: int | None = None, log: Callable[[str], None] = print
) -> int:
    """File and move the demo matters; returns how many were made. Runs in one transaction."""
    rng = random.Random(seed)
    messages = load_messages(limit=limit, rng=rng)
    grids = list(Place.objects.filter(level=PlaceLevel.GRID).order_by("code"))
    if not grids:
        log("No grids: build the demo city first.")
        return 0
    places = {
        p.pk: p for p in Place.objects.filter(level__in=[PlaceLevel.COMMUNITY, PlaceLevel.STREET, PlaceLevel.DISTRICT])
    }
    by_code = {p.code: p for p in places.values()}
    buildings: dict[int, list[Place]] = defaultdict(list)
    for microgrid in Place.objects.filter(level=PlaceLevel.MICROGRID).only("pk", "parent_id", "latitude", "longitude"):
        buildings[microgrid.parent_id or 0].append(microgrid)
    departments: dict[tuple[int, str], Department] = {}
    for candidate in Department.objects.filter(is_active=True):
        for name in DEPARTMENT_FOR_CLASS.values():
            if name in candidate.name:
                departments.setdefault((candidate.place_id, name), candidate)
    staff = _staff()
    calendar = WorkCalendar.load()
    classify = _classifier()
    parents = {c.pk: c for c in Category.objects.all()}
    now = timezone.now()
    start = now - timedelta(days=365)
    dated = sorted(
        ((start + timedelta(seconds=rng.uniform(0, 365 * 86400 - 3600)), m) for m in messages), key=lambda x: x[0]
    )
    numbers: Counter[date] = Counter()
    matters: list[Matter] = []
    timelines: list[_Timeline] = []
    for filed_at, message in dated:
        grid = rng.choice(grids)
        district, street, community = (by_code[code] for code in grid.ancestor_codes()[-3:])
        category = classify(message)
        first = _first_level(category, parents)
        short = DEPARTMENT_FOR_CLASS.get(first.name) if first else None
        department: Department | None = departments.get((district.pk, short)) if short else None
        kind = category.default_kind if category else MatterKind.PERSONAL
        if department is not None:
            kind = MatterKind.PROFESSIONAL
        urgency = "urgent" if rng.random() < 0.05 else "normal"
        timeline = _Timeline(
            filed_at, {"kind": kind, "category_id": category.pk if category else None, "urgency": urgency}, calendar
        )
        _advance(
            timeline,
            rng=rng,
            now=now,
            message=message,
            department=department,
            community=community,
            street=street,
            staff=staff,
        )
        day = timezone.localtime(filed_at).date()
        numbers[day] += 1
        building: Place | None = rng.choice(buildings[grid.pk]) if buildings.get(grid.pk) else None
        anonymous = rng.random() < 0.15
        text = message.text.strip() or message.title
        stamps = {e["action"]: e["at"] for e in timeline.events}
        snap = timeline.snapshot
        matters.append(
            Matter(
                number=f"GW{day:%Y%m%d}{numbers[day]:07d}",
                channel=rng.choices([Channel.RESIDENT_WEB, Channel.HOTLINE, Channel.PATROL], weights=[55, 35, 10])[0],
                title=message.title[:100] or text[:30],
                text=text[:2000] if len(text) >= 5 else f"{message.title}：{text}"[:2000],
                category_id=snap.category_id,
                kind=snap.kind,
                urgency=snap.urgency,
                grid=grid,
                community=community,
                street=street,
                district=district,
                building=building,
                place_path=grid.path,
                latitude=(building.latitude if building else grid.latitude),
                longitude=(building.longitude if building else grid.longitude),
                reporter_name="" if anonymous else person_name(rng, male=rng.random() < 0.5),
                reporter_phone="" if anonymous else mobile_number(rng),
                is_anonymous=anonymous,
                tracking_code_hash=tracking_code_hash(f"DEMO{rng.getrandbits(40):010X}") if anonymous else "",
                state=snap.state,
                version=len(timeline.events),
                lead_place_id=snap.lead_place_id,
                lead_department_id=snap.lead_department_id,
                return_count=snap.return_count,
                reopen_count=snap.reopen_count,
                extension_pending=snap.extension_pending,
                extension_count=snap.extension_count,
                extension_days=snap.extension_days,
                consultation_recorded=snap.consultation_recorded,
                satisfaction=snap.satisfaction,
                closure_reason=snap.closure_reason,
                due_stage=snap.due_stage,
                due_at=snap.due_at,
                warn_at=snap.warn_at,
                hard_level=snap.hard_level,
                level_due=snap.level_due,
                hard_stage=snap.hard_stage,
                reply_text=next(
                    (e["data"].get("text", "") for e in reversed(timeline.events) if e["action"] == Action.REPLY), ""
                ),
                created_at=filed_at,
                dispatched_at=stamps.get(Action.OVERRULE) or stamps.get(Action.DISPATCH),
                accepted_at=stamps.get(Action.ACCEPT),
                replied_at=stamps.get(Action.REPLY),
                closed_at=stamps.get(Action.VERIFY_CLOSE) or stamps.get(Action.DISCARD),
            )
        )
        timeline.passed(now)
        matters[-1].overdue_count = len(timeline.overdue)
        timelines.append(timeline)
    with transaction.atomic():
        created = Matter.objects.bulk_create(matters, batch_size=500)
        MatterEvent.objects.bulk_create(
            (
                MatterEvent(
                    matter=matter,
                    sequence=index,
                    action=event["action"],
                    from_state=event["from_state"],
                    to_state=event["to_state"],
                    actor=event.get("actor"),
                    actor_name=str(event.get("actor") or "")[:100],
                    actor_role=event.get("actor_role", ""),
                    actor_unit=event.get("actor_unit", "")[:120],
                    at=event["at"],
                    note=event.get("note", ""),
                    data=event["data"],
                )
                for matter, timeline in zip(created, timelines, strict=True)
                for index, event in enumerate(timeline.events, start=1)
            ),
            batch_size=2000,
        )
        for day, count in numbers.items():
            DailySequence.objects.update_or_create(day=day, defaults={"last": count})
        _overdue_alerts(created, timelines)
        rebuild_rollup()  # the matters were written in bulk, past the services that keep the rollup
    states = Counter(m.state for m in matters)
    log("Demo matters: " + ", ".join(f"{MatterState(s).label} {n}" for s, n in sorted(states.items())))
    return len(matters)


def _overdue_alerts(matters: list[Matter], timelines: list[_Timeline]) -> None:
    """The red alerts the deadline sweep (every five minutes) would have raised over the year."""
    DeadlineAlert.objects.bulk_create(
        (
            DeadlineAlert(
                matter=matter,
                subject="matter",
                stage=stage,
                due_at=due_at,
                level=AlertLevel.RED,
                raised_at=due_at + SWEEP_EVERY,
            )
            for matter, timeline in zip(matters, timelines, strict=True)
            for stage, due_at in timeline.overdue
        ),
        batch_size=2000,
    )


def _advance(  # noqa: PLR0915 — one story, told in order
    timeline: _Timeline,
    *,
    rng: random.Random,
    now: datetime,
    message: Message,
    department: Department | None,
    community: Place,
    street: Place,
    staff: Staff,
) -> None:
    """Take a filed matter as far along the loop as its age and its message allow."""
    t = timeline.events[0]["at"]
    age = now - t
    if age < timedelta(hours=6) and rng.random() < 0.6:
        return
    kind = timeline.snapshot.kind
    dispatcher = Hand(staff.dispatcher_by_street.get(street.pk), street.name, Role.STREET_STAFF)
    if department is not None:
        lead: dict[str, Any] = {"lead_department_id": department.pk}
        handler = Hand(staff.handler_by_department.get(department.pk), department.name, Role.DEPARTMENT_HANDLER)
    else:
        lead = {"lead_place_id": community.pk}
        handler = Hand(staff.community_by_community.get(community.pk), community.name, Role.COMMUNITY_STAFF)
    operator = Hand(staff.operator, "", Role.DISPATCH_CENTRE)
    if not message.reply and age > timedelta(days=20) and rng.random() < 0.08:
        timeline.move(Action.DISCARD, t + timedelta(hours=3), dispatcher, {"reason": "invalid"}, "重复或无效诉求")
        return
    t += timedelta(hours=rng.uniform(0.5, 8))
    snapshot = timeline.snapshot
    dispatch = {"kind": kind, "category_id": snapshot.category_id, "urgency": snapshot.urgency, **lead, "co_units": []}
    timeline.move(Action.DISPATCH, t, dispatcher, dispatch)
    if t + timedelta(hours=4) > now or (not message.reply and age < timedelta(days=10) and rng.random() < 0.3):
        return
    if rng.random() < 0.08:
        t += timedelta(hours=rng.uniform(1, 20))
        timeline.move(Action.RETURN, t, handler, {"reason": "不属于本单位职责"}, "不属于本单位职责")
        if t + timedelta(hours=4) > now or rng.random() < 0.3:
            return
        t += timedelta(hours=rng.uniform(1, 10))
        timeline.move(Action.OVERRULE, t, dispatcher, {}, "经核实属于该单位职责")
    # Most units accept within the two working hours; some leave it to the next day.
    t += timedelta(hours=rng.uniform(0.1, 1.8) if rng.random() < 0.85 else rng.uniform(2, 24))
    timeline.move(Action.ACCEPT, t, handler, {})
    if kind == MatterKind.COMMUNITY:
        t += timedelta(days=rng.uniform(1, 5))
        meeting = {
            "date": f"{timezone.localtime(t):%Y-%m-%d}",
            "participants": "社区两委、居民代表、物业",
            "decision": "议定由社区协调物业限期整改",
        }
        timeline.move(Action.RECORD_CONSULTATION, t, handler, meeting)
    reply_at = max(
        timeline.events[0]["at"] + (message.reply_after or timedelta(days=rng.uniform(3, 20))), t + timedelta(hours=2)
    )
    if reply_at > now or not message.reply:
        if kind == MatterKind.PERSONAL and not message.reply and age > timedelta(days=30) and rng.random() < 0.4:
            timeline.move(Action.CLOSE_BY_AGREEMENT, t + timedelta(days=2), handler, {}, "经与居民沟通，居民同意结案")
        return
    timeline.move(Action.REPLY, reply_at, handler, {"text": message.reply[:2000]})
    rate_at = reply_at + timedelta(hours=rng.uniform(4, 72))
    if rate_at > now:
        return
    weights = [70, 20, 10]
    satisfaction = rng.choices([Satisfaction.SATISFIED, Satisfaction.BASICALLY, Satisfaction.UNSATISFIED], weights)[0]
    timeline.move(Action.RATE, rate_at, operator, {"satisfaction": satisfaction, "comment": ""}, "电话回访")
    if timeline.snapshot.state == MatterState.IN_PROGRESS:
        again = rate_at + timedelta(days=rng.uniform(1, 7))
        if again > now:
            return
        timeline.move(Action.REPLY, again, handler, {"text": "经复查整改，" + message.reply[:1990]})
        rate_at = again + timedelta(hours=rng.uniform(4, 48))
        if rate_at > now:
            return
        again_rating = rng.choices(
            [Satisfaction.SATISFIED, Satisfaction.BASICALLY, Satisfaction.UNSATISFIED], [3, 4, 3]
        )
        timeline.move(Action.RATE, rate_at, operator, {"satisfaction": again_rating[0], "comment": ""}, "电话回访")
    close_at = rate_at + timedelta(hours=rng.uniform(2, 48))
    if close_at < now and rng.random() < 0.92:
        timeline.move(Action.VERIFY_CLOSE, close_at, dispatcher, {}, "核查属实，予以结案")
