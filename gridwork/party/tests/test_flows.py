"""The tables of the registrations' moves (gridwork/party/flows.py): every move from every state."""

from __future__ import annotations

import pytest

from gridwork.common.flows import MoveRefused
from gridwork.party.flows import REGISTRATION_FLOW, UNIT_REGISTRATION_FLOW
from gridwork.party.models import RegistrationState

P, C, R, W, T = (
    RegistrationState.PENDING,
    RegistrationState.CONFIRMED,
    RegistrationState.REJECTED,
    RegistrationState.WITHDRAWN,
    RegistrationState.TRANSFERRED,
)

MEMBER_TABLE = {
    ("confirm", P): C,
    ("reject", P): R,
    ("withdraw", P): W,
    ("withdraw", C): W,
    ("transfer_out", C): T,
}
UNIT_TABLE = {("confirm", P): C, ("reject", P): R, ("withdraw", P): W, ("withdraw", C): W}


@pytest.mark.parametrize("state", list(RegistrationState))
@pytest.mark.parametrize("action", ["confirm", "reject", "withdraw", "transfer_out", "create", "reopen"])
def test_the_member_table_allows_exactly_its_moves(action: str, state: str) -> None:
    expected = MEMBER_TABLE.get((action, state))
    if expected is None:
        with pytest.raises(MoveRefused):
            REGISTRATION_FLOW.target(state, action)
    else:
        assert REGISTRATION_FLOW.target(state, action) == expected


@pytest.mark.parametrize("state", list(RegistrationState))
@pytest.mark.parametrize("action", ["confirm", "reject", "withdraw", "transfer_out"])
def test_the_unit_table_allows_exactly_its_moves_and_no_transfer(action: str, state: str) -> None:
    expected = UNIT_TABLE.get((action, state))
    if expected is None:
        with pytest.raises(MoveRefused):
            UNIT_REGISTRATION_FLOW.target(state, action)
    else:
        assert UNIT_REGISTRATION_FLOW.target(state, action) == expected


def test_both_start_pending_and_end_states_allow_nothing() -> None:
    assert REGISTRATION_FLOW.initial == UNIT_REGISTRATION_FLOW.initial == P
    for state in (R, W, T):
        assert REGISTRATION_FLOW.allowed(state) == []
        assert UNIT_REGISTRATION_FLOW.allowed(state) == []
    assert REGISTRATION_FLOW.allowed(C) == ["withdraw", "transfer_out"]


def test_a_refusal_names_the_move_and_the_state() -> None:
    with pytest.raises(MoveRefused) as refused:
        REGISTRATION_FLOW.target(R, "confirm")
    assert str(refused.value) == "“Confirm” is not possible while the registration is “Rejected”."
