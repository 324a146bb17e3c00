"""The results of star ratings (评定结果), read for the results pages and their Excel workbooks.

- ``league_table``: a round's targets within the user's scope, ranked by the total at the deciding level (the latest
  level that scored: self, street, city, higher review), with their stars. Competition ranking (1, 2, 2, 4) among the
  targets that have submitted and are not vetoed; a vetoed target (一票否决) is listed after them without a rank, with
  the veto items that hold; a target still drafting is listed last.
- ``star_shares``: how many of the round's targets hold each number of stars, their share of all the round's targets
  (those not yet accepted counted as "not rated yet"), the share at the goal's stars or more against the round's goal
  (e.g. 70 % at five stars), overall and per street (seed 001: a street "improves as a whole" when half its
  communities reach five stars).
- ``star_history`` / ``target_history``: the stars of the same community, estate organisation, secretary, grid or
  department across the rounds of its kind, with each acceptance, higher review and lowering (动态调整) on its date.
- ``pay_table``: for a round of secretaries, the pay grade their current stars map to on their ladder
  (以星定酬, ``workforce.selectors.pay_grade_for``) beside the grade they hold now.

Everything is scoped in the query: ``Assessment.objects.restrict(user, Perm.VIEW_RATINGS)`` (and, for pay, the
workers the user may see with VIEW_WORKFORCE). Ranks are among what the user sees, as the 三率 league tables are.
Secretaries' names are masked unless the user holds VIEW_PERSONAL_DATA over their community.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.common.masking import mask_name
from gridwork.places.models import LEVEL_ORDER, Place, PlaceLevel
from gridwork.ratings.flows import DONE_STATES, AssessmentAction
from gridwork.ratings.models import (
    STARS_MAX,
    Assessment,
    AssessmentEvent,
    AssessmentState,
    Round,
    ScoreLevel,
    StarAdjustment,
    Target,
    VetoFinding,
)
from gridwork.ratings.selectors import personal_paths, target_label
from gridwork.schemes.models import TargetKind
from gridwork.workforce.models import PayGrade, Worker
from gridwork.workforce.models import Post as WorkerPost
from gridwork.workforce.selectors import current_pay_grade, pay_grade_for

HUNDRED = Decimal(100)
SHARE_PLACES = Decimal("0.1")
STREET_DEPTH = LEVEL_ORDER.index(PlaceLevel.STREET)
STAR_LEVELS = tuple(range(STARS_MAX, -1, -1))  # 5, 4, 3, 2, 1, 0
UNDER_LEVELS = (PlaceLevel.CITY, PlaceLevel.DISTRICT, PlaceLevel.STREET)

# The object a target rates, by kind: what makes "the same target" across rounds.
OBJECT_FIELD: dict[str, str] = {
    TargetKind.COMMUNITY: "place_id",
    TargetKind.GRID: "place_id",
    TargetKind.ESTATE_PARTY: "party_organisation_id",
    TargetKind.SECRETARY: "worker_id",
    TargetKind.DEPARTMENT: "department_id",
}


def share(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in per cent, to one place (None of nothing)."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)


def competition_ranks(scores: Iterable[tuple[int, Decimal]]) -> dict[int, int]:
    """Competition ranking (1, 2, 2, 4) of (key, score) pairs, highest score first."""
    ordered = sorted(scores, key=lambda item: -item[1])
    ranks: dict[int, int] = {}
    for position, (key, score) in enumerate(ordered, start=1):
        if position > 1 and score == ordered[position - 2][1]:
            ranks[key] = ranks[ordered[position - 2][0]]
        else:
            ranks[key] = position
    return ranks


# --- what the user sees ---------------------------------------------------------------------------------------------


def round_results_list(*, user: Any) -> list[Round]:
    """Every round, newest first (rounds are city-wide), for the results' index; ``star_shares`` gives the figures."""
    return list(Round.objects.select_related("scheme_version__scheme").order_by("-year", "-created_at", "-id"))


def under_choices(*, user: Any) -> QuerySet[Place]:
    """The units a results page may be narrowed to: cities, districts and streets where the user sees ratings."""
    return (
        Place.objects.restrict(user, Perm.VIEW_RATINGS)
        .filter(level__in=UNDER_LEVELS)
        .select_related("parent")
        .order_by("path")
    )


def round_kind(round_: Round) -> str:
    return str(round_.scheme_version.scheme.target_kind)


def _assessments(user: Any, round_: Round, under: Place | None) -> QuerySet[Assessment]:
    found = (
        Assessment.objects.restrict(user, Perm.VIEW_RATINGS)
        .filter(target__round=round_)
        .select_related("target__place", "target__worker", "target__party_organisation", "target__department")
        .order_by("target__place__path", "target__name", "pk")
    )
    if under is not None:
        found = found.filter(target__place__path__startswith=under.path)
    return found


def _streets(places: Iterable[Place]) -> dict[int, Place | None]:
    """The street each place lies in (None above street level: a department of a district, say), by place id."""
    codes: dict[int, str | None] = {}
    for place in places:
        parts = [code for code in place.path.split("/") if code]
        codes[place.pk] = parts[STREET_DEPTH] if len(parts) > STREET_DEPTH else None
    streets = {p.code: p for p in Place.objects.filter(code__in={c for c in codes.values() if c})}
    return {pk: (streets.get(code) if code else None) for pk, code in codes.items()}


def _holding_vetoes(assessments: Sequence[Assessment]) -> dict[int, list[str]]:
    """The veto items that hold at each vetoed assessment's deciding level, as "name: reason"."""
    vetoed = {a.pk: a.deciding_level for a in assessments if a.vetoed}
    found: dict[int, list[str]] = defaultdict(list)
    if not vetoed:
        return found
    findings = (
        VetoFinding.objects.filter(assessment_id__in=list(vetoed), holds=True)
        .select_related("veto_item")
        .order_by("veto_item__order", "veto_item_id")
    )
    for finding in findings:
        if finding.level == vetoed[finding.assessment_id]:
            found[finding.assessment_id].append(f"{finding.veto_item.name}: {finding.reason}")
    adjustments = StarAdjustment.objects.filter(assessment_id__in=list(vetoed), veto_item__isnull=False)
    for adjustment in adjustments.select_related("veto_item"):
        if adjustment.veto_item is not None:
            found[adjustment.assessment_id].append(f"{adjustment.veto_item.name}: {adjustment.reason}")
    return found


def _unmasked(target: Target, paths: Sequence[str]) -> bool:
    """Whether a secretary's name is shown in full to the holder of VIEW_PERSONAL_DATA at ``paths``."""
    return target.kind == TargetKind.SECRETARY and any(target.place.path.startswith(path) for path in paths)


# --- the league table -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeagueRow:
    assessment: Assessment
    label: str
    street: str
    rank: int | None
    total: Decimal | None
    level: str  # the label of the deciding level
    stars: int | None  # the current stars (None before acceptance)
    score_stars: int | None  # what the deciding total reaches
    lowered: bool  # the stars were lowered after acceptance
    vetoes: list[str]
    final: bool  # accepted (or higher reviewed): the stars are set
    unmasked: bool  # a secretary's name shown in full (VIEW_PERSONAL_DATA over the community)

    @property
    def state_label(self) -> str:
        return str(AssessmentState(self.assessment.state).label)


@dataclass(frozen=True)
class LeagueTable:
    round: Round
    rows: list[LeagueRow]
    ranked: int


def league_table(*, user: Any, round_: Round, under: Place | None = None, final_only: bool = False) -> LeagueTable:
    """The round's targets in the user's scope (under ``under``), ranked by the deciding total, best first."""
    assessments = list(_assessments(user, round_, under))
    if final_only:
        assessments = [a for a in assessments if a.state in DONE_STATES]
    paths = personal_paths(user)
    streets = _streets(a.target.place for a in assessments)
    vetoes = _holding_vetoes(assessments)
    lowered = set(
        StarAdjustment.objects.filter(assessment_id__in=[a.pk for a in assessments]).values_list(
            "assessment_id", flat=True
        )
    )
    ranks = competition_ranks(
        (a.pk, a.total)
        for a in assessments
        if a.total is not None and not a.vetoed and a.state != AssessmentState.DRAFT
    )
    rows = []
    for assessment in assessments:
        street = streets.get(assessment.target.place_id)
        rows.append(
            LeagueRow(
                assessment=assessment,
                label=target_label(assessment.target, paths),
                street=street.name if street is not None else "",
                rank=ranks.get(assessment.pk),
                total=assessment.total,
                level=str(ScoreLevel(assessment.deciding_level).label),
                stars=assessment.stars,
                score_stars=assessment.score_stars,
                lowered=assessment.pk in lowered,
                vetoes=vetoes.get(assessment.pk, []),
                final=assessment.state in DONE_STATES,
                unmasked=_unmasked(assessment.target, paths),
            )
        )

    def order(row: LeagueRow) -> tuple[int, int, Decimal, str]:
        if row.rank is not None:
            return (0, row.rank, Decimal(0), row.label)
        drafting = row.assessment.state == AssessmentState.DRAFT
        return (2 if drafting else 1, 0, -(row.total or Decimal(0)), row.label)

    rows.sort(key=order)
    return LeagueTable(round=round_, rows=rows, ranked=len(ranks))


# --- shares of stars against the goal -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StarCount:
    stars: int
    count: int
    share: Decimal | None


@dataclass(frozen=True)
class ShareLine:
    """One unit's (or the whole scope's) figures: targets, how many accepted, how many at the goal's stars or more."""

    name: str
    place: Place | None
    targets: int
    rated: int
    at_goal: int
    at_goal_share: Decimal | None
    goal: Decimal
    counts: list[StarCount]

    @property
    def not_rated(self) -> int:
        return self.targets - self.rated

    @property
    def met(self) -> bool:
        return self.targets > 0 and self.at_goal_share is not None and self.at_goal_share >= self.goal

    @property
    def needed(self) -> int:
        """How many more targets must reach the goal's stars for the share to meet the goal."""
        required = math.ceil(Decimal(self.targets) * self.goal / HUNDRED)
        return max(0, required - self.at_goal)


@dataclass(frozen=True)
class StarShares:
    round: Round
    goal_stars: int
    goal: Decimal
    whole: ShareLine
    streets: list[ShareLine]


def _share_line(name: str, place: Place | None, assessments: Sequence[Assessment], round_: Round) -> ShareLine:
    targets = len(assessments)
    stars = [a.stars for a in assessments if a.state in DONE_STATES and a.stars is not None]
    at_goal = sum(1 for s in stars if s >= round_.goal_stars)
    counts = [StarCount(level, stars.count(level), share(stars.count(level), targets)) for level in STAR_LEVELS]
    return ShareLine(
        name=name,
        place=place,
        targets=targets,
        rated=len(stars),
        at_goal=at_goal,
        at_goal_share=share(at_goal, targets),
        goal=round_.star_goal,
        counts=counts,
    )


def star_shares(*, user: Any, round_: Round, under: Place | None = None) -> StarShares:
    """Stars of the round's targets in the user's scope: counts and shares per level, and the goal, overall and by
    street (a target above street level — a district's department — is grouped under its own place)."""
    assessments = list(_assessments(user, round_, under))
    streets = _streets(a.target.place for a in assessments)
    by_unit: dict[int, list[Assessment]] = defaultdict(list)
    units: dict[int, Place] = {}
    for assessment in assessments:
        unit = streets.get(assessment.target.place_id) or assessment.target.place
        units[unit.pk] = unit
        by_unit[unit.pk].append(assessment)
    lines = [
        _share_line(units[pk].name, units[pk], found, round_)
        for pk, found in sorted(by_unit.items(), key=lambda item: units[item[0]].path)
    ]
    return StarShares(
        round=round_,
        goal_stars=round_.goal_stars,
        goal=round_.star_goal,
        whole=_share_line(under.name if under is not None else _("All in your scope"), under, assessments, round_),
        streets=lines,
    )


# --- star history ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StarMove:
    """A change of a target's stars: set at acceptance or higher review, or lowered (动态调整)."""

    at: datetime
    on: date
    action: str
    label: str
    stars: int
    from_stars: int | None
    reason: str
    veto: str


@dataclass
class RoundStars:
    round: Round
    assessment: Assessment
    target: Target
    moves: list[StarMove] = field(default_factory=list)

    @property
    def stars(self) -> int | None:
        return self.assessment.stars if self.assessment.state in DONE_STATES else None

    @property
    def accepted_stars(self) -> int | None:
        """The stars as set (acceptance or higher review), before any lowering."""
        set_moves = [move for move in self.moves if move.from_stars is None]
        return set_moves[-1].stars if set_moves else None

    @property
    def lowered(self) -> bool:
        return any(move.from_stars is not None for move in self.moves)


def _star_moves(assessments: Sequence[Assessment]) -> dict[int, list[StarMove]]:
    """Each assessment's star moves in time order, from its events and its adjustments."""
    ids = [a.pk for a in assessments]
    moves: dict[int, list[StarMove]] = defaultdict(list)
    set_labels = {
        AssessmentAction.ACCEPT: _("Accepted by the city"),
        AssessmentAction.HIGHER_REVIEW: _("Higher review"),
    }
    events = AssessmentEvent.objects.filter(subject_id__in=ids, action__in=list(set_labels)).order_by("at", "sequence")
    for event in events:
        stars = (event.data or {}).get("stars")
        if stars is None:
            continue
        moves[event.subject_id].append(
            StarMove(
                at=event.at,
                on=event.at.date(),
                action=event.action,
                label=str(set_labels[event.action]),
                stars=int(stars),
                from_stars=None,
                reason=event.note,
                veto="",
            )
        )
    for adjustment in StarAdjustment.objects.filter(assessment_id__in=ids).select_related("veto_item"):
        moves[adjustment.assessment_id].append(
            StarMove(
                at=adjustment.adjusted_at,
                on=adjustment.effective_on,
                action=AssessmentAction.LOWER,
                label=_("Stars lowered"),
                stars=adjustment.to_stars,
                from_stars=adjustment.from_stars,
                reason=adjustment.reason,
                veto=adjustment.veto_item.name if adjustment.veto_item is not None else "",
            )
        )
    for found in moves.values():
        found.sort(key=lambda move: move.at)
    return moves


@dataclass(frozen=True)
class TargetHistory:
    target: Target
    label: str
    kind_label: str
    rounds: list[RoundStars]


def target_history(*, user: Any, pk: int) -> TargetHistory:
    """The stars of the object ``pk``'s target rates, across every round of its kind the user may see (404 when the
    target is outside the user's scope)."""
    target = (
        Target.objects.restrict(user, Perm.VIEW_RATINGS)
        .select_related("round", "place", "worker", "party_organisation", "department")
        .filter(pk=pk)
        .first()
    )
    if target is None:
        raise Http404
    lookup = OBJECT_FIELD.get(target.kind, "place_id")
    same = (
        Assessment.objects.restrict(user, Perm.VIEW_RATINGS)
        .filter(target__kind=target.kind, **{f"target__{lookup}": getattr(target, lookup)})
        .select_related("target__round__scheme_version__scheme", "target__place")
        .order_by("target__round__year", "target__round__created_at", "target__round_id")
    )
    assessments = list(same)
    moves = _star_moves(assessments)
    rounds = [
        RoundStars(round=a.target.round, assessment=a, target=a.target, moves=moves.get(a.pk, [])) for a in assessments
    ]
    return TargetHistory(
        target=target,
        label=target_label(target, personal_paths(user)),
        kind_label=str(TargetKind(target.kind).label),
        rounds=rounds,
    )


@dataclass(frozen=True)
class HistoryCell:
    round: Round
    assessment: Assessment | None

    @property
    def stars(self) -> int | None:
        if self.assessment is None or self.assessment.state not in DONE_STATES:
            return None
        return self.assessment.stars

    @property
    def state_label(self) -> str:
        return str(AssessmentState(self.assessment.state).label) if self.assessment is not None else ""


@dataclass(frozen=True)
class HistoryRow:
    target: Target  # the latest target of the object: the history page's link
    label: str
    street: str
    cells: list[HistoryCell]
    lowered: int  # how many times its stars were lowered, across the rounds shown
    unmasked: bool


@dataclass(frozen=True)
class StarHistory:
    kind: str
    rounds: list[Round]
    rows: list[HistoryRow]


HISTORY_ROUNDS = 10  # the latest rounds of a kind shown side by side


def star_history(*, user: Any, kind: str, under: Place | None = None) -> StarHistory:
    """The stars of every target of ``kind`` the user may see, one row per object, one column per round of that kind
    (the latest ``HISTORY_ROUNDS``, oldest first)."""
    rounds = list(
        Round.objects.filter(scheme_version__scheme__target_kind=kind).order_by("-year", "-created_at", "-id")[
            :HISTORY_ROUNDS
        ]
    )
    rounds.reverse()
    lookup = OBJECT_FIELD.get(kind, "place_id")
    found = (
        Assessment.objects.restrict(user, Perm.VIEW_RATINGS)
        .filter(target__round__in=rounds, target__kind=kind)
        .select_related("target__place", "target__worker", "target__party_organisation", "target__department")
        .order_by("target__place__path", "target__name", "pk")
    )
    if under is not None:
        found = found.filter(target__place__path__startswith=under.path)
    assessments = list(found)
    lowered_counts: dict[int, int] = defaultdict(int)
    for assessment_id in StarAdjustment.objects.filter(assessment_id__in=[a.pk for a in assessments]).values_list(
        "assessment_id", flat=True
    ):
        lowered_counts[assessment_id] += 1
    by_object: dict[int, dict[int, Assessment]] = defaultdict(dict)
    order: list[int] = []
    for assessment in assessments:
        key = getattr(assessment.target, lookup)
        if key not in by_object:
            order.append(key)
        by_object[key][assessment.target.round_id] = assessment
    paths = personal_paths(user)
    position = {r.pk: index for index, r in enumerate(rounds)}
    latest_targets = {
        key: max(of_object.values(), key=lambda a: position[a.target.round_id]).target
        for key, of_object in by_object.items()
    }
    streets = _streets(target.place for target in latest_targets.values())
    rows = []
    for key in order:
        target = latest_targets[key]
        street = streets.get(target.place_id)
        rows.append(
            HistoryRow(
                target=target,
                label=target_label(target, paths),
                street=street.name if street is not None else "",
                cells=[HistoryCell(round=r, assessment=by_object[key].get(r.pk)) for r in rounds],
                lowered=sum(lowered_counts[a.pk] for a in by_object[key].values()),
                unmasked=_unmasked(target, paths),
            )
        )
    return StarHistory(kind=kind, rounds=rounds, rows=rows)


# --- 以星定酬: pay grades from stars --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PayRow:
    assessment: Assessment
    worker: Worker
    label: str  # "name · community", the name masked unless ``unmasked``
    name: str  # the name alone, masked unless ``unmasked``
    community: str
    post_label: str
    ladder: str
    stars: int | None
    current: PayGrade | None
    by_stars: PayGrade | None
    unmasked: bool

    @property
    def change(self) -> Decimal | None:
        """Monthly pay by stars less the pay of the grade held now."""
        if self.current is None or self.by_stars is None:
            return None
        return self.by_stars.monthly_pay - self.current.monthly_pay

    @property
    def grade_change(self) -> int | None:
        if self.current is None or self.by_stars is None:
            return None
        return self.by_stars.grade - self.current.grade


def pay_table(*, user: Any, round_: Round, under: Place | None = None) -> list[PayRow]:
    """For a round of secretaries: each secretary in the user's scope (VIEW_RATINGS over the target and
    VIEW_WORKFORCE over the worker), their current stars, the grade they hold and the grade their stars map to on
    their ladder. Empty for a round of another kind."""
    if round_kind(round_) != TargetKind.SECRETARY:
        return []
    visible_workers = Worker.objects.restrict(user, Perm.VIEW_WORKFORCE).values("pk")
    assessments = (
        _assessments(user, round_, under)
        .filter(target__worker__in=visible_workers)
        .select_related("target__worker__ladder", "target__worker__community")
    )
    paths = personal_paths(user)
    rows = []
    for assessment in assessments:
        worker = assessment.target.worker
        assert worker is not None
        stars = assessment.stars if assessment.state in DONE_STATES else None
        unmasked = _unmasked(assessment.target, paths)
        rows.append(
            PayRow(
                assessment=assessment,
                worker=worker,
                label=target_label(assessment.target, paths),
                name=assessment.target.name if unmasked else mask_name(assessment.target.name),
                community=worker.community.name,
                post_label=str(WorkerPost(worker.post).label),
                ladder=worker.ladder.name if worker.ladder is not None else "",
                stars=stars,
                current=current_pay_grade(worker),
                by_stars=pay_grade_for(worker=worker, stars=stars) if stars is not None else None,
                unmasked=unmasked,
            )
        )
    return rows


def history_changes(history: StarHistory) -> list[tuple[HistoryRow, Round, StarMove]]:
    """Every star move of the history's rows, by row and round in time order: for the workbook's second sheet."""
    assessments = [cell.assessment for row in history.rows for cell in row.cells if cell.assessment is not None]
    moves = _star_moves(assessments)
    found: list[tuple[HistoryRow, Round, StarMove]] = []
    for row in history.rows:
        for cell in row.cells:
            if cell.assessment is not None:
                found.extend((row, cell.round, move) for move in moves.get(cell.assessment.pk, []))
    return found
