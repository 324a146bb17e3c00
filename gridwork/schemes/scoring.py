"""Scoring a target on one scheme version: pure arithmetic over the version's indicators (read, never written).

- An indicator scores: manual — the score given (0..max_score); condition — max_score if it holds, else 0;
  computed — the figure placed linearly between ``zero_at`` (0) and ``full_at`` (max_score), clamped to the range,
  in either direction (a staffing gap scores full at 0 and zero at 3). Each indicator score is rounded to 2 places.
  An indicator without an answer (or whose figure had no data) scores 0 and is listed as missing.
- A group contributes weight × (Σ its indicator scores / Σ their maximum scores); the total (0–100) is the sum of
  the contributions, rounded to 2 places, half up.
- Stars: the highest level whose lowest total the total reaches; none (0) when a veto item holds, whatever the
  total.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from gridwork.schemes.models import (
    Indicator,
    IndicatorGroup,
    IndicatorMethod,
    SchemeVersion,
    StarThreshold,
    VetoItem,
)

CENT = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)


class ScoringError(ValueError):
    """An answer that does not fit its indicator, or an indicator or veto item of another version."""


@dataclass(frozen=True)
class Answer:
    """Manual: the score given (Decimal); condition: whether it holds (bool); computed: the figure (Decimal).
    None: not answered (or no data)."""

    value: Decimal | bool | None


@dataclass(frozen=True)
class GroupScore:
    group: IndicatorGroup
    scored: Decimal  # Σ indicator scores
    maximum: Decimal  # Σ maximum scores
    contribution: Decimal  # weight × scored / maximum, rounded to 2 places (the total is summed unrounded)


@dataclass(frozen=True)
class ScoreResult:
    total: Decimal
    groups: list[GroupScore]
    indicators: dict[int, Decimal]
    vetoed: list[VetoItem]
    stars: int
    missing: list[Indicator] = field(default_factory=list)
    stars_before_veto: int = 0  # what the total would earn if no veto held (shown beside a vetoed result)


@dataclass(frozen=True)
class VersionContent:
    """A version's groups with their indicators, its veto items and thresholds, read once."""

    version: SchemeVersion
    groups: list[tuple[IndicatorGroup, list[Indicator]]]
    vetoes: list[VetoItem]
    thresholds: list[StarThreshold]

    @property
    def indicators(self) -> list[Indicator]:
        return [indicator for _group, indicators in self.groups for indicator in indicators]


def version_content(version: SchemeVersion) -> VersionContent:
    groups = list(version.groups.order_by("order", "id").prefetch_related("indicators"))
    return VersionContent(
        version=version,
        groups=[(group, sorted(group.indicators.all(), key=lambda i: (i.order, i.pk))) for group in groups],
        vetoes=list(version.vetoes.order_by("order", "id")),
        thresholds=list(version.thresholds.order_by("stars")),
    )


def _decimal(value: object) -> Decimal:
    if isinstance(value, bool):
        raise ScoringError(_("A yes / no answer was given where a number is expected."))
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | float | str):
        try:
            result = Decimal(str(value))
        except InvalidOperation as error:
            raise ScoringError(_("%(value)s is not a number.") % {"value": value}) from error
    else:
        raise ScoringError(_("%(value)s is not a number.") % {"value": value})
    if not result.is_finite():
        raise ScoringError(_("%(value)s is not a number.") % {"value": value})
    return result


def plain(value: Decimal) -> str:
    """10.00 → "10", 2.50 → "2.5"."""
    return format(value.normalize(), "f")


def answer_error(indicator: Indicator, value: Decimal | bool | None) -> str | None:
    """Why ``value`` cannot answer ``indicator`` (a message for the form), or None when it can."""
    try:
        indicator_score(indicator, value)
    except ScoringError as error:
        return str(error)
    return None


def linear_score(figure: Decimal, *, zero_at: Decimal, full_at: Decimal, max_score: Decimal) -> Decimal:
    """``max_score`` at ``full_at``, 0 at ``zero_at``, linear between and clamped outside (either direction)."""
    if full_at == zero_at:
        return max_score if figure == full_at else ZERO
    share = (figure - zero_at) / (full_at - zero_at)
    share = min(max(share, ZERO), Decimal(1))
    return max_score * share


def indicator_score(indicator: Indicator, value: Decimal | bool | None) -> Decimal | None:
    """The indicator's score for the answer, rounded to 2 places; None when unanswered."""
    if value is None:
        return None
    match indicator.method:
        case IndicatorMethod.CONDITION:
            if not isinstance(value, bool):
                raise ScoringError(_("%(indicator)s: answer yes or no.") % {"indicator": indicator.code})
            return indicator.max_score if value else ZERO
        case IndicatorMethod.MANUAL:
            given = _decimal(value)
            if not ZERO <= given <= indicator.max_score:
                raise ScoringError(
                    _("%(indicator)s: give a score from 0 to %(max)s.")
                    % {"indicator": indicator.code, "max": plain(indicator.max_score)}
                )
            return given.quantize(CENT, rounding=ROUND_HALF_UP)
        case IndicatorMethod.COMPUTED:
            figure = _decimal(value)
            if indicator.full_at is None or indicator.zero_at is None:
                raise ScoringError(_("%(indicator)s: the scale is not set.") % {"indicator": indicator.code})
            score = linear_score(
                figure, zero_at=indicator.zero_at, full_at=indicator.full_at, max_score=indicator.max_score
            )
            return score.quantize(CENT, rounding=ROUND_HALF_UP)
    raise ScoringError(_("%(indicator)s: unknown method.") % {"indicator": indicator.code})


def stars_for(total: Decimal, thresholds: Iterable[StarThreshold]) -> int:
    """The highest level whose lowest total ``total`` reaches; 0 when it reaches none."""
    reached = [threshold.stars for threshold in thresholds if total >= threshold.min_score]
    return max(reached, default=0)


def score_content(content: VersionContent, answers: Mapping[int, Answer], vetoes: Iterable[int] = ()) -> ScoreResult:
    """``score_version`` on content already read (a league table scores many targets on one version)."""
    known = {indicator.pk for indicator in content.indicators}
    stray = set(answers) - known
    if stray:
        raise ScoringError(_("Answers were given for indicators of another version."))
    veto_by_id = {veto.pk: veto for veto in content.vetoes}
    holding = set(vetoes)
    if holding - set(veto_by_id):
        raise ScoringError(_("A veto item of another version was given."))

    scores: dict[int, Decimal] = {}
    missing: list[Indicator] = []
    groups: list[GroupScore] = []
    total = ZERO
    for group, indicators in content.groups:
        scored = ZERO
        maximum = ZERO
        for indicator in indicators:
            answer = answers.get(indicator.pk)
            score = indicator_score(indicator, answer.value if answer is not None else None)
            if score is None:
                missing.append(indicator)
                score = ZERO
            scores[indicator.pk] = score
            scored += score
            maximum += indicator.max_score
        contribution = group.weight * scored / maximum if maximum else ZERO
        total += contribution
        groups.append(
            GroupScore(
                group=group,
                scored=scored,
                maximum=maximum,
                contribution=contribution.quantize(CENT, rounding=ROUND_HALF_UP),
            )
        )
    total = total.quantize(CENT, rounding=ROUND_HALF_UP)
    vetoed = [veto for veto in content.vetoes if veto.pk in holding]
    earned = stars_for(total, content.thresholds)
    return ScoreResult(
        total=total,
        groups=groups,
        indicators=scores,
        vetoed=vetoed,
        stars=0 if vetoed else earned,
        missing=missing,
        stars_before_veto=earned,
    )


def score_version(version: SchemeVersion, answers: Mapping[int, Answer], vetoes: Iterable[int] = ()) -> ScoreResult:
    """The total, group contributions, indicator scores, vetoes holding, stars and missing indicators of a target
    answered by ``answers`` (indicator id → Answer) with the veto items ``vetoes`` (ids) holding."""
    return score_content(version_content(version), answers, vetoes)
