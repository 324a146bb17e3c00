"""The table of an assessment's moves: the order of the review levels cannot be skipped."""

from __future__ import annotations

import pytest

from gridwork.common.flows import MoveRefused
from gridwork.ratings.flows import ASSESSMENT_FLOW, ROUND_FLOW, AssessmentAction, RoundAction
from gridwork.ratings.models import AssessmentState, RoundState


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (AssessmentState.DRAFT, AssessmentAction.ACCEPT),
        (AssessmentState.SUBMITTED, AssessmentAction.ACCEPT),
        (AssessmentState.RETURNED, AssessmentAction.ACCEPT),
        (AssessmentState.DRAFT, AssessmentAction.APPROVE),
        (AssessmentState.REVIEWED, AssessmentAction.HIGHER_REVIEW),
        (AssessmentState.SUBMITTED, AssessmentAction.SAVE),
        (AssessmentState.REVIEWED, AssessmentAction.ATTACH),
        (AssessmentState.REVIEWED, AssessmentAction.LOWER),
        (AssessmentState.HIGHER_REVIEWED, AssessmentAction.ACCEPT),
    ],
)
def test_steps_cannot_be_skipped(state: str, action: str) -> None:
    with pytest.raises(MoveRefused):
        ASSESSMENT_FLOW.target(state, action)


def test_the_path_through_the_levels() -> None:
    state = AssessmentState.DRAFT
    for action in (
        AssessmentAction.SUBMIT,
        AssessmentAction.RETURN,
        AssessmentAction.SUBMIT,
        AssessmentAction.APPROVE,
        AssessmentAction.SEND_BACK,
        AssessmentAction.APPROVE,
        AssessmentAction.ACCEPT,
        AssessmentAction.LOWER,
        AssessmentAction.HIGHER_REVIEW,
        AssessmentAction.LOWER_HIGHER,
    ):
        state = ASSESSMENT_FLOW.target(state, action)
    assert state == AssessmentState.HIGHER_REVIEWED


def test_a_closed_round_takes_no_targets() -> None:
    with pytest.raises(MoveRefused):
        ROUND_FLOW.target(RoundState.CLOSED, RoundAction.ADD_TARGETS)
