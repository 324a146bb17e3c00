"""查重: the open matters that are likely the same problem as a text being filed, and the per-category rules.

A candidate is an open matter (not closed, so not discarded either) filed within the policy's window, at the same
place and alike in text:

- **Place.** When both have coordinates, within the policy's radius. When either has none (a building without
  coordinates, an operator who has not put the pin yet), the same grid counts as near, and the same community (a
  neighbouring grid) counts only with a stricter text likeness (``COMMUNITY_STRICTER`` more). Without coordinates
  and without a grid nothing is searched.
- **Text.** The mean of ``similarity.similarity`` over the whole texts and of the same measure over the *problem*
  words only: place words (东门, 楼下), time words (好几天, 晚上) and filler (请尽快处理) are dropped from the second,
  since place and time are judged by the radius and the window already. Without it "东门路灯坏了好几天" and
  "东门垃圾桶满了好几天" look as alike as two wordings of the broken lamp.
- **Rules.** A category's ``DuplicatePolicy`` row holds for it and its descendants (the nearest row up the chain);
  without one the field defaults hold. The text's category decides; a text without a category (a resident typing)
  is judged against each candidate's own category's rule.

Candidates are narrowed in SQL first (open states, the window, a bounding box of the radius or the community, the
user's scope), newest first and at most ``SCAN_LIMIT`` rows, so that the text comparison in Python stays small
whatever the number of matters. They are ranked by a score of likeness, nearness and recency, and each carries its
reasons (how alike, how far, how long ago).
"""

from __future__ import annotations

import contextlib
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.audit.services import audit_record
from gridwork.matters.models import Category, Matter
from gridwork.matters.workflow import MatterKind, MatterState
from gridwork.places.locating import InvalidCoordinatesError, OutsideServiceAreaError, locate, parse_coordinates
from gridwork.places.models import Place, PlaceLevel
from gridwork.places.selectors import building_by_code
from gridwork.triage.models import DuplicatePolicy
from gridwork.triage.similarity import cosine, distance_m, shingles

SCAN_LIMIT = 400  # the newest candidates compared in Python, at most
COMPARED_CHARACTERS = 1000  # of each candidate's text: the problem is said in the first lines
TEXT_MIN = 6  # fewer characters say too little to compare
COMMUNITY_STRICTER = 0.15  # a neighbouring grid, distance unknown: this much more text likeness
METRES_PER_DEGREE = 111_320.0
OPEN_STATES = tuple(state for state in MatterState.values if state != MatterState.CLOSED)
# The weights of the rank: text likeness first, then nearness, then recency.
WEIGHT_TEXT, WEIGHT_NEAR, WEIGHT_RECENT = 0.6, 0.25, 0.15
NEARNESS_SAME_GRID, NEARNESS_SAME_COMMUNITY = 0.5, 0.25

# Characters that say where or when, or that every message has: a bigram made only of these tells nothing about
# which problem a text is about. The function characters repeat ``similarity``'s own list.
_CONTEXT_CHARS = frozenset(
    "东西南北门口边旁附近前后里外内楼栋单元号层小区社院街道路巷"  # where
    "天晚早上下午夜几已经一直好多总常每最近现今年月日时"  # when and how often
    "请尽快处理解决希望相关部门严重影响居民业主大家情况问题反映"  # filler of complaints
    "的了是在我们你他她它有和就不都也很到要与及等对为这那被把让给请问吗呢啊您好"  # function characters
)


@dataclass(frozen=True)
class Thresholds:
    """How alike, how near and how recent a matter must be to be a likely duplicate."""

    min_similarity: float
    radius_m: int
    window_days: int


def _field_default(name: str) -> Any:
    field = DuplicatePolicy._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field.default


DEFAULT_THRESHOLDS = Thresholds(
    min_similarity=float(_field_default("min_similarity")),
    radius_m=int(_field_default("radius_m")),
    window_days=int(_field_default("window_days")),
)


@dataclass(frozen=True)
class Candidate:
    """A likely duplicate and why: text likeness (0–1), distance in metres (None: judged by grid or community),
    how the place was judged (``distance``, ``grid``, ``community``), days since it was filed, and the rank score."""

    matter: Matter
    similarity: float
    distance_m: float | None
    place_match: str
    days_ago: int
    score: float

    @property
    def percent(self) -> int:
        return round(self.similarity * 100)

    @property
    def distance_label(self) -> str:
        if self.distance_m is not None:
            return _("%(metres)d m away") % {"metres": round(self.distance_m)}
        return _("in the same grid") if self.place_match == "grid" else _("in the same community")

    @property
    def days_label(self) -> str:
        if self.days_ago == 0:
            return _("filed today")
        return _("filed %(days)d days ago") % {"days": self.days_ago}

    @property
    def reason(self) -> str:
        """一句话: why it is shown, e.g. "text 72% alike · 48 m away · filed 3 days ago"."""
        return " · ".join(
            (_("text %(percent)d%% alike") % {"percent": self.percent}, self.distance_label, self.days_label)
        )


# --- the rules --------------------------------------------------------------------------------------------


def _thresholds(row: DuplicatePolicy) -> Thresholds:
    return Thresholds(min_similarity=row.min_similarity, radius_m=row.radius_m, window_days=row.window_days)


def thresholds_by_category(category_ids: Iterable[int]) -> dict[int, Thresholds]:
    """The rule of each category: its own row, or the nearest ancestor's; categories without one are left out
    (they use ``DEFAULT_THRESHOLDS``). A few queries whatever the number of categories: one per level."""
    rows = {row.category_id: _thresholds(row) for row in DuplicatePolicy.objects.all()}
    starts = {pk for pk in category_ids if pk is not None}
    if not rows or not starts:
        return {}
    parents: dict[int, int | None] = {}
    pending = set(starts)
    while pending:
        found = dict(Category.objects.filter(pk__in=pending).values_list("pk", "parent_id"))
        parents.update(found)
        pending = {parent for parent in found.values() if parent is not None and parent not in parents}
        pending -= set(found)
    rules: dict[int, Thresholds] = {}
    for start in starts:
        current: int | None = start
        seen: set[int] = set()
        while current is not None and current not in seen:
            if current in rows:
                rules[start] = rows[current]
                break
            seen.add(current)
            current = parents.get(current)
    return rules


def thresholds_for(category: Category | None) -> Thresholds:
    """The rule that holds for ``category`` (walking up its parents), or the defaults."""
    if category is None:
        return DEFAULT_THRESHOLDS
    return thresholds_by_category([category.pk]).get(category.pk, DEFAULT_THRESHOLDS)


def _widest() -> Thresholds:
    """The largest radius and window of any rule: what SQL must include when each candidate's own rule decides."""
    widest = DuplicatePolicy.objects.aggregate(radius=Max("radius_m"), window=Max("window_days"))
    return Thresholds(
        min_similarity=0.0,
        radius_m=max(DEFAULT_THRESHOLDS.radius_m, widest["radius"] or 0),
        window_days=max(DEFAULT_THRESHOLDS.window_days, widest["window"] or 0),
    )


# --- the text ---------------------------------------------------------------------------------------------


def _problem(whole: Counter[str]) -> Counter[str]:
    """The shingles without the grams made only of place, time and filler characters."""
    return Counter({gram: count for gram, count in whole.items() if not set(gram) <= _CONTEXT_CHARS})


@dataclass(frozen=True)
class _Text:
    whole: Counter[str]
    problem: Counter[str]

    @classmethod
    def of(cls, text: str) -> _Text:
        whole = shingles(text)
        return cls(whole=whole, problem=_problem(whole))

    def likeness(self, other: _Text) -> float:
        return (cosine(self.whole, other.whole) + cosine(self.problem, other.problem)) / 2


def text_likeness(a: str, b: str) -> float:
    """How alike two texts are as descriptions of a problem, 0–1 (see the module's docstring)."""
    return _Text.of(a).likeness(_Text.of(b))


# --- the finder -------------------------------------------------------------------------------------------


def _bounding_box(latitude: float, longitude: float, radius_m: float) -> Q:
    dlat = radius_m / METRES_PER_DEGREE
    dlng = radius_m / (METRES_PER_DEGREE * max(math.cos(math.radians(latitude)), 0.01))
    return Q(
        latitude__range=(latitude - dlat, latitude + dlat),
        longitude__range=(longitude - dlng, longitude + dlng),
    )


def _area_q(latitude: float | None, longitude: float | None, grid: Place | None, radius_m: float) -> Q | None:
    """Where candidates may lie: the radius's bounding box (and, for matters without coordinates, the community),
    or the community when the text has no coordinates; None when there is nothing to search by."""
    community_id = grid.parent_id if grid is not None else None
    if latitude is not None and longitude is not None:
        area = _bounding_box(latitude, longitude, radius_m)
        if community_id is not None:
            area |= Q(community_id=community_id, latitude__isnull=True)
        return area
    if community_id is not None:
        return Q(community_id=community_id)
    return None


def candidate_queryset(
    *,
    latitude: float | None,
    longitude: float | None,
    grid: Place | None,
    since: datetime,
    until: datetime,
    radius_m: float,
    exclude_id: int | None = None,
    visible_to: Any = None,
    public: bool = False,
) -> QuerySet[Matter]:
    """The open matters filed in [since, until] in the area, newest first, in ``visible_to``'s scope if given;
    ``public`` leaves out personal matters (个事), which are nobody else's business."""
    area = _area_q(latitude, longitude, grid, radius_m)
    if area is None:
        return Matter.objects.none()
    matters = Matter.objects.all()
    if visible_to is not None:
        matters = matters.restrict(visible_to, Perm.VIEW_MATTERS)
    matters = matters.filter(area, state__in=OPEN_STATES, created_at__gte=since, created_at__lte=until)
    if exclude_id is not None:
        matters = matters.exclude(pk=exclude_id)
    if public:
        matters = matters.exclude(kind=MatterKind.PERSONAL)
    return matters.select_related("category").order_by("-created_at", "-id")


def _place_match(
    matter: Matter, latitude: float | None, longitude: float | None, grid: Place | None, rule: Thresholds
) -> tuple[str, float | None, float] | None:
    """How the candidate is near: (``distance``, metres, nearness 0–1), (``grid``/``community``, None, nearness);
    None when it is not near enough."""
    if latitude is not None and longitude is not None and matter.latitude is not None and matter.longitude is not None:
        metres = distance_m(latitude, longitude, matter.latitude, matter.longitude)
        if metres > rule.radius_m:
            return None
        return "distance", metres, 1.0 - metres / max(rule.radius_m, 1)
    if grid is None:
        return None
    if matter.grid_id == grid.pk:
        return "grid", None, NEARNESS_SAME_GRID
    if matter.community_id == grid.parent_id:
        return "community", None, NEARNESS_SAME_COMMUNITY
    return None


def likely_duplicates(
    *,
    text: str,
    latitude: float | None,
    longitude: float | None,
    grid: Place | None,
    category: Category | None = None,
    now: datetime | None = None,
    exclude_id: int | None = None,
    limit: int = 5,
    visible_to: Any = None,
    public: bool = False,
) -> list[Candidate]:
    """The open matters most likely to be the same problem as ``text`` at this place, best first (at most
    ``limit``). ``visible_to`` (a staff user) keeps only matters in their scope; without it every matter is
    searched, for callers that show no more than the public may see (``public``: no personal matters either,
    and only ``public_candidate`` of each)."""
    text = text.strip()
    if len(text) < TEXT_MIN:
        return []
    now = now or timezone.now()
    own_rule = thresholds_for(category) if category is not None else None
    # The public's look-up stays within the default reach, so one wide rule cannot make every keystroke scan a city.
    reach = own_rule or (DEFAULT_THRESHOLDS if public else _widest())
    matters = list(
        candidate_queryset(
            latitude=latitude,
            longitude=longitude,
            grid=grid,
            since=now - timedelta(days=reach.window_days),
            until=now,
            radius_m=reach.radius_m,
            exclude_id=exclude_id,
            visible_to=visible_to,
            public=public,
        )[:SCAN_LIMIT]
    )
    if not matters:
        return []
    rules = {} if own_rule is not None else thresholds_by_category(m.category_id for m in matters if m.category_id)
    mine = _Text.of(text)
    found = []
    for matter in matters:
        rule = own_rule or rules.get(matter.category_id or 0, DEFAULT_THRESHOLDS)
        age = now - matter.created_at
        if age > timedelta(days=rule.window_days):
            continue
        place = _place_match(matter, latitude, longitude, grid, rule)
        if place is None:
            continue
        kind, metres, nearness = place
        needed = rule.min_similarity + (COMMUNITY_STRICTER if kind == "community" else 0.0)
        likeness = mine.likeness(_Text.of(matter.text[:COMPARED_CHARACTERS]))
        if likeness < needed:
            continue
        recency = max(0.0, 1.0 - age / timedelta(days=max(rule.window_days, 1)))
        found.append(
            Candidate(
                matter=matter,
                similarity=likeness,
                distance_m=metres,
                place_match=kind,
                days_ago=age.days,
                score=WEIGHT_TEXT * likeness + WEIGHT_NEAR * nearness + WEIGHT_RECENT * recency,
            )
        )
    found.sort(key=lambda c: (-c.score, -c.matter.created_at.timestamp(), -c.matter.pk))
    return found[:limit]


def matter_likely_duplicates(
    *, matter: Matter, user: Any, now: datetime | None = None, limit: int = 5
) -> list[Candidate]:
    """The likely duplicates of a filed matter that ``user`` may see (for the dispatcher's page and the receipt)."""
    latitude = matter.latitude if matter.latitude is not None else getattr(matter.building, "latitude", None)
    longitude = matter.longitude if matter.longitude is not None else getattr(matter.building, "longitude", None)
    return likely_duplicates(
        text=matter.text,
        latitude=latitude,
        longitude=longitude,
        grid=matter.grid,
        category=matter.category,
        now=now,
        exclude_id=matter.pk,
        limit=limit,
        visible_to=user,
    )


def place_of(params: Any) -> tuple[float | None, float | None, Place | None]:
    """The coordinates and grid of a filing form's place, from a building code, a grid code or a map pin.

    Whatever cannot be read is left out (the finder then searches by what remains, or not at all)."""
    latitude: float | None = None
    longitude: float | None = None
    grid: Place | None = None
    building = building_by_code(str(params.get("building", ""))[:32])
    if building is not None:
        grid = building.parent
        latitude, longitude = building.latitude, building.longitude
    with contextlib.suppress(InvalidCoordinatesError):
        latitude, longitude = parse_coordinates(params.get("lat", ""), params.get("lng", ""))
    code = str(params.get("grid", "")).strip()[:32]
    if grid is None and code:
        grid = Place.objects.filter(code=code, level=PlaceLevel.GRID).first()
    if grid is None and latitude is not None and longitude is not None:
        try:
            grid = Place.objects.filter(pk=locate(latitude, longitude).grid_id).first()
        except (InvalidCoordinatesError, OutsideServiceAreaError):
            grid = None
    return latitude, longitude, grid


# --- the public's view ------------------------------------------------------------------------------------

PUBLIC_DISTANCE_STEP = 100  # metres: the public sees "about 200 m", never the exact spot


def public_candidate(candidate: Candidate) -> dict[str, Any]:
    """What anyone may see of a likely duplicate: the number, category, state, rough distance and age. No text, no
    address, nothing of the reporter."""
    matter = candidate.matter
    if candidate.distance_m is not None:
        rough = max(PUBLIC_DISTANCE_STEP, round(candidate.distance_m / PUBLIC_DISTANCE_STEP) * PUBLIC_DISTANCE_STEP)
        distance = _("about %(metres)d m away") % {"metres": rough}
    else:
        distance = candidate.distance_label
        rough = None
    return {
        "number": matter.number,
        "category": matter.category.name if matter.category is not None else "",
        "state": str(MatterState(matter.state).label),
        "distance_m": rough,
        "distance": distance,
        "days_ago": candidate.days_ago,
        "age": candidate.days_label,
    }


# --- writing the rules ------------------------------------------------------------------------------------


def duplicate_policy_snapshot(policy: DuplicatePolicy) -> dict[str, Any]:
    """What the audit log keeps of a rule (the category by code, which stays readable)."""
    return {
        "category": policy.category.code,
        "min_similarity": policy.min_similarity,
        "radius_m": policy.radius_m,
        "window_days": policy.window_days,
    }


def _require_manager(actor: Any) -> None:
    if not (getattr(actor, "is_authenticated", False) and actor.has_perm_anywhere(Perm.MANAGE_TRIAGE)):
        raise PermissionDenied(_("You may not change the duplicate rules."))


SIMILARITY_RANGE = (0.0, 1.0)
RADIUS_RANGE = (10, 20_000)  # metres
WINDOW_RANGE = (1, 365)  # days


def _check_values(*, category: Category, min_similarity: float, radius_m: int, window_days: int) -> None:
    errors: dict[str, str] = {}
    if not category.is_active:
        errors["category"] = _("This category is no longer in use.")
    if not SIMILARITY_RANGE[0] <= min_similarity <= SIMILARITY_RANGE[1]:
        errors["min_similarity"] = _("Between 0 and 1.")
    low, high = RADIUS_RANGE
    if not low <= radius_m <= high:
        errors["radius_m"] = _("Between %(min)d and %(max)d metres.") % {"min": low, "max": high}
    low, high = WINDOW_RANGE
    if not low <= window_days <= high:
        errors["window_days"] = _("Between %(min)d and %(max)d days.") % {"min": low, "max": high}
    if errors:
        raise ValidationError(errors)


def duplicate_policy_save(
    *,
    actor: Any,
    category: Category,
    min_similarity: float,
    radius_m: int,
    window_days: int,
    policy: DuplicatePolicy | None = None,
    request: HttpRequest | None = None,
) -> DuplicatePolicy:
    """Add a category's rule, or change ``policy``; audited with what it said before and after."""
    _require_manager(actor)
    _check_values(category=category, min_similarity=min_similarity, radius_m=radius_m, window_days=window_days)
    others = DuplicatePolicy.objects.filter(category=category)
    if policy is not None:
        others = others.exclude(pk=policy.pk)
    if others.exists():
        raise ValidationError({"category": _("This category already has a rule; change that one.")})
    before = duplicate_policy_snapshot(policy) if policy is not None else None
    row = policy or DuplicatePolicy()
    row.category, row.min_similarity, row.radius_m, row.window_days = category, min_similarity, radius_m, window_days
    after = duplicate_policy_snapshot(row)
    if before == after:
        return row
    try:
        with transaction.atomic():
            if policy is None:
                row.save()
            else:
                row.save(update_fields=["category", "min_similarity", "radius_m", "window_days", "updated_at"])
            audit_record(
                actor=actor,
                action="triage.duplicate_policy." + ("create" if policy is None else "update"),
                target=row,
                detail={"before": before, "after": after},
                request=request,
            )
    except IntegrityError as error:  # two managers adding the same category's rule at once
        raise ValidationError({"category": _("This category already has a rule; change that one.")}) from error
    return row


def duplicate_policy_delete(*, actor: Any, policy: DuplicatePolicy, request: HttpRequest | None = None) -> None:
    """Remove a rule: the category falls back to its parent's rule or the defaults. The audit row keeps it."""
    _require_manager(actor)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="triage.duplicate_policy.delete",
            target=policy,
            detail={"before": duplicate_policy_snapshot(policy), "after": None},
            request=request,
        )
        policy.delete()
