"""Reading the community workforce. Staff see workers, training and staffing of the places in their scope
(``Perm.VIEW_WORKFORCE``); anything else is not found (404). Ladders and courses are read by the communities they
apply to (a city's ladder by every community of the city).

Called by the other apps: ``training_hours`` (schemes' computed source), ``staffing_for`` (the staffing gap source)
and ``pay_grade_for`` (以星定酬, the ratings' results).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from gridwork.accounts.roles import Perm
from gridwork.common.scope import holds_over
from gridwork.places.models import Place, PlaceLevel
from gridwork.workforce.models import (
    Appointment,
    Course,
    PayGrade,
    PayLadder,
    Post,
    ReserveCandidate,
    SocialWorkCert,
    StaffingRule,
    StarPayRule,
    TrainingRecord,
    Worker,
    WorkerEvent,
)

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


# --- the figures other apps read ------------------------------------------------------------------------------------


def training_hours(*, worker: Worker, start: date, end: date) -> Decimal:
    """The hours ``worker`` attended of courses that ended from ``start`` to ``end`` (both included)."""
    total = TrainingRecord.objects.filter(
        worker=worker, course__end_date__gte=start, course__end_date__lte=end
    ).aggregate(total=Sum("hours"))["total"]
    return total if total is not None else Decimal(0)


@dataclass(frozen=True)
class Required:
    minimum: int
    maximum: int


def required_workers(households: int, rule: StaffingRule) -> Required:
    """The workers a community of ``households`` households needs: ``base_min``–``base_max``, and above ``threshold``
    households one more per ``per_extra_high`` (for the minimum) to per ``per_extra_low`` (for the maximum), counting
    a started block as a whole one. 2,000 → 8–10; 2,001 → 9–11; 2,300 → 9–11; 2,400 → 9–12 (seed 001)."""
    extra = max(0, households - rule.threshold)
    return Required(
        minimum=rule.base_min + math.ceil(extra / rule.per_extra_high),
        maximum=rule.base_max + math.ceil(extra / rule.per_extra_low),
    )


@dataclass(frozen=True)
class Staffing:
    """A community's staffing check: required ``minimum``–``maximum`` from its ``households``, the ``actual`` serving
    workers, the ``gap`` (missing below the minimum, 0 if none), the ``excess`` above the maximum and the share (%) of
    serving workers holding a social-work certificate (None without workers)."""

    community: Place
    households: int
    minimum: int
    maximum: int
    actual: int
    gap: int
    certified: int
    certified_share: Decimal | None

    @property
    def excess(self) -> int:
        return max(0, self.actual - self.maximum)

    @property
    def within(self) -> bool:
        return self.minimum <= self.actual <= self.maximum


def household_count(community: Place) -> int:
    """A community's households: the household places recorded under it, or the community's own recorded figure
    where that is larger (household places are often imported for part of a community only)."""
    places = Place.objects.filter(level=PlaceLevel.HOUSEHOLD, path__startswith=community.path).count()
    return max(places, community.households)


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


def staffing_for(community: Place, *, rule: StaffingRule | None = None) -> Staffing:
    """The staffing check of one community (no scope check: callers pass a community they may see)."""
    rule = rule or StaffingRule.current()
    households = household_count(community)
    required = required_workers(households, rule)
    counts = Worker.objects.filter(community=community, active=True).aggregate(
        actual=Count("id"), certified=Count("id", filter=~Q(social_work_cert=SocialWorkCert.NONE))
    )
    actual, certified = counts["actual"], counts["certified"]
    return Staffing(
        community=community,
        households=households,
        minimum=required.minimum,
        maximum=required.maximum,
        actual=actual,
        gap=max(0, required.minimum - actual),
        certified=certified,
        certified_share=_share(certified, actual),
    )


def pay_grade_for(*, worker: Worker, stars: int) -> PayGrade | None:
    """以星定酬: the pay grade that ``stars`` map to on the worker's ladder, for the worker's post; None when the worker
    has no ladder, the ladder no rule for these stars, or the ladder no such grade."""
    if worker.ladder_id is None:
        return None
    rule = StarPayRule.objects.filter(ladder_id=worker.ladder_id, stars=stars).first()
    if rule is None:
        return None
    return (
        PayGrade.objects.select_related("ladder")
        .filter(ladder_id=worker.ladder_id, post=worker.post, grade=rule.grade)
        .first()
    )


def current_pay_grade(worker: Worker) -> PayGrade | None:
    """The pay grade the worker holds now (their ladder, post and grade)."""
    if worker.ladder_id is None or worker.grade is None:
        return None
    return PayGrade.objects.filter(ladder_id=worker.ladder_id, post=worker.post, grade=worker.grade).first()


# --- workers --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerFilters:
    community: Place | None = None
    post: str = ""
    secretary: bool | None = None
    party_member: bool | None = None
    certified: bool | None = None
    active: bool | None = True
    query: str = ""


def worker_list(*, user: Any, filters: WorkerFilters | None = None) -> QuerySet[Worker]:
    filters = filters or WorkerFilters()
    workers = Worker.objects.restrict(user, Perm.VIEW_WORKFORCE).select_related("community", "ladder")
    if filters.community is not None:
        workers = workers.filter(community__path__startswith=filters.community.path)
    if filters.post:
        workers = workers.filter(post=filters.post)
    if filters.secretary is not None:
        workers = workers.filter(is_secretary=filters.secretary)
    if filters.party_member is not None:
        workers = workers.filter(party_member=filters.party_member)
    if filters.certified is True:
        workers = workers.exclude(social_work_cert=SocialWorkCert.NONE)
    elif filters.certified is False:
        workers = workers.filter(social_work_cert=SocialWorkCert.NONE)
    if filters.active is not None:
        workers = workers.filter(active=filters.active)
    if filters.query:
        workers = workers.filter(Q(name__icontains=filters.query) | Q(title__icontains=filters.query))
    return workers.order_by("community__code", "-is_secretary", "post", "name", "id")


def worker_get(*, user: Any, pk: int, perm: str = Perm.VIEW_WORKFORCE) -> Worker:
    worker = Worker.objects.restrict(user, perm).select_related("community", "ladder").filter(pk=pk).first()
    if worker is None:
        raise Http404
    return worker


def worker_appointments(worker: Worker) -> QuerySet[Appointment]:
    return worker.appointments.select_related("community", "ladder").order_by("-start", "-id")


def worker_events(worker: Worker) -> QuerySet[WorkerEvent]:
    return worker.events.order_by("-sequence")


def worker_training(worker: Worker) -> QuerySet[TrainingRecord]:
    return worker.training.select_related("course").order_by("-course__end_date", "-id")


def community_choices(*, user: Any, perm: str = Perm.VIEW_WORKFORCE) -> QuerySet[Place]:
    return Place.objects.restrict(user, perm).filter(level=PlaceLevel.COMMUNITY).order_by("code")


def street_choices(*, user: Any, perm: str = Perm.VIEW_WORKFORCE) -> QuerySet[Place]:
    return Place.objects.restrict(user, perm).filter(level=PlaceLevel.STREET).order_by("code")


def holds_personal_data(*, user: Any, place: Place) -> bool:
    """Whether the user sees names, phones and ID numbers unmasked at ``place``."""
    return holds_over(user, Perm.VIEW_PERSONAL_DATA, place)


def personal_data_paths(*, user: Any) -> list[str]:
    if not getattr(user, "is_authenticated", False) or not hasattr(user, "scope_paths"):
        return []
    return list(user.scope_paths(Perm.VIEW_PERSONAL_DATA))


# --- ladders --------------------------------------------------------------------------------------------------------


def ladder_list(*, user: Any) -> QuerySet[PayLadder]:
    return (
        PayLadder.objects.restrict(user, Perm.VIEW_WORKFORCE)
        .select_related("place")
        .annotate(worker_count=Count("workers", filter=Q(workers__active=True)))
        .order_by("-active", "place__path", "name", "id")
    )


def ladder_get(*, user: Any, pk: int, perm: str = Perm.VIEW_WORKFORCE) -> PayLadder:
    ladder = PayLadder.objects.restrict(user, perm).select_related("place").filter(pk=pk).first()
    if ladder is None:
        raise Http404
    return ladder


def ladder_choices_for(community: Place) -> QuerySet[PayLadder]:
    """The active ladders that apply to a community: those of its district or city."""
    paths = community.ancestor_paths(include_self=True)
    return PayLadder.objects.filter(active=True, place__path__in=paths).order_by("name", "id")


@dataclass(frozen=True)
class LadderTable:
    """A ladder's pay as a table: one row per grade, the pay of each post (None where not set)."""

    posts: list[tuple[str, str]]
    rows: list[tuple[int, list[PayGrade | None]]]


def ladder_table(ladder: PayLadder) -> LadderTable:
    grades = {(g.post, g.grade): g for g in ladder.pay_grades.all()}
    posts = [(post.value, str(post.label)) for post in Post]
    rows = [(grade, [grades.get((post, grade)) for post, _label in posts]) for grade in range(ladder.grades, 0, -1)]
    return LadderTable(posts=posts, rows=rows)


def star_rules(ladder: PayLadder) -> QuerySet[StarPayRule]:
    return ladder.star_rules.order_by("-stars")


# --- training -------------------------------------------------------------------------------------------------------


def course_list(*, user: Any, year: int | None = None) -> QuerySet[Course]:
    courses = (
        Course.objects.restrict(user, Perm.VIEW_WORKFORCE)
        .select_related("place")
        .annotate(record_count=Count("records"))
    )
    if year is not None:
        courses = courses.filter(end_date__year=year)
    return courses.order_by("-start_date", "title", "id")


def course_get(*, user: Any, pk: int, perm: str = Perm.VIEW_WORKFORCE) -> Course:
    course = Course.objects.restrict(user, perm).select_related("place").filter(pk=pk).first()
    if course is None:
        raise Http404
    return course


def course_records(*, user: Any, course: Course) -> QuerySet[TrainingRecord]:
    """The course's records of workers in the user's scope (a city course has attendees from many communities)."""
    return (
        TrainingRecord.objects.restrict(user, Perm.VIEW_WORKFORCE)
        .filter(course=course)
        .select_related("worker", "worker__community")
        .order_by("worker__community__code", "worker__name", "id")
    )


def training_record_get(*, user: Any, pk: int, perm: str = Perm.VIEW_WORKFORCE) -> TrainingRecord:
    record = TrainingRecord.objects.restrict(user, perm).select_related("worker", "course").filter(pk=pk).first()
    if record is None:
        raise Http404
    return record


@dataclass(frozen=True)
class TrainingLine:
    worker: Worker
    hours: Decimal
    minimum: Decimal

    @property
    def short(self) -> Decimal:
        return max(Decimal(0), self.minimum - self.hours)

    @property
    def below(self) -> bool:
        return self.hours < self.minimum


def secretary_training(*, user: Any, year: int, community: Place | None = None) -> list[TrainingLine]:
    """Each serving secretary in scope with their training hours in ``year`` against the yearly minimum."""
    minimum = StaffingRule.current().training_min_hours
    start, end = date(year, 1, 1), date(year, 12, 31)
    secretaries = worker_list(user=user, filters=WorkerFilters(community=community, secretary=True)).annotate(
        year_hours=Sum(
            "training__hours",
            filter=Q(training__course__end_date__gte=start, training__course__end_date__lte=end),
        )
    )
    return [
        TrainingLine(worker=worker, hours=worker.year_hours or Decimal(0), minimum=minimum) for worker in secretaries
    ]


# --- staffing -------------------------------------------------------------------------------------------------------


def staffing_list(*, user: Any, under: Place | None = None) -> list[Staffing]:
    """The staffing check of every community in the user's scope (under ``under`` if given), in code order."""
    rule = StaffingRule.current()
    communities = community_choices(user=user)
    if under is not None:
        communities = communities.filter(path__startswith=under.path)
    # household → micro-grid → grid → community: the tree's levels are strict.
    households = dict(
        Place.objects.filter(level=PlaceLevel.HOUSEHOLD, parent__parent__parent__in=communities)
        .values("parent__parent__parent")
        .annotate(count=Count("id"))
        .values_list("parent__parent__parent", "count")
    )
    workers = {
        row["community"]: row
        for row in Worker.objects.filter(community__in=communities, active=True)
        .values("community")
        .annotate(actual=Count("id"), certified=Count("id", filter=~Q(social_work_cert=SocialWorkCert.NONE)))
    }
    lines = []
    for community in communities:
        count = max(households.get(community.pk, 0), community.households)
        required = required_workers(count, rule)
        row = workers.get(community.pk, {"actual": 0, "certified": 0})
        lines.append(
            Staffing(
                community=community,
                households=count,
                minimum=required.minimum,
                maximum=required.maximum,
                actual=row["actual"],
                gap=max(0, required.minimum - row["actual"]),
                certified=row["certified"],
                certified_share=_share(row["certified"], row["actual"]),
            )
        )
    return lines


@dataclass(frozen=True)
class StaffingTotals:
    communities: int
    households: int
    minimum: int
    maximum: int
    actual: int
    gap: int
    short_communities: int
    certified: int
    certified_share: Decimal | None


def staffing_totals(lines: list[Staffing]) -> StaffingTotals:
    actual = sum(line.actual for line in lines)
    certified = sum(line.certified for line in lines)
    return StaffingTotals(
        communities=len(lines),
        households=sum(line.households for line in lines),
        minimum=sum(line.minimum for line in lines),
        maximum=sum(line.maximum for line in lines),
        actual=actual,
        gap=sum(line.gap for line in lines),
        short_communities=sum(1 for line in lines if line.gap),
        certified=certified,
        certified_share=_share(certified, actual),
    )


# --- the reserve pool -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReservePool:
    """A street's reserve pool (后备人才库): candidates in the pool against ceil(ratio × its communities)."""

    street: Place
    communities: int
    required: int
    size: int

    @property
    def gap(self) -> int:
        return max(0, self.required - self.size)


def reserve_required(communities: int, rule: StaffingRule) -> int:
    return math.ceil(rule.reserve_ratio * communities)


def reserve_pools(*, user: Any, on: date) -> list[ReservePool]:
    """Each street in the user's scope with its pool size on ``on`` against the required size."""
    rule = StaffingRule.current()
    streets = street_choices(user=user).annotate(
        community_count=Count("children", filter=Q(children__level=PlaceLevel.COMMUNITY), distinct=True)
    )
    sizes = dict(
        ReserveCandidate.objects.filter(street__in=streets, added_at__lte=on)
        .filter(Q(left_at__isnull=True) | Q(left_at__gt=on))
        .values("street")
        .annotate(size=Count("id"))
        .values_list("street", "size")
    )
    return [
        ReservePool(
            street=street,
            communities=street.community_count,
            required=reserve_required(street.community_count, rule),
            size=sizes.get(street.pk, 0),
        )
        for street in streets
    ]


def reserve_list(*, user: Any, street: Place | None = None, current: bool | None = True) -> QuerySet[ReserveCandidate]:
    candidates = ReserveCandidate.objects.restrict(user, Perm.VIEW_WORKFORCE).select_related("street")
    if street is not None:
        candidates = candidates.filter(street=street)
    if current is True:
        candidates = candidates.filter(left_at__isnull=True)
    elif current is False:
        candidates = candidates.filter(left_at__isnull=False)
    return candidates.order_by("street__code", "-added_at", "name", "id")


def reserve_get(*, user: Any, pk: int, perm: str = Perm.VIEW_WORKFORCE) -> ReserveCandidate:
    candidate = ReserveCandidate.objects.restrict(user, perm).select_related("street").filter(pk=pk).first()
    if candidate is None:
        raise Http404
    return candidate
