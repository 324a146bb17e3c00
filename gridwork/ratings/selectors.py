"""The ratings' reads. Rounds are city-wide (every holder of VIEW_RATINGS sees the list); targets and assessments are
scoped by place (``Assessment.objects.restrict(user, Perm.VIEW_RATINGS)``): out of scope is 404."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.common.masking import mask_name
from gridwork.common.scope import path_scope_q
from gridwork.places.models import Place, PlaceLevel
from gridwork.ratings.flows import ACTION_LABELS, ASSESSMENT_FLOW, ROUND_ACTION_LABELS, ROUND_FLOW
from gridwork.ratings.models import (
    Assessment,
    AssessmentEvent,
    AssessmentState,
    Evidence,
    Round,
    RoundEvent,
    RoundState,
    Score,
    ScoreLevel,
    StarAdjustment,
    Target,
    VetoFinding,
)
from gridwork.ratings.services.rounds import target_candidates
from gridwork.schemes.models import Indicator, IndicatorGroup, SchemeVersion, TargetKind, VersionState, VetoItem
from gridwork.schemes.scoring import version_content

# --- rounds -----------------------------------------------------------------------------------------------------------


def round_list(*, user: Any, state: str = "", year: int | None = None) -> QuerySet[Round]:
    """All rounds, newest first, with the count of the user's targets in each and how many of them are done."""
    scoped = path_scope_q(user, Perm.VIEW_RATINGS, "targets__place__path")
    rounds = Round.objects.select_related("scheme_version__scheme").annotate(
        target_count=Count("targets", filter=scoped, distinct=True),
        accepted_count=Count(
            "targets",
            filter=scoped
            & Q(targets__assessment__state__in=[AssessmentState.ACCEPTED, AssessmentState.HIGHER_REVIEWED]),
            distinct=True,
        ),
    )
    if state:
        rounds = rounds.filter(state=state)
    if year:
        rounds = rounds.filter(year=year)
    return rounds.order_by("-year", "-created_at", "-id")


def round_get(*, user: Any, pk: int) -> Round:
    found = Round.objects.select_related("scheme_version__scheme", "created_by").filter(pk=pk).first()
    if found is None or not getattr(user, "is_authenticated", False):
        raise Http404
    return found


def round_timeline(round_: Round) -> list[dict[str, Any]]:
    return [
        {
            "action": event.action,
            "label": str(ROUND_ACTION_LABELS.get(event.action, ROUND_FLOW.action_label(event.action))),
            "state_label": ROUND_FLOW.state_label(event.to_state),
            "at": event.at,
            "who": event.actor_name,
            "note": event.note,
            "detail": _round_detail(event),
        }
        for event in RoundEvent.objects.filter(subject=round_).order_by("sequence")
    ]


def _round_detail(event: RoundEvent) -> str:
    if event.action == "add_targets":
        return f"+{event.data.get('added', 0)}"
    return ""


def published_versions() -> QuerySet[SchemeVersion]:
    return (
        SchemeVersion.objects.filter(state=VersionState.PUBLISHED)
        .select_related("scheme")
        .order_by("scheme__name", "-number")
    )


def places_for_targets(*, user: Any) -> QuerySet[Place]:
    """The units under which the user may add all targets at once: cities, districts and streets in their scope."""
    return (
        Place.objects.restrict(user, Perm.MANAGE_ASSESSMENT)
        .filter(level__in=[PlaceLevel.CITY, PlaceLevel.DISTRICT, PlaceLevel.STREET])
        .select_related("parent")
        .order_by("path")
    )


# --- assessments ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    label: str
    due: date | None
    overdue: bool


def deadline_of(assessment: Assessment, round_: Round, today: date | None = None) -> Deadline:
    """The deadline of the step the assessment waits for, and whether it has passed."""
    today = today or timezone.localdate()
    if round_.state != RoundState.OPEN:
        return Deadline("", None, False)
    if assessment.state in (AssessmentState.DRAFT, AssessmentState.RETURNED):
        return Deadline(_("Self-assessment"), round_.self_due, today > round_.self_due)
    if assessment.state == AssessmentState.SUBMITTED:
        return Deadline(_("Street review"), round_.review_due, today > round_.review_due)
    if assessment.state == AssessmentState.REVIEWED:
        return Deadline(_("City acceptance"), round_.accept_due, today > round_.accept_due)
    return Deadline("", None, False)


def assessment_list(
    *, user: Any, round_: Round, state: str = "", overdue: bool = False, place: Place | None = None
) -> QuerySet[Assessment]:
    """The round's assessments within the user's scope, by place."""
    found = (
        Assessment.objects.restrict(user, Perm.VIEW_RATINGS)
        .filter(target__round=round_)
        .select_related("target__place__parent", "target__worker", "target__party_organisation", "target__department")
        .order_by("target__place__path", "target__name", "pk")
    )
    if state:
        found = found.filter(state=state)
    if place is not None:
        found = found.filter(target__place__path__startswith=place.path)
    if overdue and round_.state == RoundState.OPEN:
        today = timezone.localdate()
        late = Q(pk__in=[])
        if today > round_.self_due:
            late |= Q(state__in=[AssessmentState.DRAFT, AssessmentState.RETURNED])
        if today > round_.review_due:
            late |= Q(state=AssessmentState.SUBMITTED)
        if today > round_.accept_due:
            late |= Q(state=AssessmentState.REVIEWED)
        found = found.filter(late)
    return found


def state_counts(*, user: Any, round_: Round) -> dict[str, int]:
    rows = (
        Assessment.objects.restrict(user, Perm.VIEW_RATINGS)
        .filter(target__round=round_)
        .values("state")
        .annotate(n=Count("pk"))
    )
    return {row["state"]: row["n"] for row in rows}


def assessment_get(*, user: Any, pk: int, perm: str = Perm.VIEW_RATINGS) -> Assessment:
    found = (
        Assessment.objects.restrict(user, perm)
        .select_related(
            "target__round__scheme_version__scheme",
            "target__place__parent",
            "target__worker",
            "target__party_organisation",
            "target__department",
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def personal_paths(user: Any) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(user.scope_paths(Perm.VIEW_PERSONAL_DATA))


def target_label(target: Target, paths: list[str]) -> str:
    """The target's name as the viewer may see it: a secretary's name masked without VIEW_PERSONAL_DATA over it."""
    if target.kind == TargetKind.SECRETARY:
        place = target.place
        shown = target.name if any(place.path.startswith(path) for path in paths) else mask_name(target.name)
        return f"{shown} · {place.name}"
    return target.name


@dataclass
class LevelCell:
    level: str = ""
    value: Decimal | None = None
    points: Decimal | None = None
    comment: str = ""
    computed_at: Any = None
    present: bool = False


@dataclass
class IndicatorRow:
    group: IndicatorGroup
    indicator: Indicator
    cells: dict[str, LevelCell] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)
    level_cells: list[LevelCell] = field(default_factory=list)


@dataclass
class VetoRow:
    veto: VetoItem
    findings: dict[str, VetoFinding] = field(default_factory=dict)
    level_findings: list[VetoFinding | None] = field(default_factory=list)

    @property
    def any_holds(self) -> bool:
        return any(finding.holds for finding in self.findings.values())


@dataclass
class ScoreSheet:
    """The assessment's indicators with each level's answer side by side, the vetoes, and the evidence."""

    levels: list[str]
    level_labels: list[str]
    rows: list[IndicatorRow]
    vetoes: list[VetoRow]
    general_evidence: list[Evidence]
    totals: list[Decimal | None]


LEVEL_TOTAL = {
    ScoreLevel.SELF: "self_total",
    ScoreLevel.STREET: "street_total",
    ScoreLevel.CITY: "city_total",
    ScoreLevel.HIGHER: "higher_total",
}


def score_sheet(assessment: Assessment) -> ScoreSheet:
    round_ = assessment.target.round
    levels = [ScoreLevel.SELF, ScoreLevel.STREET, ScoreLevel.CITY]
    if round_.higher_review:
        levels.append(ScoreLevel.HIGHER)
    content = version_content(round_.scheme_version)
    rows: dict[int, IndicatorRow] = {}
    for group, indicators in content.groups:
        for indicator in indicators:
            rows[indicator.pk] = IndicatorRow(group=group, indicator=indicator)
    for score in Score.objects.filter(assessment=assessment):
        row = rows.get(score.indicator_id)
        if row is not None:
            row.cells[score.level] = LevelCell(
                level=score.level,
                value=score.value,
                points=score.points,
                comment=score.comment,
                computed_at=score.computed_at,
                present=True,
            )
    general: list[Evidence] = []
    for evidence in Evidence.objects.filter(assessment=assessment, removed_at__isnull=True).order_by("id"):
        row = rows.get(evidence.indicator_id) if evidence.indicator_id is not None else None
        if row is not None:
            row.evidence.append(evidence)
        else:
            general.append(evidence)
    vetoes = {veto.pk: VetoRow(veto=veto) for veto in content.vetoes}
    for finding in VetoFinding.objects.filter(assessment=assessment):
        if finding.veto_item_id in vetoes:
            vetoes[finding.veto_item_id].findings[finding.level] = finding
    for row in rows.values():
        row.level_cells = [row.cells.get(level, LevelCell(level=level)) for level in levels]
    for veto_row in vetoes.values():
        veto_row.level_findings = [veto_row.findings.get(level) for level in levels]
    return ScoreSheet(
        levels=[str(level) for level in levels],
        level_labels=[str(ScoreLevel(level).label) for level in levels],
        rows=list(rows.values()),
        vetoes=list(vetoes.values()),
        general_evidence=general,
        totals=[getattr(assessment, LEVEL_TOTAL[level]) for level in levels],
    )


def assessment_timeline(assessment: Assessment) -> list[dict[str, Any]]:
    return [
        {
            "action": event.action,
            "label": str(ACTION_LABELS.get(event.action, ASSESSMENT_FLOW.action_label(event.action))),
            "state_label": ASSESSMENT_FLOW.state_label(event.to_state),
            "at": event.at,
            "who": event.actor_name,
            "note": event.note,
            "data": event.data,
        }
        for event in AssessmentEvent.objects.filter(subject=assessment).order_by("sequence")
    ]


def adjustments_of(assessment: Assessment) -> QuerySet[StarAdjustment]:
    return StarAdjustment.objects.filter(assessment=assessment).select_related("veto_item").order_by("adjusted_at")


def evidence_get(*, user: Any, assessment_pk: int, pk: int) -> Evidence:
    """A stored file of an assessment the user may see (404 otherwise, also for links and removed evidence)."""
    assessment = assessment_get(user=user, pk=assessment_pk)
    found = Evidence.objects.filter(assessment=assessment, pk=pk, removed_at__isnull=True).exclude(kind="link").first()
    if found is None:
        raise Http404
    return found


def evidence_list(assessment: Assessment) -> QuerySet[Evidence]:
    return Evidence.objects.filter(assessment=assessment, removed_at__isnull=True).select_related("indicator")


OBJECT_COLUMN: dict[str, str] = {
    TargetKind.ESTATE_PARTY.value: "party_organisation_id",
    TargetKind.SECRETARY.value: "worker_id",
    TargetKind.DEPARTMENT.value: "department_id",
}


def target_choices(*, user: Any, round_: Round) -> list[tuple[int, str]]:
    """What the user may add to the round one by one: objects of the round's kind in their units, not yet targets."""
    paths = list(user.scope_paths(Perm.MANAGE_ASSESSMENT)) if getattr(user, "is_authenticated", False) else []
    kind = round_.scheme_version.scheme.target_kind
    column = OBJECT_COLUMN.get(kind, "place_id")
    taken = set(Target.objects.filter(round=round_).values_list(column, flat=True))
    people = personal_paths(user)
    choices: list[tuple[int, str]] = []
    for candidate in target_candidates(kind=kind, paths=paths):
        pk = candidate.key[1]
        if pk in taken:
            continue
        label = candidate.name
        if candidate.worker is not None and not any(candidate.place.path.startswith(p) for p in people):
            label = mask_name(candidate.name)
        if candidate.worker is not None or candidate.party_organisation is not None:
            label = f"{label} · {candidate.place.name}"
        choices.append((pk, label))
    return choices
