"""The issue's worked example: a scheme with weights and a veto scores a built example to the figure worked out by
hand here (never copied from the code's output), then the edges of the arithmetic."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from gridwork.schemes.models import IndicatorMethod, SchemeVersion
from gridwork.schemes.scoring import Answer, ScoringError, answer_error, linear_score, score_version
from gridwork.schemes.tests.factories import draft, group, indicator, thresholds, veto

pytestmark = pytest.mark.django_db

MANUAL, CONDITION, COMPUTED = IndicatorMethod.MANUAL, IndicatorMethod.CONDITION, IndicatorMethod.COMPUTED


def _example(manager: Any) -> tuple[SchemeVersion, dict[str, Any]]:
    """Group A (weight 60): A1 by hand, max 10; A2 a condition, max 5; A3 the satisfaction rate, max 5, zero at 60 %,
    full at 90 %. Group B (weight 40): B1 by hand, max 20; B2 the staffing gap, max 10, full at 0, zero at 3 (less is
    better); B3 a condition, max 10. Stars from 60 / 70 / 80 / 85 / 90. One veto item."""
    version = draft(manager)
    a = group(manager, version, "A", "60")
    b = group(manager, version, "B", "40")
    items = {
        "A1": indicator(manager, version, a, "A1", "10", MANUAL, evidence_required=True),
        "A2": indicator(manager, version, a, "A2", "5", CONDITION),
        "A3": indicator(
            manager, version, a, "A3", "5", COMPUTED, source="satisfaction_rate", full_at="90", zero_at="60"
        ),
        "B1": indicator(manager, version, b, "B1", "20", MANUAL),
        "B2": indicator(manager, version, b, "B2", "10", COMPUTED, source="staffing_gap", full_at="0", zero_at="3"),
        "B3": indicator(manager, version, b, "B3", "10", CONDITION),
        "V1": veto(manager, version, "V1"),
    }
    thresholds(manager, version, s1="60", s2="70", s3="80", s4="85", s5="90")
    return version, items


def _answers(items: dict[str, Any], **values: Any) -> dict[int, Answer]:
    return {items[code].pk: Answer(value) for code, value in values.items()}


def test_a_scheme_with_weights_and_a_veto_scores_the_worked_example(manager: Any) -> None:
    version, items = _example(manager)
    answers = _answers(items, A1=Decimal(8), A2=True, A3=Decimal(78), B1=Decimal("13.5"), B2=Decimal(1), B3=False)
    result = score_version(version, answers, vetoes=[])
    # A1 8; A2 holds → 5; A3 78 % on 60→90: 5 × 18/30 = 3.00.                     A: 16 / 20 × 60 = 48.00
    # B1 13.5; B2 gap 1 on 3→0: 10 × (1 − 3)/(0 − 3) = 6.666… → 6.67; B3 0.      B: 20.17 / 40 × 40 = 20.17
    assert result.indicators == {
        items["A1"].pk: Decimal("8.00"),
        items["A2"].pk: Decimal(5),
        items["A3"].pk: Decimal("3.00"),
        items["B1"].pk: Decimal("13.50"),
        items["B2"].pk: Decimal("6.67"),
        items["B3"].pk: Decimal(0),
    }
    assert [(g.group.code, g.scored, g.maximum, g.contribution) for g in result.groups] == [
        ("A", Decimal(16), Decimal(20), Decimal("48.00")),
        ("B", Decimal("20.17"), Decimal(40), Decimal("20.17")),
    ]
    # total 48 + 20.17 = 68.17: at least 60, below 70 → one star
    assert result.total == Decimal("68.17")
    assert (result.stars, result.vetoed, result.missing) == (1, [], [])

    vetoed = score_version(version, answers, vetoes=[items["V1"].pk])
    # the same total, but a veto holds: no stars whatever the score, and the veto is named
    assert vetoed.total == Decimal("68.17")
    assert (vetoed.stars, vetoed.stars_before_veto, vetoed.vetoed) == (0, 1, [items["V1"]])


def test_full_marks_reach_the_top_level_and_a_missing_figure_is_listed_not_hidden(manager: Any) -> None:
    version, items = _example(manager)
    full = _answers(items, A1=Decimal(10), A2=True, A3=Decimal(95), B1=Decimal(20), B2=Decimal(0), B3=True)
    result = score_version(version, full)
    # A3 95 % is past full marks at 90 % → clamped to 5; everything full → 100, five stars
    assert (result.total, result.stars) == (Decimal("100.00"), 5)

    no_figure = dict(full)
    no_figure[items["A3"].pk] = Answer(None)  # no matter was rated in the period
    del no_figure[items["B1"].pk]  # not answered
    result = score_version(version, no_figure)
    # A: (10 + 5 + 0) / 20 × 60 = 45; B: (0 + 10 + 10) / 40 × 40 = 20 → 65, one star; both listed as missing
    assert result.total == Decimal("65.00")
    assert result.stars == 1
    assert [indicator.code for indicator in result.missing] == ["A3", "B1"]


def test_rounding_is_half_up_to_two_places(manager: Any) -> None:
    version = draft(manager)
    only = group(manager, version, "A", "100")
    item = indicator(manager, version, only, "A1", "5", COMPUTED, source="confirmed_members", full_at="8", zero_at="0")
    # 1 of 8 → 5 × 1/8 = 0.625 → 0.63 half up (banker's rounding would give 0.62); total 0.63 / 5 × 100 = 12.60
    result = score_version(version, {item.pk: Answer(Decimal(1))})
    assert result.indicators[item.pk] == Decimal("0.63")
    assert result.total == Decimal("12.60")
    assert result.stars == 0  # no thresholds reached (none set)


def test_linear_scale_in_both_directions() -> None:
    ten = Decimal(10)
    assert linear_score(Decimal(75), zero_at=Decimal(60), full_at=Decimal(90), max_score=ten) == Decimal(5)
    assert linear_score(Decimal(50), zero_at=Decimal(60), full_at=Decimal(90), max_score=ten) == 0
    assert linear_score(Decimal(2), zero_at=Decimal(4), full_at=Decimal(0), max_score=ten) == Decimal(5)
    assert linear_score(Decimal(7), zero_at=Decimal(4), full_at=Decimal(0), max_score=ten) == 0
    assert linear_score(Decimal(-1), zero_at=Decimal(4), full_at=Decimal(0), max_score=ten) == ten


def test_answers_that_do_not_fit_are_refused(manager: Any) -> None:
    version, items = _example(manager)
    with pytest.raises(ScoringError, match="A1"):
        score_version(version, _answers(items, A1=Decimal(11)))  # above the maximum of 10
    with pytest.raises(ScoringError, match="A1"):
        score_version(version, _answers(items, A1=Decimal(-1)))
    with pytest.raises(ScoringError, match="A2"):
        score_version(version, _answers(items, A2=Decimal(1)))  # a condition answers yes or no
    with pytest.raises(ScoringError):
        score_version(version, _answers(items, A1=True))  # a yes where a score is expected
    assert answer_error(items["A1"], Decimal(11)) == "A1: give a score from 0 to 10."
    assert answer_error(items["A1"], Decimal("9.5")) is None

    other = draft(manager, "别的方案")
    stray = indicator(manager, other, group(manager, other, "X", "100"), "X1", "10", MANUAL)
    with pytest.raises(ScoringError):
        score_version(version, {stray.pk: Answer(Decimal(1))})
    with pytest.raises(ScoringError):
        score_version(version, {}, vetoes=[veto(manager, other, "V9").pk])
