"""研判 — hot spots found once a day: unusual rises of a category in a community, and repeated complaints about one
place; each is kept with its evidence and sent to the community's staff.

**Unusual rise of a category in a community** (``RiseKind.RISE``). For every community and first-level category,
x is the number of matters received on the day (China time; the rollup's ``received`` on the community's detail
rows, summed over kind and channel) and S the number received over the ``BASELINE_DAYS`` (28) days before it. The
test is a one-sided Poisson test: if nothing has changed, the day's count X follows Poisson(λ) with
λ = max(S / 28, 3 / 28) a day, and the cell is flagged when x ≥ ``MIN_COUNT`` (3) and p = P(X ≥ x | λ) < ``ALPHA``
(0.001).

- 28 days are four whole weeks, so each weekday weighs the same in the baseline (hotlines are quieter at weekends)
  and the baseline follows a trend of a month without remembering last season.
- The floor 3/28 ≈ 0.107 a day is the "rule of three": a cell that saw no matter in 28 days has a rate below
  3/28 a day with 95 % confidence. The test assumes that much rather than a rate of zero, under which any matter at
  all would be impossible.
- α = 0.001 a cell is a Bonferroni share: every community is tested each day once per first-level category (about
  twenty), so a community with a steady history gets a false alarm on at most about 2 % of days at the nominal
  level. The test is discrete, so the real level is lower: for λ from 0.1 to 5 a day, the smallest count that is
  flagged has P(X ≥ x) between 0.0001 and 0.0007.
- At least three matters: one or two a day are the unit's ordinary work, whatever the baseline. With the floor and
  α above, fewer than three cannot reach α anyway (P(X ≥ 2 | 0.107) ≈ 0.005); the minimum holds if either changes.
- Real counts vary more than a Poisson law allows (weather, campaigns, one loud building), so the p-value measures
  surprise rather than an exact error rate; the strict α is the margin for that.
- No history, no test: a day is tested only when the rollup reaches back over the whole 28 days before it, so
  that the first weeks of the platform raise no alarms against an empty baseline.

Matters without a category are not tested. The alert's matters are those of the community filed on the day whose
category now lies under the first-level category; its count is the rollup's (the category at filing), so the two
differ only for a matter reclassified since.

**Repeated complaints about one place** (``RiseKind.PLACE``). The matters filed over ``PLACE_DAYS`` (7) days up to
the day — not the duplicates closed into another matter, nor those closed as invalid — are grouped by triage's
hot-spot grouping (``triage.hotspots.hotspot_groups``: the same problem at the same grid, or within 200 m), over
the whole city. A group is an alert when at least ``PLACE_MIN_MATTERS`` (3) of its matters are in no earlier alert
of its community: a group is sent when it reaches three matters, and again only when three more have come in. Its
``place_key`` is the group's key (its first matter's number); its community is the one most of its matters lie in.

Each alert is written once — the unique constraints make a second run for the same day find the alerts, not add
them — and its creation, only, notifies the community's staff after commit (the street's staff when the community
has none).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from scipy.stats import poisson

from gridwork.accounts.models import User
from gridwork.accounts.roles import Perm, Role
from gridwork.analytics.areas import place_paths
from gridwork.analytics.models import DailyRollup, RiseAlert, RiseKind, UnitKind
from gridwork.common.scope import paths_q
from gridwork.matters import notify
from gridwork.matters.models import Category, Matter
from gridwork.matters.workflow import ClosureReason
from gridwork.notifications.services import notification_send
from gridwork.places.models import Place, PlaceLevel
from gridwork.triage.hotspots import hotspot_groups, matter_reports

logger = logging.getLogger("gridwork.analytics")

BASELINE_DAYS = 28
RATE_FLOOR = 3 / BASELINE_DAYS
ALPHA = 0.001
MIN_COUNT = 3
PLACE_DAYS = 7
PLACE_MIN_MATTERS = 3


# --- the test ---------------------------------------------------------------------------------------------------


def expected_rate(baseline_total: int) -> float:
    """λ: the baseline's mean a day, at least the floor of the rule of three."""
    return max(baseline_total / BASELINE_DAYS, RATE_FLOOR)


def p_value(count: int, rate: float) -> float:
    """P(X ≥ count) for X ~ Poisson(rate): the one-sided p-value of a day's count."""
    return float(poisson.sf(count - 1, rate))


def is_unusual(count: int, p: float) -> bool:
    return count >= MIN_COUNT and p < ALPHA


# --- what one run finds -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """An alert before it is written: its cell (community and category, or community and group key), the evidence,
    and the words of its notification."""

    kind: str
    community: Place
    count: int
    matter_ids: tuple[int, ...]
    category: Category | None = None
    place_key: str = ""
    baseline: float = 0.0
    p_value: float | None = None
    label: str = ""

    def lookup(self, day: date) -> dict[str, Any]:
        """The alert's unique key."""
        if self.kind == RiseKind.RISE:
            return {"kind": self.kind, "day": day, "community": self.community, "category": self.category}
        return {"kind": self.kind, "day": day, "community": self.community, "place_key": self.place_key}


@dataclass
class RiseReport:
    """What a run found on ``day``: the alerts it wrote and those an earlier run had written already."""

    day: date
    history: bool = True  # whether the rollup reaches back over the whole baseline, so that rises were tested
    tested: int = 0  # cells with at least MIN_COUNT matters on the day (the others cannot be flagged)
    created: list[RiseAlert] = field(default_factory=list)
    existing: list[RiseAlert] = field(default_factory=list)

    @property
    def alerts(self) -> list[RiseAlert]:
        return sorted([*self.created, *self.existing], key=lambda alert: (alert.kind, -alert.count, alert.pk))

    def as_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "history": self.history,
            "tested": self.tested,
            "created": [alert.pk for alert in self.created],
            "existing": [alert.pk for alert in self.existing],
        }


def day_bounds(first: date, last: date | None = None) -> tuple[datetime, datetime]:
    """The days from ``first`` to ``last`` (both included; by default ``first`` alone) as [start, end) moments of
    China time."""
    zone = timezone.get_current_timezone()
    end_day = (last or first) + timedelta(days=1)
    return datetime.combine(first, time.min, tzinfo=zone), datetime.combine(end_day, time.min, tzinfo=zone)


def has_history(day: date) -> bool:
    """Whether the rollup holds the whole baseline of ``day`` (its first day is on or before the baseline's)."""
    start = day - timedelta(days=BASELINE_DAYS)
    return DailyRollup.objects.filter(unit_kind=UnitKind.CITY, detail=False, day__lte=start).exists()


def _community_cells() -> QuerySet[DailyRollup]:
    return DailyRollup.objects.filter(unit_kind=UnitKind.COMMUNITY, detail=True, category_id__gt=0)


def _under(root: Category) -> Q:
    return Q(category__code=root.code) | Q(category__code__startswith=f"{root.code}.")


def category_rises(day: date, report: RiseReport | None = None) -> list[Finding]:
    """The unusual rises of ``day`` (see the module's docstring), most matters first."""
    report = report if report is not None else RiseReport(day=day)
    if not has_history(day):
        report.history = False
        return []
    busy = {
        (row["unit_id"], row["category_id"]): int(row["n"])
        for row in _community_cells()
        .filter(day=day)
        .values("unit_id", "category_id")
        .annotate(n=Sum("received"))
        .filter(n__gte=MIN_COUNT)
        .order_by()
    }
    report.tested = len(busy)
    if not busy:
        return []
    communities = {unit_id for unit_id, _category in busy}
    categories = {category_id for _unit, category_id in busy}
    before = {
        (row["unit_id"], row["category_id"]): int(row["n"])
        for row in _community_cells()
        .filter(
            day__range=(day - timedelta(days=BASELINE_DAYS), day - timedelta(days=1)),
            unit_id__in=communities,
            category_id__in=categories,
        )
        .values("unit_id", "category_id")
        .annotate(n=Sum("received"))
        .order_by()
    }
    places = Place.objects.filter(level=PlaceLevel.COMMUNITY).in_bulk(communities)
    roots = Category.objects.in_bulk(categories)
    start, end = day_bounds(day)
    found = []
    for (community_id, category_id), count in sorted(busy.items()):
        rate = expected_rate(before.get((community_id, category_id), 0))
        p = p_value(count, rate)
        community, root = places.get(community_id), roots.get(category_id)
        if not is_unusual(count, p) or community is None or root is None:
            continue
        matters = Matter.objects.filter(community=community, created_at__gte=start, created_at__lt=end).filter(
            _under(root)
        )
        found.append(
            Finding(
                kind=RiseKind.RISE,
                community=community,
                category=root,
                count=count,
                baseline=rate,
                p_value=p,
                matter_ids=tuple(matters.order_by("created_at", "pk").values_list("pk", flat=True)),
                label=root.name,
            )
        )
    return sorted(found, key=lambda finding: (-finding.count, finding.community.code, finding.label))


def place_repeats(day: date) -> list[Finding]:
    """The repeated complaints about one place up to ``day`` (see the module's docstring), most matters first."""
    since = day - timedelta(days=PLACE_DAYS - 1)
    start, end = day_bounds(since, day)
    matters = (
        Matter.objects.filter(created_at__gte=start, created_at__lt=end, duplicate_of__isnull=True)
        .exclude(closure_reason=ClosureReason.INVALID)
        .order_by("created_at", "pk")
    )
    reports, names = matter_reports(matters)
    spots = hotspot_groups(reports, window=timedelta(days=PLACE_DAYS), min_size=PLACE_MIN_MATTERS, place_names=names)
    if not spots:
        return []
    numbers = [number for spot in spots for number in spot.member_ids]
    by_number = {
        row[0]: row[1:] for row in Matter.objects.filter(number__in=numbers).values_list("number", "pk", "community_id")
    }
    found = []
    for spot in spots:
        members = [by_number[number] for number in spot.member_ids if number in by_number]
        ids = tuple(pk for pk, _community in members)
        community_id = Counter(community for _pk, community in members).most_common(1)[0][0]
        covered = set(
            RiseAlert.matters.through.objects.filter(
                risealert__kind=RiseKind.PLACE,
                risealert__community_id=community_id,
                risealert__day__range=(since, day),
            )
            .exclude(risealert__day=day, risealert__place_key=spot.key)
            .values_list("matter_id", flat=True)
        )
        if len(set(ids) - covered) < PLACE_MIN_MATTERS:
            continue
        found.append(
            Finding(
                kind=RiseKind.PLACE,
                community=Place.objects.get(pk=community_id),
                place_key=spot.key,
                count=len(ids),
                matter_ids=ids,
                label=f"{spot.place}: {spot.title}",
            )
        )
    return sorted(found, key=lambda finding: (-finding.count, finding.community.code, finding.place_key))


# --- writing and sending ----------------------------------------------------------------------------------------


def alert_recipients(community: Place) -> list[User]:
    """The community's staff (its community_staff posts); the street's staff when it has none."""

    def staff(place_id: int | None, role: str) -> list[User]:
        if place_id is None:
            return []
        return list(
            User.objects.filter(is_active=True, posts__place_id=place_id, posts__role=role, posts__is_active=True)
            .distinct()
            .order_by("pk")
        )

    return staff(community.pk, Role.COMMUNITY_STAFF) or staff(community.parent_id, Role.STREET_STAFF)


def alert_text(finding: Finding, day: date) -> str:
    values = {"community": finding.community.name, "count": finding.count, "day": day.isoformat()}
    if finding.kind == RiseKind.RISE:
        return _(
            "Unusual rise in %(community)s: %(count)d matters of %(category)s on %(day)s, against %(rate).1f a day "
            "in the four weeks before."
        ) % {**values, "category": finding.label, "rate": finding.baseline}
    return _("Repeated complaints in %(community)s: %(count)d matters up to %(day)s about %(what)s") % {
        **values,
        "what": finding.label,
    }


def _alert_send(*, alert_id: int, text: str) -> None:
    alert = RiseAlert.objects.select_related("community").get(pk=alert_id)
    notification_send(
        recipients=alert_recipients(alert.community),
        text=text,
        url=reverse("analytics:rise-detail", args=[alert.pk]),
    )


def alert_save(finding: Finding, *, day: date, now: datetime) -> tuple[RiseAlert, bool]:
    """Write the alert of ``finding`` unless it is there already; a new one is sent after commit."""
    lookup = finding.lookup(day)
    with transaction.atomic():
        earlier = RiseAlert.objects.filter(**lookup).first()
        if earlier is not None:
            return earlier, False
        try:
            with transaction.atomic():
                alert = RiseAlert.objects.create(
                    **lookup,
                    count=finding.count,
                    baseline=finding.baseline,
                    p_value=finding.p_value,
                    created_at=now,
                )
        except IntegrityError:  # another run wrote it in the meantime
            return RiseAlert.objects.get(**lookup), False
        alert.matters.set(finding.matter_ids)
        transaction.on_commit(partial(notify.safely, _alert_send, alert_id=alert.pk, text=alert_text(finding, day)))
    return alert, True


def detect_rises(day: date, *, now: datetime | None = None) -> RiseReport:
    """研判 of one day: find the unusual rises and the repeated complaints, write the new alerts and send them."""
    now = now or timezone.now()
    report = RiseReport(day=day)
    for finding in [*category_rises(day, report), *place_repeats(day)]:
        try:
            alert, created = alert_save(finding, day=day, now=now)
        except Exception:
            logger.exception("hot-spot alert %s of %s failed", finding.lookup(day), day)
            continue
        (report.created if created else report.existing).append(alert)
    return report


# --- reads of the pages -----------------------------------------------------------------------------------------


def rise_alerts(*, user: Any) -> QuerySet[RiseAlert]:
    """The alerts about communities in the user's areas. A department handler's post is not an area: they see the
    matters sent to their department, not a community's."""
    return (
        RiseAlert.objects.restrict(user, Perm.VIEW_MATTERS)
        .filter(paths_q("community__path", place_paths(user)))
        .select_related("community", "category")
    )


def rise_alert_list(
    *,
    user: Any,
    since: date | None = None,
    until: date | None = None,
    area: Place | None = None,
    kind: str = "",
) -> QuerySet[RiseAlert]:
    """The user's alerts of the days from ``since`` to ``until``, in ``area`` (a district, street or community; a
    grid stands for its community), of one kind or both; newest first."""
    alerts = rise_alerts(user=user)
    if since is not None:
        alerts = alerts.filter(day__gte=since)
    if until is not None:
        alerts = alerts.filter(day__lte=until)
    if area is not None:
        if area.level in {PlaceLevel.GRID, PlaceLevel.MICROGRID, PlaceLevel.HOUSEHOLD}:
            alerts = alerts.filter(community__in=_communities_of(area))
        else:
            alerts = alerts.filter(community__path__startswith=area.path)
    if kind:
        alerts = alerts.filter(kind=kind)
    return alerts.order_by("-day", "-count", "pk")


def _communities_of(place: Place) -> list[int]:
    return list(
        Place.objects.filter(level=PlaceLevel.COMMUNITY, code__in=place.ancestor_codes()).values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class Evidence:
    """What an alert rests on: the matters a day over the window (the baseline and the day itself, oldest first),
    the baseline's sum, and the alert's matters the user may open (``hidden`` is how many lie outside their area)."""

    days: list[tuple[date, int]]
    baseline_total: int
    matters: list[Matter]
    hidden: int

    @property
    def window(self) -> int:
        return len(self.days)


def rise_evidence(*, alert: RiseAlert, user: Any) -> Evidence:
    if alert.kind == RiseKind.RISE:
        first = alert.day - timedelta(days=BASELINE_DAYS)
        rows = (
            _community_cells()
            .filter(unit_id=alert.community_id, category_id=alert.category_id or 0, day__range=(first, alert.day))
            .values("day")
            .annotate(n=Sum("received"))
            .order_by()
        )
        counts = {row["day"]: int(row["n"]) for row in rows}
    else:
        first = alert.day - timedelta(days=PLACE_DAYS - 1)
        counts = Counter(
            timezone.localtime(moment).date() for moment in alert.matters.values_list("created_at", flat=True)
        )
    days = [
        (first + timedelta(days=i), counts.get(first + timedelta(days=i), 0))
        for i in range((alert.day - first).days + 1)
    ]
    all_matters = alert.matters.all()
    visible = list(
        Matter.objects.restrict(user, Perm.VIEW_MATTERS)
        .filter(pk__in=all_matters.values("pk"))
        .select_related("category", "grid")
        .order_by("created_at", "pk")
    )
    return Evidence(
        days=days,
        baseline_total=sum(n for day, n in days if day < alert.day) if alert.kind == RiseKind.RISE else 0,
        matters=visible,
        hidden=all_matters.count() - len(visible),
    )


def key_titles(*, user: Any, alerts: Iterable[RiseAlert]) -> dict[str, str]:
    """The titles of the first matters of the place alerts (their ``place_key``), those the user may open."""
    keys = [alert.place_key for alert in alerts if alert.kind == RiseKind.PLACE and alert.place_key]
    if not keys:
        return {}
    return dict(Matter.objects.restrict(user, Perm.VIEW_MATTERS).filter(number__in=keys).values_list("number", "title"))
