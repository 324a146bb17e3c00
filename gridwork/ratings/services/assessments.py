"""The review flow of one assessment: the target's self-assessment (saved, then submitted with the platform's
figures computed and kept), the street's review (return with a comment, or approve with its own scores), the city's
acceptance (its scores and the stars: by default those the score reaches; other stars only with a reason; none under a
veto), the optional higher review, and lowering the stars later on a recorded reason (动态调整).

Each level's answers are written as that level's ``Score`` and ``VetoFinding`` rows, beside the others; the level's
total goes on the assessment. Every step is an event of the assessment (``common.flows``), with a compare-and-set on
the version the page showed: a stale page or a second click is refused with ``StaleState`` and saves nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.common.flows import StaleState, flow_move
from gridwork.ratings.flows import (
    ASSESSMENT_FLOW,
    LOWER_ACTION,
    SAVE_ACTION,
    AssessmentAction,
    action_in,
)
from gridwork.ratings.models import (
    STARS_MAX,
    Assessment,
    AssessmentEvent,
    AssessmentState,
    Evidence,
    RoundState,
    Score,
    ScoreLevel,
    StarAdjustment,
    VetoFinding,
)
from gridwork.ratings.services.base import (
    MAX_COMMENT,
    MAX_REASON,
    fresh_assessment,
    may_accept,
    may_review,
    may_self_assess,
    now_or,
    refuse,
    require,
    signed_in,
    target_object,
    text,
)
from gridwork.schemes.models import Indicator, IndicatorMethod
from gridwork.schemes.scoring import (
    Answer,
    ScoreResult,
    ScoringError,
    VersionContent,
    answer_error,
    score_content,
    version_content,
)
from gridwork.schemes.sources import SOURCES, compute_figure

MAX_INDICATOR_NOTE = 500


def indicator_field(indicator_id: int) -> str:
    return f"ind_{indicator_id}"


def note_field(indicator_id: int) -> str:
    return f"note_{indicator_id}"


def veto_field(veto_id: int) -> str:
    return f"veto_{veto_id}"


def veto_reason_field(veto_id: int) -> str:
    return f"veto_reason_{veto_id}"


@dataclass(frozen=True)
class LevelInput:
    """One level's answers: per indicator id the score (manual, a Decimal) or whether it holds (condition, a bool),
    None when not answered; per indicator a note; the veto items that hold (id → reason); a comment on the whole.
    Computed indicators are never typed: their figures come from the platform."""

    answers: Mapping[int, Decimal | bool | None] = field(default_factory=dict)
    notes: Mapping[int, str] = field(default_factory=dict)
    vetoes: Mapping[int, str] = field(default_factory=dict)
    comment: str = ""


Figures = dict[int, tuple[Decimal | None, datetime | None]]


# --- reading what a level answered ----------------------------------------------------------------------------------


def content_of(assessment: Assessment) -> VersionContent:
    return version_content(assessment.target.round.scheme_version)


def level_input_of(assessment: Assessment, level: str, content: VersionContent) -> LevelInput:
    """What ``level`` answered (empty when it has not scored), to prefill the next level's form."""
    methods = {indicator.pk: indicator.method for indicator in content.indicators}
    answers: dict[int, Decimal | bool | None] = {}
    notes: dict[int, str] = {}
    for score in Score.objects.filter(assessment=assessment, level=level):
        method = methods.get(score.indicator_id)
        if method is None or method == IndicatorMethod.COMPUTED:
            continue
        if score.value is None:
            answers[score.indicator_id] = None
        elif method == IndicatorMethod.CONDITION:
            answers[score.indicator_id] = score.value > 0
        else:
            answers[score.indicator_id] = score.value
        if score.comment:
            notes[score.indicator_id] = score.comment
    vetoes = {
        finding.veto_item_id: finding.reason
        for finding in VetoFinding.objects.filter(assessment=assessment, level=level, holds=True)
    }
    return LevelInput(answers=answers, notes=notes, vetoes=vetoes)


def kept_figures(assessment: Assessment, content: VersionContent) -> Figures:
    """The computed indicators' figures as computed at submission (the self level's rows)."""
    computed = {indicator.pk for indicator in content.indicators if indicator.method == IndicatorMethod.COMPUTED}
    rows = Score.objects.filter(assessment=assessment, level=ScoreLevel.SELF, indicator_id__in=computed)
    return {row.indicator_id: (row.value, row.computed_at) for row in rows}


def compute_figures(assessment: Assessment, content: VersionContent, *, at: datetime) -> Figures:
    """The computed indicators' figures for the target over the round's period, from the schemes' sources."""
    round_ = assessment.target.round
    subject = target_object(assessment.target)
    figures: Figures = {}
    for indicator in content.indicators:
        if indicator.method != IndicatorMethod.COMPUTED:
            continue
        value: Decimal | None = None
        if indicator.source in SOURCES and subject is not None:
            value = compute_figure(indicator.source, subject, round_.period_start, round_.period_end)
        figures[indicator.pk] = (value, at)
    return figures


# --- checking and scoring a level -----------------------------------------------------------------------------------


def level_errors(content: VersionContent, values: LevelInput, *, complete: bool) -> dict[str, str]:
    """What is wrong with a level's answers, by form field. ``complete``: every indicator scored by hand or held as a
    condition must be answered (to submit, approve, accept)."""
    errors: dict[str, str] = {}
    by_id = {indicator.pk: indicator for indicator in content.indicators}
    veto_ids = {veto.pk for veto in content.vetoes}
    if set(values.answers) - set(by_id) or set(values.notes) - set(by_id) or set(values.vetoes) - veto_ids:
        errors["__all__"] = _("The answers do not fit the round's scheme. Reload the page.")
        return errors
    for indicator in content.indicators:
        if indicator.method == IndicatorMethod.COMPUTED:
            continue
        value = values.answers.get(indicator.pk)
        name = indicator_field(indicator.pk)
        if value is None:
            if complete:
                errors[name] = (
                    _("Say whether it holds.")
                    if indicator.method == IndicatorMethod.CONDITION
                    else _("Give a score from 0 to %(max)s.") % {"max": indicator.max_score}
                )
            continue
        problem = answer_error(indicator, value)
        if problem:
            errors[name] = problem
    for indicator_id, note in values.notes.items():
        if len(note.strip()) > MAX_INDICATOR_NOTE:
            errors[note_field(indicator_id)] = _("Keep it within %(max)d characters.") % {"max": MAX_INDICATOR_NOTE}
    for veto_id, reason in values.vetoes.items():
        if not reason.strip():
            errors[veto_reason_field(veto_id)] = _("Say why the veto holds: what happened, when, where it is recorded.")
        elif len(reason.strip()) > MAX_REASON:
            errors[veto_reason_field(veto_id)] = _("Keep it within %(max)d characters.") % {"max": MAX_REASON}
    text(values.comment, field="comment", required=None, limit=MAX_COMMENT, errors=errors)
    return errors


def score_level(content: VersionContent, values: LevelInput, figures: Figures) -> ScoreResult:
    answers: dict[int, Answer] = {}
    for indicator in content.indicators:
        if indicator.method == IndicatorMethod.COMPUTED:
            figure = figures.get(indicator.pk, (None, None))[0]
            answers[indicator.pk] = Answer(figure)
        else:
            answers[indicator.pk] = Answer(values.answers.get(indicator.pk))
    try:
        return score_content(content, answers, values.vetoes.keys())
    except ScoringError as error:
        raise refuse(str(error)) from error


def _stored_value(indicator: Indicator, value: Decimal | bool | None) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return Decimal(1) if value else Decimal(0)
    return value


def _write_level(
    assessment: Assessment,
    *,
    level: str,
    content: VersionContent,
    values: LevelInput,
    figures: Figures,
    result: ScoreResult,
    actor: Any,
    at: datetime,
) -> None:
    """Replace ``level``'s scores and veto findings with ``values`` (and the figures, for computed indicators)."""
    for indicator in content.indicators:
        computed_at: datetime | None = None
        if indicator.method == IndicatorMethod.COMPUTED:
            value, computed_at = figures.get(indicator.pk, (None, None))
        else:
            value = _stored_value(indicator, values.answers.get(indicator.pk))
        answered = value is not None
        Score.objects.update_or_create(
            assessment=assessment,
            indicator=indicator,
            level=level,
            defaults={
                "value": value,
                "points": result.indicators.get(indicator.pk) if answered else None,
                "comment": values.notes.get(indicator.pk, "").strip(),
                "computed_at": computed_at,
                "scored_by": actor,
                "scored_at": at,
            },
        )
    for veto in content.vetoes:
        reason = values.vetoes.get(veto.pk)
        VetoFinding.objects.update_or_create(
            assessment=assessment,
            veto_item=veto,
            level=level,
            defaults={
                "holds": reason is not None,
                "reason": (reason or "").strip(),
                "found_by": actor,
                "found_at": at,
            },
        )


def _level_changes(level: str, result: ScoreResult) -> dict[str, Any]:
    return {
        f"{level}_total": result.total,
        "total": result.total,
        "score_stars": result.stars,
        "vetoed": bool(result.vetoed),
    }


def _summary(result: ScoreResult) -> dict[str, Any]:
    return {
        "total": str(result.total),
        "score_stars": result.stars,
        "vetoes": [veto.code for veto in result.vetoed],
        "missing": [indicator.code for indicator in result.missing],
    }


# --- guards -----------------------------------------------------------------------------------------------------------


def _prepare(fresh: Assessment, action: str, expected_version: int | None) -> None:
    """Refuse a stale page (``StaleState``) or a move the table does not allow from the assessment's state
    (``MoveRefused``) before anything typed is checked. ``fresh`` was just read, and the actor's role checked on it."""
    if expected_version is not None and expected_version != fresh.version:
        raise StaleState
    ASSESSMENT_FLOW.target(fresh.state, action)


def _require_open(assessment: Assessment) -> None:
    if assessment.target.round.state != RoundState.OPEN:
        raise refuse(_("The round is closed: its assessments no longer move."))


def _require_self(actor: Any, assessment: Assessment) -> None:
    signed_in(actor)
    require(
        may_self_assess(actor, assessment.target),
        _("Only the staff of %(unit)s self-assess this target.") % {"unit": assessment.target.place.name},
    )


def _require_review(actor: Any, assessment: Assessment) -> None:
    signed_in(actor)
    require(may_review(actor, assessment.target), _("Only the street (or a unit above it) reviews this assessment."))


def _require_accept(actor: Any, assessment: Assessment) -> None:
    signed_in(actor)
    require(may_accept(actor, assessment.target), _("Only the city accepts assessments and sets stars."))


def _late(due: Any, when: datetime) -> bool:
    return bool(due and timezone.localdate(when) > due)


# --- the target's self-assessment -------------------------------------------------------------------------------------


def missing_evidence(assessment: Assessment, content: VersionContent) -> list[Indicator]:
    """Indicators that require evidence and have none attached (files or links, not removed)."""
    required = [indicator for indicator in content.indicators if indicator.evidence_required]
    if not required:
        return []
    having = set(
        Evidence.objects.filter(assessment=assessment, removed_at__isnull=True, indicator__isnull=False).values_list(
            "indicator_id", flat=True
        )
    )
    return [indicator for indicator in required if indicator.pk not in having]


def assessment_save(
    *,
    actor: Any,
    assessment: Assessment | int,
    values: LevelInput,
    expected_version: int | None,
    now: datetime | None = None,
) -> Assessment:
    """Save the self-assessment without submitting it (while drafting, or after a return); unanswered indicators may
    stay empty."""
    fresh = fresh_assessment(assessment)
    _require_self(actor, fresh)
    action = action_in(SAVE_ACTION, fresh.state, AssessmentAction.SAVE)
    _prepare(fresh, action, expected_version)
    _require_open(fresh)
    content = content_of(fresh)
    errors = level_errors(content, values, complete=False)
    if errors:
        raise ValidationError(errors)
    when = now_or(now)
    figures = kept_figures(fresh, content)
    result = score_level(content, values, figures)
    with transaction.atomic():
        flow_move(
            fresh,
            flow=ASSESSMENT_FLOW,
            action=action,
            actor=actor,
            note=values.comment.strip(),
            data=_summary(result),
            changes=_level_changes(ScoreLevel.SELF, result),
            expected_version=expected_version,
            at=when,
        )
        _write_level(
            fresh,
            level=ScoreLevel.SELF,
            content=content,
            values=values,
            figures=figures,
            result=result,
            actor=actor,
            at=when,
        )
    return fresh


def assessment_submit(
    *,
    actor: Any,
    assessment: Assessment | int,
    values: LevelInput,
    expected_version: int | None,
    now: datetime | None = None,
) -> Assessment:
    """社区自查 submitted (申报): every indicator answered, evidence attached where required; the platform's figures are
    computed now for the round's period and kept with the date."""
    fresh = fresh_assessment(assessment)
    _require_self(actor, fresh)
    _prepare(fresh, AssessmentAction.SUBMIT, expected_version)
    _require_open(fresh)
    content = content_of(fresh)
    errors = level_errors(content, values, complete=True)
    for indicator in missing_evidence(fresh, content):
        errors.setdefault(
            indicator_field(indicator.pk),
            _("%(indicator)s requires evidence: add a file or a link first.") % {"indicator": indicator.code},
        )
    if errors:
        raise ValidationError(errors)
    when = now_or(now)
    figures = compute_figures(fresh, content, at=when)
    result = score_level(content, values, figures)
    with transaction.atomic():
        flow_move(
            fresh,
            flow=ASSESSMENT_FLOW,
            action=AssessmentAction.SUBMIT,
            actor=actor,
            note=values.comment.strip(),
            data={**_summary(result), "late": _late(fresh.target.round.self_due, when)},
            changes={**_level_changes(ScoreLevel.SELF, result), "submitted_at": when},
            expected_version=expected_version,
            at=when,
        )
        _write_level(
            fresh,
            level=ScoreLevel.SELF,
            content=content,
            values=values,
            figures=figures,
            result=result,
            actor=actor,
            at=when,
        )
    return fresh


# --- the street's review ----------------------------------------------------------------------------------------------


def assessment_return(
    *,
    actor: Any,
    assessment: Assessment | int,
    comment: str,
    expected_version: int | None,
    now: datetime | None = None,
) -> Assessment:
    """街道退回: the street sends the self-assessment back with what to change; the target edits and resubmits."""
    fresh = fresh_assessment(assessment)
    _require_review(actor, fresh)
    return _commented_move(
        actor=actor,
        fresh=fresh,
        action=AssessmentAction.RETURN,
        comment=comment,
        required=_("Say what is to be changed or added before it is submitted again."),
        expected_version=expected_version,
        now=now,
        record_comment=True,
    )


def _commented_move(
    *,
    actor: Any,
    fresh: Assessment,
    action: str,
    comment: str,
    required: str,
    expected_version: int | None,
    now: datetime | None,
    record_comment: bool = False,
) -> Assessment:
    """A move back a step that must say why (``required``: the message when it does not); the comment is the
    event's note, and with ``record_comment`` also the assessment's ``return_comment``."""
    _prepare(fresh, action, expected_version)
    _require_open(fresh)
    errors: dict[str, str] = {}
    comment = text(comment, field="comment", required=required, limit=MAX_COMMENT, errors=errors)
    if errors:
        raise ValidationError(errors)
    flow_move(
        fresh,
        flow=ASSESSMENT_FLOW,
        action=action,
        actor=actor,
        note=comment,
        changes={"return_comment": comment} if record_comment else None,
        expected_version=expected_version,
        at=now_or(now),
    )
    return fresh


def _scored_move(
    *,
    actor: Any,
    fresh: Assessment,
    action: str,
    level: str,
    values: LevelInput,
    expected_version: int | None,
    when: datetime,
    extra_errors: Any = None,
    extra_changes: Any = None,
    extra_data: Any = None,
) -> ScoreResult:
    """A level's scored move (approve, accept, higher review): check complete answers, score with the figures kept at
    submission, and write the move and the level's rows in one transaction."""
    content = content_of(fresh)
    errors = level_errors(content, values, complete=True)
    figures = kept_figures(fresh, content)
    result = score_level(content, values, figures) if not errors else None
    changes: dict[str, Any] = {}
    data: dict[str, Any] = {}
    if result is not None:
        changes = _level_changes(level, result)
        data = _summary(result)
        if extra_errors is not None:
            errors.update(extra_errors(result))
    if errors:
        raise ValidationError(errors)
    assert result is not None
    if extra_changes is not None:
        changes.update(extra_changes(result))
    if extra_data is not None:
        data.update(extra_data(result))
    with transaction.atomic():
        flow_move(
            fresh,
            flow=ASSESSMENT_FLOW,
            action=action,
            actor=actor,
            note=values.comment.strip(),
            data=data,
            changes=changes,
            expected_version=expected_version,
            at=when,
        )
        _write_level(
            fresh, level=level, content=content, values=values, figures=figures, result=result, actor=actor, at=when
        )
    return result


def assessment_approve(
    *,
    actor: Any,
    assessment: Assessment | int,
    values: LevelInput,
    expected_version: int | None,
    now: datetime | None = None,
) -> Assessment:
    """街道初审通过: the street approves with its own scores (prefilled from the self-assessment) and sends it on to the
    city."""
    fresh = fresh_assessment(assessment)
    _require_review(actor, fresh)
    _prepare(fresh, AssessmentAction.APPROVE, expected_version)
    _require_open(fresh)
    when = now_or(now)
    _scored_move(
        actor=actor,
        fresh=fresh,
        action=AssessmentAction.APPROVE,
        level=ScoreLevel.STREET,
        values=values,
        expected_version=expected_version,
        when=when,
        extra_changes=lambda result: {"reviewed_at": when},
        extra_data=lambda result: {"late": _late(fresh.target.round.review_due, when)},
    )
    return fresh


def assessment_send_back(
    *,
    actor: Any,
    assessment: Assessment | int,
    comment: str,
    expected_version: int | None,
    now: datetime | None = None,
) -> Assessment:
    """The city sends a reviewed assessment back to the street's review, saying why."""
    fresh = fresh_assessment(assessment)
    _require_accept(actor, fresh)
    return _commented_move(
        actor=actor,
        fresh=fresh,
        action=AssessmentAction.SEND_BACK,
        comment=comment,
        required=_("Say what the street is to look at again."),
        expected_version=expected_version,
        now=now,
    )


# --- the city: acceptance, higher review, lowering stars --------------------------------------------------------------


def stars_errors(result: ScoreResult, stars: int | None, reason: str) -> dict[str, str]:
    """Stars other than the score's need a reason; under a veto there are none."""
    errors: dict[str, str] = {}
    chosen = result.stars if stars is None else stars
    if not 0 <= chosen <= STARS_MAX:
        errors["stars"] = _("Give 0 to 5 stars.")
    elif result.vetoed and chosen > 0:
        errors["stars"] = _("A veto holds (%(vetoes)s): the target gets no stars.") % {
            "vetoes": ", ".join(veto.name for veto in result.vetoed)
        }
    elif chosen != result.stars and not reason.strip():
        errors["reason"] = _("The score reaches %(stars)d stars: give the reason for setting %(chosen)d instead.") % {
            "stars": result.stars,
            "chosen": chosen,
        }
    if len(reason.strip()) > MAX_REASON:
        errors["reason"] = _("Keep it within %(max)d characters.") % {"max": MAX_REASON}
    return errors


def _starred(
    *,
    actor: Any,
    assessment: Assessment | int,
    action: str,
    level: str,
    stamp: str,
    values: LevelInput,
    stars: int | None,
    reason: str,
    expected_version: int | None,
    now: datetime | None,
) -> Assessment:
    fresh = fresh_assessment(assessment)
    _require_accept(actor, fresh)
    _prepare(fresh, action, expected_version)
    _require_open(fresh)
    when = now_or(now)

    def chosen(result: ScoreResult) -> int:
        return result.stars if stars is None else stars

    _scored_move(
        actor=actor,
        fresh=fresh,
        action=action,
        level=level,
        values=values,
        expected_version=expected_version,
        when=when,
        extra_errors=lambda result: stars_errors(result, stars, reason),
        extra_changes=lambda result: {"stars": chosen(result), "stars_reason": reason.strip(), stamp: when},
        extra_data=lambda result: {
            "stars": chosen(result),
            "overridden": chosen(result) != result.stars,
            "late": _late(fresh.target.round.accept_due, when),
        },
    )
    return fresh


def assessment_accept(
    *,
    actor: Any,
    assessment: Assessment | int,
    values: LevelInput,
    stars: int | None = None,
    reason: str = "",
    expected_version: int | None,
    now: datetime | None = None,
) -> Assessment:
    """市级验收定星: the city scores (prefilled from the street's review) and sets the stars — those the score reaches
    unless a reason is given. Only after the street's review (``MoveRefused`` before)."""
    return _starred(
        actor=actor,
        assessment=assessment,
        action=AssessmentAction.ACCEPT,
        level=ScoreLevel.CITY,
        stamp="accepted_at",
        values=values,
        stars=stars,
        reason=reason,
        expected_version=expected_version,
        now=now,
    )


def assessment_higher_review(
    *,
    actor: Any,
    assessment: Assessment | int,
    values: LevelInput,
    stars: int | None = None,
    reason: str = "",
    expected_version: int | None,
    now: datetime | None = None,
) -> Assessment:
    """上级复核: in a round with a higher review, the accepted assessment is scored once more and its stars confirmed
    or changed (with a reason)."""
    fresh = fresh_assessment(assessment)
    if not fresh.target.round.higher_review:
        _require_accept(actor, fresh)
        raise refuse(_("This round has no higher review."))
    return _starred(
        actor=actor,
        assessment=fresh,
        action=AssessmentAction.HIGHER_REVIEW,
        level=ScoreLevel.HIGHER,
        stamp="higher_reviewed_at",
        values=values,
        stars=stars,
        reason=reason,
        expected_version=expected_version,
        now=now,
    )


def assessment_lower_stars(
    *,
    actor: Any,
    assessment: Assessment | int,
    stars: int | None,
    reason: str,
    veto_item: int | None = None,
    expected_version: int | None,
    now: datetime | None = None,
) -> StarAdjustment:
    """动态调整: lower an accepted target's stars mid-period on a recorded reason. Citing a veto item (一票否决) takes
    all stars away. Stars are never raised this way (a new acceptance does that). Allowed in a closed round too."""
    fresh = fresh_assessment(assessment)
    _require_accept(actor, fresh)
    action = action_in(LOWER_ACTION, fresh.state, AssessmentAction.LOWER)
    _prepare(fresh, action, expected_version)
    current = fresh.stars or 0
    errors: dict[str, str] = {}
    reason = text(
        reason,
        field="reason",
        required=_("Give the reason: what happened, when, and where it is recorded."),
        limit=MAX_REASON,
        errors=errors,
    )
    veto = None
    if veto_item is not None:
        veto = content_of(fresh).version.vetoes.filter(pk=veto_item).first()
        if veto is None:
            errors["veto_item"] = _("Choose a veto item of the round's scheme.")
    if stars is None:
        stars = 0 if veto is not None else None
    if stars is None:
        errors["stars"] = _("Give the new number of stars.")
    elif current == 0:
        errors["stars"] = _("The target has no stars to lower.")
    elif not 0 <= stars < current:
        errors["stars"] = _("Give fewer stars than now (%(stars)d); stars are raised only by a new acceptance.") % {
            "stars": current
        }
    elif veto is not None and stars != 0:
        errors["stars"] = _("A veto takes all stars away: give 0.")
    if errors:
        raise ValidationError(errors)
    assert stars is not None
    when = now_or(now)
    with transaction.atomic():
        event = flow_move(
            fresh,
            flow=ASSESSMENT_FLOW,
            action=action,
            actor=actor,
            note=reason,
            data={"from": current, "to": stars, "veto": veto.code if veto is not None else ""},
            changes={"stars": stars, **({"vetoed": True} if veto is not None else {})},
            expected_version=expected_version,
            at=when,
        )
        assert isinstance(event, AssessmentEvent)
        return StarAdjustment.objects.create(
            assessment=fresh,
            event=event,
            from_stars=current,
            to_stars=stars,
            reason=reason,
            veto_item=veto,
            effective_on=timezone.localdate(when),
            adjusted_by=actor,
            adjusted_at=when,
        )


def allowed_moves(user: Any, assessment: Assessment) -> list[str]:
    """The pages' moves ``user`` may make on the assessment now: the flow table's, narrowed to the user's role."""
    target = assessment.target
    state = assessment.state
    open_round = target.round.state == RoundState.OPEN
    found: list[str] = []
    if open_round and state in SAVE_ACTION and may_self_assess(user, target):
        found.append("self")
    if open_round and state == AssessmentState.SUBMITTED and may_review(user, target):
        found.append("review")
    if may_accept(user, target):
        if open_round and state == AssessmentState.REVIEWED:
            found.append("accept")
        if open_round and state == AssessmentState.ACCEPTED and target.round.higher_review:
            found.append("higher")
        if state in LOWER_ACTION and (assessment.stars or 0) > 0:
            found.append("lower")
    return found
