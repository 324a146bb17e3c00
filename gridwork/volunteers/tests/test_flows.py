"""The table of an order's moves: every (state, action) pair, allowed or refused."""

from __future__ import annotations

import pytest

from gridwork.common.flows import MoveRefused
from gridwork.volunteers.flows import ORDER_FLOW, OrderAction
from gridwork.volunteers.models import OrderState

S = OrderState
A = OrderAction

EXPECTED: dict[tuple[str, str], str] = {
    (S.ORDERED, A.ISSUE): S.ISSUED,
    (S.ISSUED, A.ISSUE): S.ISSUED,
    (S.ORDERED, A.DECLINE): S.DECLINED,
    (S.ISSUED, A.TAKE): S.TAKEN,
    (S.TAKEN, A.GIVE_BACK): S.ISSUED,
    (S.TAKEN, A.COMPLETE): S.COMPLETED,
    (S.COMPLETED, A.RATE): S.RATED,
    (S.ORDERED, A.CANCEL): S.CANCELLED,
    (S.ISSUED, A.CANCEL): S.CANCELLED,
}
ACTIONS = [A.ISSUE, A.DECLINE, A.TAKE, A.GIVE_BACK, A.COMPLETE, A.RATE, A.CANCEL]


@pytest.mark.parametrize("state", OrderState.values)
@pytest.mark.parametrize("action", ACTIONS)
def test_the_table_allows_exactly_the_expected_moves(state: str, action: str) -> None:
    expected = EXPECTED.get((state, action))
    if expected is None:
        with pytest.raises(MoveRefused):
            ORDER_FLOW.target(state, action)
    else:
        assert ORDER_FLOW.target(state, action) == expected


def test_the_table_names_every_action_and_starts_at_ordered() -> None:
    assert ORDER_FLOW.initial == OrderState.ORDERED
    assert set(ORDER_FLOW.moves) == set(ACTIONS)


@pytest.mark.parametrize("state", [S.DECLINED, S.RATED, S.CANCELLED])
def test_declined_rated_and_cancelled_orders_are_final(state: str) -> None:
    assert ORDER_FLOW.allowed(state) == []


def test_a_taken_order_can_no_longer_be_cancelled_only_given_back_or_completed() -> None:
    assert ORDER_FLOW.allowed(S.TAKEN) == [A.GIVE_BACK, A.COMPLETE]
