"""Reading matters for staff, always narrowed to the user's scope first (``Matter.objects.restrict``).

The work queue is read with keyset (seek) pagination on ``(created_at, id)`` descending: a page is "the next
50 rows older than this cursor", one index range scan that costs the same on page 1 and page 10,000, and no
query ever counts or skips the whole set. Tab counts stop at ``COUNT_CAP``.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from gridwork.accounts.roles import DEPARTMENT_SCOPED_ROLES, ROLE_PERMISSIONS, Perm, Role
from gridwork.matters.models import Category, Matter, MatterAssignment, MatterEvent, MatterPhoto, RoutingRule
from gridwork.matters.units import Unit, department_choices, lead_place_choices, unit_label
from gridwork.matters.workflow import ACTION_LABELS, Action, MatterKind, MatterState, Satisfaction
from gridwork.places.models import Department, Place, PlaceLevel

PAGE_SIZE = 50
COUNT_CAP = 999
NUMBER_RE = re.compile(r"GW\d{1,15}")
FILTER_LEVELS = (PlaceLevel.DISTRICT, PlaceLevel.STREET, PlaceLevel.COMMUNITY, PlaceLevel.GRID)
# The matter's own foreign key for each level: an equality the indexes serve, where a path prefix cannot.
LEVEL_FIELD: dict[str, str] = {
    PlaceLevel.DISTRICT: "district",
    PlaceLevel.STREET: "street",
    PlaceLevel.COMMUNITY: "community",
    PlaceLevel.GRID: "grid",
}


class QueueTab(StrEnum):
    TO_DISPATCH = "to_dispatch"
    TO_ACCEPT = "to_accept"
    IN_PROGRESS = "in_progress"
    TO_VERIFY = "to_verify"
    CLOSED = "closed"
    ALL = "all"


TAB_LABELS = {
    QueueTab.TO_DISPATCH: gettext_lazy("To dispatch"),
    QueueTab.TO_ACCEPT: gettext_lazy("To accept"),
    QueueTab.IN_PROGRESS: gettext_lazy("In progress"),
    QueueTab.TO_VERIFY: gettext_lazy("Awaiting verification"),
    QueueTab.CLOSED: gettext_lazy("Closed"),
    QueueTab.ALL: gettext_lazy("All in my area"),
}


@dataclass(frozen=True)
class HandlingUnits:
    """The units a user handles matters for: places (posts without a department) and departments."""

    place_ids: frozenset[int]
    department_ids: frozenset[int]

    def lead_q(self) -> Q:
        condition = Q(pk__in=[])
        if self.place_ids:
            condition |= Q(lead_place_id__in=self.place_ids)
        if self.department_ids:
            condition |= Q(lead_department_id__in=self.department_ids)
        return condition

    def co_handling_q(self) -> Q:
        condition = Q(pk__in=[])
        if self.place_ids:
            condition |= Q(place_id__in=self.place_ids)
        if self.department_ids:
            condition |= Q(department_id__in=self.department_ids)
        return condition


def handling_units(user: Any) -> HandlingUnits:
    """The same units ``units.user_acts_for`` accepts: a department post acts for its department, any other
    post for its place."""
    places, departments = set(), set()
    for post in getattr(user, "active_posts", []):
        if Perm.HANDLE_MATTERS not in ROLE_PERMISSIONS[post.role]:
            continue
        if post.department_id is not None:
            departments.add(post.department_id)
        else:
            places.add(post.place_id)
    return HandlingUnits(frozenset(places), frozenset(departments))


def user_may(user: Any, perm: str) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm_anywhere(perm))


def queue_tabs(user: Any) -> list[QueueTab]:
    """The tabs that can hold anything for this user: dispatching tabs for dispatchers, handling tabs for units."""
    tabs = []
    if user_may(user, Perm.DISPATCH_MATTERS):
        tabs.append(QueueTab.TO_DISPATCH)
    if user_may(user, Perm.HANDLE_MATTERS):
        tabs += [QueueTab.TO_ACCEPT, QueueTab.IN_PROGRESS]
    if user_may(user, Perm.DISPATCH_MATTERS):
        tabs.append(QueueTab.TO_VERIFY)
    return [*tabs, QueueTab.CLOSED, QueueTab.ALL]


def _scope_hint(user: Any, perm: str) -> Q:
    """An equality on the matter's grid/community/street/district key equivalent to ``restrict``'s path prefix.

    ``restrict`` stays the rule; this repeats it in a form an index can serve (``LIKE 'prefix%'`` uses no index
    on SQLite and needs a pattern operator class on PostgreSQL). A user with a city post, or a department post,
    gets no hint.
    """
    condition = Q(pk__in=[])
    for post in getattr(user, "active_posts", []):
        if perm not in ROLE_PERMISSIONS[post.role]:
            continue
        level_field = LEVEL_FIELD.get(post.place.level)
        if post.role in DEPARTMENT_SCOPED_ROLES or level_field is None:
            return Q()
        condition |= Q(**{f"{level_field}_id": post.place_id})
    return condition


def _scoped(user: Any, perm: str) -> QuerySet[Matter]:
    return Matter.objects.restrict(user, perm).filter(_scope_hint(user, perm))


EARLIEST_DAY = date.min + timedelta(days=1)
LATEST_DAY = date.max - timedelta(days=2)
DEADLINE_OVERDUE = "overdue"
DEADLINE_WARNING = "warning"


@dataclass(frozen=True)
class QueueFilters:
    category: Category | None = None
    kind: str = ""
    place: Place | None = None
    since: date | None = None
    until: date | None = None
    channel: str = ""
    urgency: str = ""
    state: str = ""
    search: str = ""
    deadline: str = ""  # DEADLINE_OVERDUE or DEADLINE_WARNING: the stored deadline against the clock


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def category_subtree_ids(category: Category) -> list[int]:
    """The category and every class under it (codes nest: C05, C05.03, C05.03.002)."""
    return list(
        Category.objects.filter(Q(code=category.code) | Q(code__startswith=f"{category.code}.")).values_list(
            "pk", flat=True
        )
    )


def _filtered(matters: QuerySet[Matter], filters: QueueFilters) -> QuerySet[Matter]:
    if filters.category is not None:
        matters = matters.filter(category_id__in=category_subtree_ids(filters.category))
    if filters.kind:
        matters = matters.filter(kind=filters.kind)
    if filters.place is not None:
        level_field = LEVEL_FIELD.get(filters.place.level)
        if level_field is None:
            matters = matters.filter(place_path__startswith=filters.place.path)
        else:
            matters = matters.filter(**{f"{level_field}_id": filters.place.pk})
    # Beyond these days a bound is no datetime in UTC; nothing was filed there, so a bound beyond them means the same.
    if filters.since is not None:
        matters = matters.filter(created_at__gte=_local_midnight(max(filters.since, EARLIEST_DAY)))
    if filters.until is not None:
        matters = matters.filter(created_at__lt=_local_midnight(min(filters.until, LATEST_DAY) + timedelta(days=1)))
    if filters.channel:
        matters = matters.filter(channel=filters.channel)
    if filters.urgency:
        matters = matters.filter(urgency=filters.urgency)
    if filters.state:
        matters = matters.filter(state=filters.state)
    if filters.deadline == DEADLINE_OVERDUE:
        matters = matters.filter(due_at__lte=timezone.now())
    elif filters.deadline == DEADLINE_WARNING:
        now = timezone.now()
        matters = matters.filter(warn_at__lte=now, due_at__gt=now)
    search = filters.search.strip()
    if search:
        number = search.upper()
        if NUMBER_RE.fullmatch(number):
            # A number prefix as a range on the unique index: GW2026 ≤ number < GW2027.
            upper = number[:-1] + chr(ord(number[-1]) + 1)
            matters = matters.filter(number__gte=number, number__lt=upper)
        else:
            matters = matters.filter(Q(title__icontains=search) | Q(text__icontains=search))
    return matters


def _tab_queryset(user: Any, tab: QueueTab) -> QuerySet[Matter]:
    if tab == QueueTab.TO_DISPATCH:
        return _scoped(user, Perm.DISPATCH_MATTERS).filter(state__in=[MatterState.SUBMITTED, MatterState.RETURNED])
    if tab == QueueTab.TO_VERIFY:
        return _scoped(user, Perm.DISPATCH_MATTERS).filter(state__in=[MatterState.REPLIED, MatterState.TO_VERIFY])
    visible = _scoped(user, Perm.VIEW_MATTERS)
    units = handling_units(user)
    if tab == QueueTab.TO_ACCEPT:
        return visible.filter(units.lead_q(), state=MatterState.DISPATCHED)
    if tab == QueueTab.IN_PROGRESS:
        # An uncorrelated IN (not EXISTS): each side of the OR can then use its own index.
        co_handled = MatterAssignment.objects.filter(units.co_handling_q()).values("matter_id")
        return visible.filter(units.lead_q() | Q(pk__in=co_handled), state=MatterState.IN_PROGRESS)
    if tab == QueueTab.CLOSED:
        return visible.filter(state=MatterState.CLOSED)
    return visible


def matter_queue(*, user: Any, tab: QueueTab, filters: QueueFilters | None = None) -> QuerySet[Matter]:
    """The matters of one tab of the user's work queue, newest first, with what the queue table shows."""
    matters = _filtered(_tab_queryset(user, tab), filters or QueueFilters())
    return matters.select_related("category", "community", "grid", "lead_place", "lead_department").order_by(
        "-created_at", "-id"
    )


@dataclass(frozen=True)
class TabCount:
    tab: QueueTab
    label: str
    count: int
    capped: bool

    @property
    def display(self) -> str:
        return f"{COUNT_CAP}+" if self.capped else str(self.count)


def matter_tab_counts(*, user: Any) -> list[TabCount]:
    """How many matters each tab holds, counting at most ``COUNT_CAP + 1`` rows per tab (a LIMIT-ed subquery)."""
    counts = []
    for tab in queue_tabs(user):
        count = _tab_queryset(user, tab).order_by().values("pk")[: COUNT_CAP + 1].count()
        counts.append(TabCount(tab, str(TAB_LABELS[tab]), min(count, COUNT_CAP), count > COUNT_CAP))
    return counts


@dataclass(frozen=True)
class KeysetPage:
    """One page of a keyset-paginated queue and the opaque cursors of its neighbours."""

    items: list[Matter]
    next_cursor: str = ""
    previous_cursor: str = ""

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)

    @property
    def has_previous(self) -> bool:
        return bool(self.previous_cursor)


def encode_cursor(matter: Matter) -> str:
    stamp = int(matter.created_at.timestamp() * 1_000_000)
    return base64.urlsafe_b64encode(f"{stamp}.{matter.pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    """The (created_at, id) a cursor stands for, or None for anything that is not a cursor of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        stamp, pk = raw.split(".")
        when = datetime.fromtimestamp(int(stamp) / 1_000_000, tz=UTC)
        return when, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError, OverflowError, OSError):
        return None


def matter_page(matters: QuerySet[Matter], *, after: str = "", before: str = "", size: int = PAGE_SIZE) -> KeysetPage:
    """A page of ``matters`` (ordered newest first) after or before a cursor, reading ``size + 1`` rows.

    The seek condition is written ``created_at <= c AND (created_at < c OR id < i)``: its first half is a range
    an index on ``created_at`` starts from, the second only drops the ties at ``c``.
    """
    key = decode_cursor(before) if before else None
    if key is not None:
        at, pk = key
        newer = matters.filter(Q(created_at__gte=at) & (Q(created_at__gt=at) | Q(pk__gt=pk)))
        rows = list(newer.order_by("created_at", "id")[: size + 1])
        has_previous = len(rows) > size
        rows = rows[:size][::-1]
        if not rows:
            return matter_page(matters, size=size)
        return KeysetPage(
            items=rows,
            next_cursor=encode_cursor(rows[-1]),
            previous_cursor=encode_cursor(rows[0]) if has_previous else "",
        )
    key = decode_cursor(after) if after else None
    if key is not None:
        at, pk = key
        matters = matters.filter(Q(created_at__lte=at) & (Q(created_at__lt=at) | Q(pk__lt=pk)))
    rows = list(matters[: size + 1])
    has_next = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        items=rows,
        next_cursor=encode_cursor(rows[-1]) if has_next else "",
        previous_cursor=encode_cursor(rows[0]) if key is not None and rows else "",
    )


def matter_get(*, user: Any, number: str) -> Matter:
    """The matter with this number if the user may see it; 404 otherwise, whether it exists or not."""
    matter = (
        Matter.objects.restrict(user, Perm.VIEW_MATTERS)
        .filter(number=number.strip().upper())
        .select_related(
            "category__parent__parent",
            "grid",
            "community",
            "street",
            "district",
            "building",
            "lead_place",
            "lead_department",
            "reporter",
            "duplicate_of",
        )
        .first()
    )
    if matter is None:
        raise Http404
    return matter


def matter_find_visible(*, user: Any, number: str) -> Matter | None:
    """A matter the user may see, by number, or None (for naming the matter a duplicate repeats)."""
    return Matter.objects.restrict(user, Perm.VIEW_MATTERS).filter(number=number.strip().upper()).first()


def matter_photo_get(*, user: Any, number: str, photo_id: int) -> MatterPhoto:
    matter = matter_get(user=user, number=number)
    photo = MatterPhoto.objects.filter(matter=matter, pk=photo_id).first()
    if photo is None:
        raise Http404
    return photo


def matter_may_dispatch(*, user: Any, matter: Matter) -> bool:
    return Matter.objects.restrict(user, Perm.DISPATCH_MATTERS).filter(pk=matter.pk).exists()


def matter_co_units(matter: Matter) -> list[str]:
    return [
        unit_label(assignment.place, assignment.department)
        for assignment in matter.assignments.select_related("place", "department").order_by("id")
    ]


@dataclass
class TimelineEntry:
    event: MatterEvent
    label: str
    role: str
    from_state: str
    to_state: str
    details: list[tuple[str, str]] = field(default_factory=list)
    photos: list[MatterPhoto] = field(default_factory=list)


def _unit_names(events: Iterable[MatterEvent]) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    place_ids: set[int] = set()
    department_ids: set[int] = set()
    category_ids: set[int] = set()
    for event in events:
        data = event.data or {}
        pairs = [(data.get("lead_place_id"), data.get("lead_department_id")), *data.get("co_units", [])]
        for place_id, department_id in pairs:
            if place_id:
                place_ids.add(place_id)
            if department_id:
                department_ids.add(department_id)
        if data.get("category_id"):
            category_ids.add(data["category_id"])
        suggestion = data.get("suggestion") or {}
        if suggestion.get("category_id"):
            category_ids.add(suggestion["category_id"])
    return (
        dict(Place.objects.filter(pk__in=place_ids).values_list("pk", "name")),
        dict(Department.objects.filter(pk__in=department_ids).values_list("pk", "name")),
        dict(Category.objects.filter(pk__in=category_ids).values_list("pk", "name")),
    )


def _state_label(state: str) -> str:
    return str(MatterState(state).label) if state in MatterState.values else state


def _choice_label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def matter_timeline(*, matter: Matter) -> list[TimelineEntry]:
    """The matter's events in order, each with what its data says in words and the photos it added."""
    events = list(MatterEvent.objects.filter(matter=matter).order_by("sequence"))
    places, departments, categories = _unit_names(events)
    photos: dict[int | None, list[MatterPhoto]] = {}
    for photo in MatterPhoto.objects.filter(matter=matter).order_by("id"):
        photos.setdefault(photo.event_id, []).append(photo)
    duplicates = dict(
        Matter.objects.filter(
            pk__in=[e.data.get("duplicate_of_id") for e in events if e.data.get("duplicate_of_id")]
        ).values_list("pk", "number")
    )

    def unit_name(place_id: int | None, department_id: int | None) -> str:
        return departments.get(department_id or 0) or places.get(place_id or 0) or "—"

    timeline = []
    for event in events:
        data = event.data or {}
        details: list[tuple[str, str]] = []
        if event.action in {Action.FILE, Action.DISPATCH}:
            if data.get("category_id"):
                details.append((str(gettext_lazy("Category")), categories.get(data["category_id"], "—")))
            if data.get("kind"):
                details.append((str(gettext_lazy("Kind")), _choice_label(MatterKind, data["kind"])))
        if event.action == Action.DISPATCH:
            details.append(
                (str(gettext_lazy("Lead unit")), unit_name(data.get("lead_place_id"), data.get("lead_department_id")))
            )
            if data.get("co_units"):
                details.append(
                    (
                        str(gettext_lazy("Co-handling units")),
                        "、".join(unit_name(place_id, department_id) for place_id, department_id in data["co_units"]),
                    )
                )
        if event.action == Action.REQUEST_EXTENSION:
            details.append((str(gettext_lazy("Days asked for")), str(data.get("days", ""))))
        if event.action == Action.DECIDE_EXTENSION:
            approved = bool(data.get("approved"))
            details.append(
                (
                    str(gettext_lazy("Decision")),
                    str(gettext_lazy("Approved")) if approved else str(gettext_lazy("Refused")),
                )
            )
            if approved:
                details.append((str(gettext_lazy("Days granted")), str(data.get("days", ""))))
        if event.action == Action.RECORD_CONSULTATION:
            details += [
                (str(gettext_lazy("Date of the consultation")), str(data.get("date", ""))),
                (str(gettext_lazy("Participants")), str(data.get("participants", ""))),
                (str(gettext_lazy("Decision")), str(data.get("decision", ""))),
            ]
        if event.action == Action.REPLY and data.get("text"):
            details.append((str(gettext_lazy("Reply")), str(data["text"])))
        if event.action == Action.RATE:
            details.append((str(gettext_lazy("Rating")), _choice_label(Satisfaction, data.get("satisfaction", ""))))
        if event.action == Action.DISCARD:
            details.append((str(gettext_lazy("Reason")), _discard_reason_label(data.get("reason", ""))))
            if data.get("duplicate_of_id"):
                details.append((str(gettext_lazy("Duplicate of")), duplicates.get(data["duplicate_of_id"], "—")))
        timeline.append(
            TimelineEntry(
                event=event,
                label=str(ACTION_LABELS.get(event.action, event.action)),
                role=_role_label(event.actor_role),
                from_state=_state_label(event.from_state) if event.from_state else "",
                to_state=_state_label(event.to_state),
                details=details,
                photos=photos.get(event.pk, []),
            )
        )
    return timeline


def _role_label(role: str) -> str:
    if role in {"resident", "reporter"}:
        return str(gettext_lazy("Resident"))
    return _choice_label(Role, role) if role else ""


def _discard_reason_label(reason: str) -> str:
    from gridwork.matters.workflow import ClosureReason

    return _choice_label(ClosureReason, reason)


@dataclass(frozen=True)
class TriageView:
    """The suggestion stored when the matter was filed, in words, for the dispatcher."""

    category: Category | None
    kind: str
    unit: str
    unit_key: str
    confidence: float
    reasons: list[str]

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)


def matter_triage_suggestion(*, matter: Matter) -> TriageView | None:
    event = MatterEvent.objects.filter(matter=matter, action=Action.FILE).only("data").first()
    suggestion = (event.data or {}).get("suggestion") if event is not None else None
    if not suggestion:
        return None
    category = (
        Category.objects.filter(pk=suggestion.get("category_id")).first() if suggestion.get("category_id") else None
    )
    unit_pair = suggestion.get("unit") or [None, None]
    unit = Unit(place_id=unit_pair[0], department_id=unit_pair[1])
    return TriageView(
        category=category,
        kind=_choice_label(MatterKind, suggestion.get("kind", "")) if suggestion.get("kind") else "",
        unit=_unit_text(unit),
        unit_key=unit_key(unit),
        confidence=float(suggestion.get("confidence") or 0),
        reasons=[str(reason) for reason in suggestion.get("reasons") or []],
    )


def unit_key(unit: Unit | None) -> str:
    """The form value of a unit: ``p:<place id>`` or ``d:<department id>``."""
    if unit is None:
        return ""
    if unit.department_id is not None:
        return f"d:{unit.department_id}"
    return f"p:{unit.place_id}" if unit.place_id is not None else ""


def _unit_text(unit: Unit) -> str:
    if unit.department_id is not None:
        return Department.objects.filter(pk=unit.department_id).values_list("name", flat=True).first() or ""
    if unit.place_id is not None:
        return Place.objects.filter(pk=unit.place_id).values_list("name", flat=True).first() or ""
    return ""


def matter_unit_choices(*, matter: Matter) -> list[tuple[str, list[tuple[str, str]]]]:
    """The units that may lead or co-handle this matter, grouped for a select: places, then departments."""
    places = [
        (f"p:{place.pk}", f"{place.name} · {place.get_level_display()}") for place in lead_place_choices(matter.grid)
    ]
    departments = [
        (f"d:{department.pk}", f"{department.name} ({department.place.name})")
        for department in department_choices(matter.grid)
    ]
    return [
        (str(gettext_lazy("Places (grid, community, street, district)")), places),
        (str(gettext_lazy("Departments")), departments),
    ]


def category_list(*, active_only: bool = True, level: int | None = None, parent_code: str = "") -> QuerySet[Category]:
    """The taxonomy, in its order: open to every signed-in user (it names classes, not matters)."""
    categories = Category.objects.select_related("parent").order_by("sort_order", "code")
    if active_only:
        categories = categories.filter(is_active=True)
    if level is not None:
        categories = categories.filter(level=level)
    if parent_code:
        categories = categories.filter(parent__code=parent_code)
    return categories


def category_get(*, code: str) -> Category:
    category = Category.objects.select_related("parent").filter(code=code).first()
    if category is None:
        raise Http404
    return category


def category_choices(*, value: str = "pk") -> list[tuple[str, list[tuple[str, str]]]]:
    """Active categories grouped by their first level, for a select: ``value`` is "pk" or "code"."""
    groups: dict[int, tuple[str, list[tuple[str, str]]]] = {}
    categories = list(Category.objects.filter(is_active=True).order_by("sort_order", "code"))
    by_pk = {category.pk: category for category in categories}
    for category in categories:
        top = category
        chain = [category.name]
        while top.parent_id is not None and top.parent_id in by_pk:
            top = by_pk[top.parent_id]
            chain.insert(0, top.name)
        group = groups.setdefault(top.pk, (top.name, []))
        label = " › ".join(chain[1:]) if len(chain) > 1 else str(gettext_lazy("(all of %(name)s)") % {"name": top.name})
        group[1].append((str(getattr(category, value)), label))
    return list(groups.values())


def matter_place_filter_choices(*, user: Any) -> list[tuple[str, list[tuple[str, str]]]]:
    """Streets and communities in the user's scope, for the queue's place filter (at most a few hundred)."""
    places = (
        Place.objects.restrict(user, Perm.VIEW_MATTERS)
        .filter(level__in=[PlaceLevel.DISTRICT, PlaceLevel.STREET, PlaceLevel.COMMUNITY])
        .order_by("path")
        .only("code", "name", "level")[:2000]
    )
    groups: dict[str, list[tuple[str, str]]] = {}
    for place in places:
        groups.setdefault(str(place.get_level_display()), []).append((place.code, place.name))
    return list(groups.items())


def matter_filter_place(*, user: Any, code: str) -> Place | None:
    """The place a queue is filtered to, if it is a handling level inside the user's scope."""
    return Place.objects.restrict(user, Perm.VIEW_MATTERS).filter(code=code.strip(), level__in=FILTER_LEVELS).first()


def matter_extension_requested_days(*, matter: Matter) -> int:
    """The days asked for in the waiting extension request (0 when none waits)."""
    if not matter.extension_pending:
        return 0
    event = (
        MatterEvent.objects.filter(matter=matter, action=Action.REQUEST_EXTENSION)
        .order_by("-sequence")
        .only("data")
        .first()
    )
    return int((event.data or {}).get("days", 0)) if event is not None else 0


# --- routing rules ---------------------------------------------------------------------------------------


def routing_rule_list(*, user: Any, search: str = "") -> QuerySet[RoutingRule]:
    """Rules whose area lies under a unit where the user manages routing, by area then category."""
    rules = RoutingRule.objects.restrict(user, Perm.MANAGE_ROUTING).select_related(
        "category", "place", "lead_place", "lead_department"
    )
    if search:
        rules = rules.filter(
            Q(place__name__icontains=search)
            | Q(place__code__startswith=search)
            | Q(category__name__icontains=search)
            | Q(category__code__startswith=search)
        )
    return rules.order_by("place__path", "category__code", "id")


def routing_rule_get(*, user: Any, pk: int) -> RoutingRule:
    rule = routing_rule_list(user=user).filter(pk=pk).first()
    if rule is None:
        raise Http404
    return rule


def routing_area_choices(*, user: Any) -> QuerySet[Place]:
    """Places (city to community) where the user may set routing rules."""
    return (
        Place.objects.restrict(user, Perm.MANAGE_ROUTING)
        .filter(level__in=[PlaceLevel.CITY, PlaceLevel.DISTRICT, PlaceLevel.STREET, PlaceLevel.COMMUNITY])
        .order_by("path")
    )


def routing_unit_choices(*, user: Any) -> list[tuple[str, list[tuple[str, str]]]]:
    """Lead units a rule of the user's may name: handling places in or above their scope, and the departments
    whose jurisdiction is in or above it. The service checks each against the rule's area."""
    paths = user.scope_paths(Perm.MANAGE_ROUTING) if getattr(user, "is_authenticated", False) else []
    ancestor_codes = {code for path in paths for code in path.split("/") if code}
    handling = [PlaceLevel.GRID, PlaceLevel.COMMUNITY, PlaceLevel.STREET, PlaceLevel.DISTRICT]
    places = Place.objects.filter(
        Q(code__in=ancestor_codes) | Q(pk__in=Place.objects.restrict(user, Perm.MANAGE_ROUTING).values("pk")),
        level__in=[level for level in handling if level != PlaceLevel.GRID],
    ).order_by("path")[:2000]
    departments = (
        Department.objects.filter(
            Q(place__code__in=ancestor_codes)
            | Q(pk__in=Department.objects.restrict(user, Perm.MANAGE_ROUTING).values("pk")),
            is_active=True,
        )
        .select_related("place")
        .order_by("place__path", "code")
    )
    return [
        (
            str(gettext_lazy("Places (community, street, district)")),
            [(f"p:{place.pk}", f"{place.name} · {place.get_level_display()}") for place in places],
        ),
        (
            str(gettext_lazy("Departments")),
            [(f"d:{department.pk}", f"{department.name} ({department.place.name})") for department in departments],
        ),
    ]


def routing_grid_choices(*, user: Any, limit: int = 2000) -> list[Place]:
    """Grids in the user's routing scope, for the "test a rule" box."""
    return list(
        Place.objects.restrict(user, Perm.MANAGE_ROUTING)
        .filter(level=PlaceLevel.GRID)
        .select_related("parent")
        .order_by("path")[:limit]
    )


def routing_test_grid(*, user: Any, code: str) -> Place | None:
    return Place.objects.restrict(user, Perm.MANAGE_ROUTING).filter(code=code.strip(), level=PlaceLevel.GRID).first()


@dataclass(frozen=True)
class RouteCandidate:
    rule: RoutingRule
    wins: bool


@dataclass(frozen=True)
class RouteExplanation:
    """What ``triage.route`` gives for a grid and a category, with the rules that apply, the winner first."""

    grid: Place
    category: Category | None
    unit: str
    candidates: list[RouteCandidate]


def routing_explain(*, grid: Place, category: Category | None) -> RouteExplanation:
    """The unit the routing gives, and why: the applicable rules, the winning one first (``triage.route``'s order)."""
    from gridwork.matters.triage import applicable_rules

    rules = applicable_rules(category=category, grid=grid)
    return RouteExplanation(
        grid=grid,
        category=category,
        unit=unit_label(rules[0].lead_place, rules[0].lead_department) if rules else "",
        candidates=[RouteCandidate(rule=rule, wins=index == 0) for index, rule in enumerate(rules)],
    )
