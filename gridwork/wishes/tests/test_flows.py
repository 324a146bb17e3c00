"""The table of a wish's moves: every (state, action) pair is allowed exactly as the workflow says, and refused
otherwise with ``MoveRefused``."""

from __future__ import annotations

import itertools

import pytest

from gridwork.common.flows import MoveRefused
from gridwork.wishes.flows import WISH_FLOW, WishAction
from gridwork.wishes.models import WishState

S = WishState
EXPECTED: dict[tuple[str, str], str] = {
    (S.SUBMITTED, WishAction.PUBLISH): S.PUBLISHED,
    (S.SUBMITTED, WishAction.REJECT): S.REJECTED,
    (S.SUBMITTED, WishAction.CANCEL): S.CANCELLED,
    (S.PUBLISHED, WishAction.CLAIM): S.CLAIMED,
    (S.PUBLISHED, WishAction.CANCEL): S.CANCELLED,
    (S.CLAIMED, WishAction.RELEASE): S.PUBLISHED,
    (S.CLAIMED, WishAction.FULFIL): S.FULFILLED,
    (S.FULFILLED, WishAction.CONFIRM): S.CONFIRMED,
}
ACTIONS = [
    WishAction.PUBLISH,
    WishAction.REJECT,
    WishAction.CLAIM,
    WishAction.RELEASE,
    WishAction.FULFIL,
    WishAction.CONFIRM,
    WishAction.CANCEL,
]


def test_the_table_holds_exactly_these_actions() -> None:
    assert set(WISH_FLOW.moves) == set(ACTIONS)
    assert WISH_FLOW.initial == S.SUBMITTED


@pytest.mark.parametrize(("state", "action"), list(itertools.product(S.values, ACTIONS)))
def test_each_state_and_action(state: str, action: str) -> None:
    expected = EXPECTED.get((state, action))
    if expected is None:
        with pytest.raises(MoveRefused):
            WISH_FLOW.target(state, action)
    else:
        assert WISH_FLOW.target(state, action) == expected


@pytest.mark.parametrize("state", [S.REJECTED, S.CONFIRMED, S.CANCELLED])
def test_the_ends_allow_nothing(state: str) -> None:
    assert WISH_FLOW.allowed(state) == []


def test_a_claim_cannot_be_withdrawn_or_confirmed_before_it_is_fulfilled() -> None:
    assert WISH_FLOW.allowed(S.CLAIMED) == [WishAction.RELEASE, WishAction.FULFIL]
