"""The community performance record (在职党员社区表现档案) of a registered member, computed live for a period, and
the dual evaluations (双评价) as each reader may see them.

A record belongs to one registration (双报到), for the work the member did for that community:

- services done: the volunteer orders the registration took and completed in the period (``completed_at``), their
  hours, and the residents' ratings of them (how many rated, the average);
- micro-wishes the registration claimed and fulfilled in the period (``fulfilled_at``), and of those it claimed the
  ones the resident confirmed in the period (``confirmed_at``);
- points earned in the period (the ledger's ``day``): the earnings for this registration's orders and wishes, and
  the person's other earnings (activities…) made while this registration held; and the person's balance now (one
  account follows a member from community to community);
- the registration history: the communities the member was registered with before, through their moves.

Attendance at activities has no source yet: the activities (service centres) come in a later issue, and the record
says so. The figures are folded from plain rows by ``fold_record``, a pure function; the selectors below fetch the
rows of many registrations at once (a page of members costs a handful of queries, not a handful per member).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.http import Http404
from django.utils import timezone

from gridwork.accounts.roles import Perm
from gridwork.party.flows import RegistrationAction
from gridwork.party.models import (
    MemberEvaluation,
    MemberRegistration,
    RegistrationEvent,
    RegistrationState,
)
from gridwork.party.periods import Period, PeriodKind, local_zone
from gridwork.party.selectors import units_of_contact
from gridwork.places.models import Place, PlaceLevel
from gridwork.points.models import EntryKind, PointAccount, PointEntry
from gridwork.volunteers.models import OrderState, ServiceOrder
from gridwork.volunteers.services import POINTS_SOURCE as ORDER_SOURCE
from gridwork.wishes.models import Wish, WishState

# The ledger's source kind of a confirmed wish's points (``gridwork.wishes.services.wish_confirm``).
WISH_SOURCE = "wish"
DONE_ORDER_STATES = (OrderState.COMPLETED, OrderState.RATED)
FULFILLED_WISH_STATES = (WishState.FULFILLED, WishState.CONFIRMED)
ENDING_ACTIONS = (RegistrationAction.TRANSFER_OUT, RegistrationAction.WITHDRAW)
# Whether the record can show attendance at activities: not until the activities exist.
ATTENDANCE_AVAILABLE = False
HISTORY_DEPTH = 50


# --- the rows and the fold (pure) ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderRow:
    """A volunteer order the registration took."""

    state: str
    completed_at: datetime | None
    hours: Decimal | None
    rating: int | None


@dataclass(frozen=True)
class WishRow:
    """A micro-wish the registration claimed."""

    state: str
    fulfilled_at: datetime | None
    confirmed_at: datetime | None


@dataclass(frozen=True)
class EntryRow:
    """A line of the person's points ledger."""

    kind: str
    points: int
    day: date | None
    at: datetime
    source: str
    source_id: int


@dataclass(frozen=True)
class Span:
    """When a registration held: from its confirmation to its end (a move or a withdrawal); open ends are None."""

    start: datetime | None = None
    end: datetime | None = None

    def contains(self, moment: datetime) -> bool:
        return (self.start is None or self.start <= moment) and (self.end is None or moment < self.end)


@dataclass(frozen=True)
class RecordFigures:
    """The figures of a record for a period."""

    services: int = 0
    hours: Decimal = Decimal("0")
    ratings: int = 0
    rating_total: int = 0
    wishes_fulfilled: int = 0
    wishes_confirmed: int = 0
    points_earned: int = 0
    points_balance: int = 0

    @property
    def rating_average(self) -> Decimal | None:
        """The residents' average stars (one decimal), or None when nobody rated."""
        if not self.ratings:
            return None
        return (Decimal(self.rating_total) / Decimal(self.ratings)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def snapshot(self) -> dict[str, Any]:
        """The figures as JSON (kept with an evaluation: the record as it stood when graded)."""
        average = self.rating_average
        return {
            "services": self.services,
            "hours": str(self.hours),
            "ratings": self.ratings,
            "rating_total": self.rating_total,
            "rating_average": str(average) if average is not None else None,
            "wishes_fulfilled": self.wishes_fulfilled,
            "wishes_confirmed": self.wishes_confirmed,
            "points_earned": self.points_earned,
            "points_balance": self.points_balance,
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> RecordFigures:
        return cls(
            services=int(data.get("services", 0)),
            hours=Decimal(str(data.get("hours", "0"))),
            ratings=int(data.get("ratings", 0)),
            rating_total=int(data.get("rating_total", 0)),
            wishes_fulfilled=int(data.get("wishes_fulfilled", 0)),
            wishes_confirmed=int(data.get("wishes_confirmed", 0)),
            points_earned=int(data.get("points_earned", 0)),
            points_balance=int(data.get("points_balance", 0)),
        )


def _entry_day(entry: EntryRow) -> date:
    """The day an earning counts for: its ``day``, or (lines from before that column) the local day it was made."""
    return entry.day if entry.day is not None else timezone.localtime(entry.at, local_zone()).date()


def entry_is_theirs(entry: EntryRow, *, orders: set[int], wishes: set[int], span: Span) -> bool:
    """Whether a line of the person's ledger belongs to this registration's record: the points of one of its orders
    or wishes; any other earning (an activity…) when it was made while the registration held."""
    if entry.source == ORDER_SOURCE:
        return entry.source_id in orders
    if entry.source == WISH_SOURCE:
        return entry.source_id in wishes
    return span.contains(entry.at)


def fold_record(
    *,
    period: Period,
    orders: Iterable[OrderRow],
    wishes: Iterable[WishRow],
    entries: Iterable[EntryRow] = (),
    own_orders: set[int] | None = None,
    own_wishes: set[int] | None = None,
    span: Span | None = None,
    balance: int = 0,
) -> RecordFigures:
    """The figures of a registration's record for ``period`` from its rows: the orders it took, the wishes it
    claimed, the person's ledger (with the ids of the orders and wishes that are the registration's own, and when
    it held), and the person's balance. Rows outside the period, or in no state that counts, count nothing."""
    services = ratings = rating_total = 0
    hours = Decimal("0")
    for order in orders:
        if order.state not in DONE_ORDER_STATES or not period.contains(order.completed_at):
            continue
        services += 1
        hours += order.hours or Decimal("0")
        if order.rating is not None:
            ratings += 1
            rating_total += order.rating
    fulfilled = confirmed = 0
    for wish in wishes:
        if wish.state in FULFILLED_WISH_STATES and period.contains(wish.fulfilled_at):
            fulfilled += 1
        if wish.state == WishState.CONFIRMED and period.contains(wish.confirmed_at):
            confirmed += 1
    orders_ids, wish_ids, held = own_orders or set(), own_wishes or set(), span or Span()
    earned = 0
    for entry in entries:
        if entry.kind != EntryKind.EARN or not period.contains_day(_entry_day(entry)):
            continue
        if entry_is_theirs(entry, orders=orders_ids, wishes=wish_ids, span=held):
            earned += entry.points
    return RecordFigures(
        services=services,
        hours=hours,
        ratings=ratings,
        rating_total=rating_total,
        wishes_fulfilled=fulfilled,
        wishes_confirmed=confirmed,
        points_earned=earned,
        points_balance=balance,
    )


# --- fetching the rows ----------------------------------------------------------------------------------------------


def _ended_at() -> Subquery:
    """When the registration ended (moved away or withdrawn once confirmed): the time of that event."""
    return Subquery(
        RegistrationEvent.objects.filter(subject=OuterRef("pk"), action__in=ENDING_ACTIONS)
        .order_by("-sequence")
        .values("at")[:1]
    )


def _spans(registrations: Sequence[MemberRegistration]) -> dict[int, Span]:
    ended: dict[int, datetime] = {}
    for subject_id, at in (
        RegistrationEvent.objects.filter(subject__in=[r.pk for r in registrations], action__in=ENDING_ACTIONS)
        .order_by("subject_id", "sequence")
        .values_list("subject_id", "at")
    ):
        ended[subject_id] = at
    return {r.pk: Span(start=r.confirmed_at, end=ended.get(r.pk)) for r in registrations}


def record_figures_for(registrations: Sequence[MemberRegistration], period: Period) -> dict[int, RecordFigures]:
    """The figures of each registration's record for ``period``, by registration id (five queries in all)."""
    ids = [registration.pk for registration in registrations]
    if not ids:
        return {}
    orders: dict[int, list[OrderRow]] = defaultdict(list)
    for taker_id, state, completed_at, hours, rating in ServiceOrder.objects.filter(
        taker_id__in=ids, state__in=DONE_ORDER_STATES, completed_at__gte=period.start, completed_at__lt=period.end
    ).values_list("taker_id", "state", "completed_at", "hours", "rating"):
        orders[taker_id].append(OrderRow(state, completed_at, hours, rating))
    wishes: dict[int, list[WishRow]] = defaultdict(list)
    in_period = Q(fulfilled_at__gte=period.start, fulfilled_at__lt=period.end) | Q(
        confirmed_at__gte=period.start, confirmed_at__lt=period.end
    )
    for claimant_id, state, fulfilled_at, confirmed_at in (
        Wish.objects.filter(claimant_member_id__in=ids)
        .filter(in_period)
        .values_list("claimant_member_id", "state", "fulfilled_at", "confirmed_at")
    ):
        wishes[claimant_id].append(WishRow(state, fulfilled_at, confirmed_at))
    balances, entries = _ledgers({registration.user_id for registration in registrations}, period)
    order_ids = {e.source_id for rows in entries.values() for e in rows if e.source == ORDER_SOURCE}
    wish_ids = {e.source_id for rows in entries.values() for e in rows if e.source == WISH_SOURCE}
    own_orders: dict[int, set[int]] = defaultdict(set)
    for pk, taker_id in ServiceOrder.objects.filter(pk__in=order_ids, taker_id__in=ids).values_list("pk", "taker_id"):
        own_orders[taker_id].add(pk)
    own_wishes: dict[int, set[int]] = defaultdict(set)
    for pk, claimant_id in Wish.objects.filter(pk__in=wish_ids, claimant_member_id__in=ids).values_list(
        "pk", "claimant_member_id"
    ):
        own_wishes[claimant_id].add(pk)
    spans = _spans(registrations)
    return {
        registration.pk: fold_record(
            period=period,
            orders=orders[registration.pk],
            wishes=wishes[registration.pk],
            entries=entries.get(registration.user_id, []),
            own_orders=own_orders[registration.pk],
            own_wishes=own_wishes[registration.pk],
            span=spans[registration.pk],
            balance=balances.get(registration.user_id, 0),
        )
        for registration in registrations
    }


def _ledgers(user_ids: set[int], period: Period) -> tuple[dict[int, int], dict[int, list[EntryRow]]]:
    """Each person's balance now (their newest account, as ``points.selectors.member_account`` reads it) and the
    earnings of the period on their ledgers, by user id."""
    balances: dict[int, int] = {}
    owner: dict[int, int] = {}
    for account_id, user_id, balance in (
        PointAccount.objects.filter(member__user_id__in=user_ids)
        .order_by("id")
        .values_list("id", "member__user_id", "balance")
    ):
        balances[user_id] = balance
        owner[account_id] = user_id
    entries: dict[int, list[EntryRow]] = defaultdict(list)
    in_period = Q(day__gte=period.first_day, day__lte=period.last_day) | Q(
        day__isnull=True, at__gte=period.start, at__lt=period.end
    )
    for account_id, kind, points, day, at, source, source_id in (
        PointEntry.objects.filter(account_id__in=owner, kind=EntryKind.EARN)
        .filter(in_period)
        .values_list("account_id", "kind", "points", "day", "at", "source", "source_id")
    ):
        entries[owner[account_id]].append(EntryRow(kind, points, day, at, source, source_id))
    return balances, entries


# --- one record ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    registration: MemberRegistration
    community: str
    building: str
    state: str
    confirmed_at: datetime | None
    ended_at: datetime | None


@dataclass(frozen=True)
class PerformanceRecord:
    registration: MemberRegistration
    period: Period
    figures: RecordFigures
    history: list[HistoryEntry] = field(default_factory=list)
    attendance_available: bool = ATTENDANCE_AVAILABLE


def registration_history(registration: MemberRegistration) -> list[HistoryEntry]:
    """The registration and those it moved from (``transferred_from``), newest first, each with when it held."""
    chain: list[MemberRegistration] = []
    current: MemberRegistration | None = registration
    while current is not None and len(chain) < HISTORY_DEPTH:
        chain.append(current)
        previous_id = current.transferred_from_id
        current = (
            MemberRegistration.objects.select_related("community", "building").filter(pk=previous_id).first()
            if previous_id is not None
            else None
        )
    spans = _spans(chain)
    return [
        HistoryEntry(
            registration=item,
            community=item.community.name,
            building=item.building.name,
            state=str(RegistrationState(item.state).label),
            confirmed_at=item.confirmed_at,
            ended_at=spans[item.pk].end,
        )
        for item in chain
    ]


def record_of(registration: MemberRegistration, period: Period) -> PerformanceRecord:
    """社区表现档案: the registration's record for ``period``, computed now."""
    return PerformanceRecord(
        registration=registration,
        period=period,
        figures=record_figures_for([registration], period)[registration.pk],
        history=registration_history(registration),
    )


# --- who is evaluated for a period -----------------------------------------------------------------------------------


def evaluable_in(registrations: QuerySet[MemberRegistration], period: Period) -> QuerySet[MemberRegistration]:
    """The registrations that held during ``period``: confirmed now (and not only after it), or confirmed once and
    ended (moved away, withdrawn) during or after it. Each gets ``ended_at``."""
    return (
        registrations.annotate(ended_at=_ended_at())
        .filter(Q(confirmed_at__isnull=True) | Q(confirmed_at__lt=period.end))
        .filter(
            Q(state=RegistrationState.CONFIRMED)
            | Q(
                state__in=[RegistrationState.TRANSFERRED, RegistrationState.WITHDRAWN],
                confirmed_at__isnull=False,
                ended_at__gte=period.start,
            )
        )
    )


def registration_evaluable(registration: MemberRegistration, period: Period) -> bool:
    return evaluable_in(MemberRegistration.objects.filter(pk=registration.pk), period).exists()


def _period_q(period: Period) -> Q:
    return Q(period_kind=period.kind, period_year=period.year, period_number=period.number)


def evaluations_of(
    registration_ids: Iterable[int], period: Period, *, sent_only: bool = False
) -> dict[int, MemberEvaluation]:
    """The evaluation of each registration for ``period`` (only the sent ones if ``sent_only``), by registration."""
    evaluations = MemberEvaluation.objects.filter(_period_q(period), registration_id__in=list(registration_ids))
    if sent_only:
        evaluations = evaluations.filter(sent_at__isnull=False)
    return {evaluation.registration_id: evaluation for evaluation in evaluations.select_related("evaluated_by")}


def evaluation_of(registration: MemberRegistration, period: Period) -> MemberEvaluation | None:
    return evaluations_of([registration.pk], period).get(registration.pk)


# --- staff -----------------------------------------------------------------------------------------------------------


def _with_unmasked(registrations: QuerySet[MemberRegistration], user: Any) -> QuerySet[MemberRegistration]:
    if not getattr(user, "is_authenticated", False) or not user.has_perm_anywhere(Perm.VIEW_PERSONAL_DATA):
        return registrations.annotate(unmasked=Value(False, output_field=BooleanField()))
    visible = MemberRegistration.objects.restrict(user, Perm.VIEW_PERSONAL_DATA).filter(pk=OuterRef("pk"))
    return registrations.annotate(unmasked=Exists(visible))


def evaluation_communities(*, user: Any) -> QuerySet[Place]:
    """The communities whose members' evaluations the user may see."""
    return Place.objects.restrict(user, Perm.VIEW_PARTY).filter(level=PlaceLevel.COMMUNITY).order_by("path")


def evaluation_members(*, user: Any, period: Period, community: Place | None = None) -> QuerySet[MemberRegistration]:
    """The registered members of the user's scope (VIEW_PARTY) who held during ``period``, of ``community`` or of all
    the user's communities, by community, building and name; each marked ``unmasked`` and ``ended_at``."""
    registrations = MemberRegistration.objects.restrict(user, Perm.VIEW_PARTY).select_related(
        "community", "building", "employer_unit"
    )
    if community is not None:
        registrations = registrations.filter(community=community)
    return _with_unmasked(evaluable_in(registrations, period), user).order_by(
        "community__path", "building__path", "name", "id"
    )


def evaluation_member_get(*, user: Any, pk: int) -> MemberRegistration:
    """A registration of the user's scope (VIEW_PARTY), marked ``unmasked``; any other is not found."""
    registration = (
        _with_unmasked(MemberRegistration.objects.restrict(user, Perm.VIEW_PARTY).filter(pk=pk), user)
        .select_related("community__parent", "building", "employer_unit", "transferred_from")
        .first()
    )
    if registration is None:
        raise Http404
    return registration


def evaluation_may_manage(*, user: Any, registration: MemberRegistration) -> bool:
    return Place.objects.restrict(user, Perm.MANAGE_PARTY).filter(pk=registration.community_id).exists()


def registration_evaluations(registration: MemberRegistration) -> QuerySet[MemberEvaluation]:
    """Every evaluation of the registration, newest period first (staff)."""
    return MemberEvaluation.objects.filter(registration=registration).select_related("evaluated_by", "sent_by")


def evaluation_counts(*, community: Place, period: Period) -> dict[str, int]:
    """How many of the community's evaluations of ``period`` are made, and how many of those await sending."""
    evaluations = MemberEvaluation.objects.filter(_period_q(period), registration__community=community)
    return {"made": evaluations.count(), "unsent": evaluations.filter(sent_at__isnull=True).count()}


# --- the employer's side (a unit contact) ----------------------------------------------------------------------------


def unit_report_members(*, user: Any, period: Period) -> QuerySet[MemberRegistration]:
    """The members who named one of the user's units as employer and were registered with a community during
    ``period`` (confirmed now, or moved away since), by unit, name."""
    registrations = MemberRegistration.objects.filter(employer_unit__in=units_of_contact(user=user)).select_related(
        "community__parent", "building", "employer_unit"
    )
    return evaluable_in(registrations, period).order_by("employer_unit__name", "name", "community__path", "id")


def unit_sent_evaluations(*, user: Any, registration: MemberRegistration) -> QuerySet[MemberEvaluation]:
    """The evaluations sent to the user's units of the member (under each registration naming one of them)."""
    return (
        MemberEvaluation.objects.filter(
            registration__user_id=registration.user_id,
            registration__employer_unit__in=units_of_contact(user=user),
            sent_at__isnull=False,
        )
        .select_related("registration__community")
        .order_by("-period_year", "period_kind", "-period_number", "-id")
    )


def unit_evaluation_periods(*, user: Any) -> list[Period]:
    """The periods for which an evaluation of one of the user's members has been sent, newest first."""
    rows = (
        MemberEvaluation.objects.filter(
            registration__employer_unit__in=units_of_contact(user=user), sent_at__isnull=False
        )
        .values_list("period_kind", "period_year", "period_number")
        .distinct()
    )
    periods = {Period(kind, year, number) for kind, year, number in rows}
    return sorted(periods, key=lambda p: (-p.year, p.kind != PeriodKind.YEAR, -p.number))


# --- the member's own -----------------------------------------------------------------------------------------------


def my_sent_evaluations(*, user: Any) -> QuerySet[MemberEvaluation]:
    """The evaluations of the user (under any of their registrations) sent to their employer, newest first."""
    if not getattr(user, "is_authenticated", False):
        return MemberEvaluation.objects.none()
    return (
        MemberEvaluation.objects.filter(registration__user_id=user.pk, sent_at__isnull=False)
        .select_related("registration__community")
        .order_by("-period_year", "period_kind", "-period_number", "-id")
    )


# --- rows of a report (page and Excel) -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    """A member in a period's report: the figures the evaluation recorded when graded (``snapshot``), or the live
    figures when there is no evaluation to show; and the evaluation, if any."""

    registration: MemberRegistration
    figures: RecordFigures
    evaluation: MemberEvaluation | None
    snapshot: bool


def report_rows(registrations: Sequence[MemberRegistration], period: Period, *, sent_only: bool) -> list[ReportRow]:
    """Each registration with its figures and evaluation of ``period`` (only a sent one if ``sent_only``)."""
    evaluations = evaluations_of([r.pk for r in registrations], period, sent_only=sent_only)
    live = record_figures_for([r for r in registrations if r.pk not in evaluations], period)
    rows = []
    for registration in registrations:
        evaluation = evaluations.get(registration.pk)
        if evaluation is not None:
            rows.append(ReportRow(registration, RecordFigures.from_snapshot(evaluation.figures), evaluation, True))
        else:
            rows.append(ReportRow(registration, live[registration.pk], None, False))
    return rows
