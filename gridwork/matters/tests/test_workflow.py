"""The workflow table and its apply function, without a database."""

from __future__ import annotations

import pytest

from gridwork.matters.workflow import (
    TRANSITIONS,
    Action,
    ClosureReason,
    MatterKind,
    MatterState,
    Satisfaction,
    Snapshot,
    TransitionRefused,
    apply,
    replay,
)

FILED = [(Action.FILE, {"kind": MatterKind.PROFESSIONAL, "urgency": "normal", "category_id": None})]
DISPATCHED = [
    *FILED,
    (Action.DISPATCH, {"kind": MatterKind.PROFESSIONAL, "lead_department_id": 7, "co_units": [[3, None]]}),
]
IN_PROGRESS = [*DISPATCHED, (Action.ACCEPT, {})]
REPLIED = [*IN_PROGRESS, (Action.REPLY, {"text": "已修复"})]


def test_full_loop_ends_closed_and_resolved() -> None:
    snapshot = replay([*REPLIED, (Action.RATE, {"satisfaction": Satisfaction.SATISFIED}), (Action.VERIFY_CLOSE, {})])
    assert (snapshot.state, snapshot.closure_reason, snapshot.lead_department_id, snapshot.co_units) == (
        MatterState.CLOSED,
        ClosureReason.RESOLVED,
        7,
        ((3, None),),
    )


def test_not_satisfied_reopens_once_then_goes_to_verification() -> None:
    unsatisfied = (Action.RATE, {"satisfaction": Satisfaction.UNSATISFIED})
    once = replay([*REPLIED, unsatisfied])
    assert (once.state, once.reopen_count) == (MatterState.IN_PROGRESS, 1)
    twice = replay([*REPLIED, unsatisfied, (Action.REPLY, {"text": "再次处理"}), unsatisfied])
    assert (twice.state, twice.reopen_count) == (MatterState.TO_VERIFY, 1)


def test_return_counts_and_goes_back_to_the_dispatcher() -> None:
    snapshot = replay([*DISPATCHED, (Action.RETURN, {"reason": "不属于本单位"})])
    assert (snapshot.state, snapshot.return_count) == (MatterState.RETURNED, 1)
    overruled = apply(snapshot, Action.OVERRULE, {})
    assert overruled.state == MatterState.DISPATCHED
    assert overruled.lead_department_id == 7


@pytest.mark.parametrize(
    ("events", "action", "data", "code"),
    [
        (DISPATCHED, Action.REPLY, {"text": "x"}, "wrong_state"),  # replying to a matter not accepted
        (
            [*REPLIED, (Action.RATE, {"satisfaction": "satisfied"})],
            Action.RATE,
            {"satisfaction": "satisfied"},
            "wrong_state",
        ),
        (FILED, Action.DISPATCH, {"kind": "personal"}, "lead_unit"),
        (FILED, Action.DISPATCH, {"kind": "personal", "lead_place_id": 1, "lead_department_id": 2}, "lead_unit"),
        (IN_PROGRESS, Action.CLOSE_BY_AGREEMENT, {}, "not_personal"),
        (IN_PROGRESS, Action.DECIDE_EXTENSION, {"approved": True, "days": 3}, "not_pending"),
        (IN_PROGRESS, Action.REQUEST_EXTENSION, {"days": 0}, "days"),
        (FILED, Action.DISCARD, {"reason": "duplicate"}, "duplicate_of"),
        (FILED, "fly", {}, "unknown_action"),
    ],
)
def test_illegal_moves_are_refused_with_a_named_reason(events: list, action: str, data: dict, code: str) -> None:
    before = replay(events)
    with pytest.raises(TransitionRefused) as refused:
        apply(before, action, data)
    assert refused.value.code == code


def test_community_matter_needs_a_consultation_before_the_reply() -> None:
    community = [
        (Action.FILE, {"kind": MatterKind.COMMUNITY, "urgency": "normal"}),
        (Action.DISPATCH, {"kind": MatterKind.COMMUNITY, "lead_place_id": 5}),
        (Action.ACCEPT, {}),
    ]
    with pytest.raises(TransitionRefused) as refused:
        replay([*community, (Action.REPLY, {"text": "x"})])
    assert refused.value.code == "consultation_required"
    done = replay([*community, (Action.RECORD_CONSULTATION, {"decision": "同意"}), (Action.REPLY, {"text": "x"})])
    assert done.state == MatterState.REPLIED


def test_extension_request_and_decision() -> None:
    requested = replay([*IN_PROGRESS, (Action.REQUEST_EXTENSION, {"days": 5})])
    assert requested.extension_pending
    with pytest.raises(TransitionRefused):
        apply(requested, Action.REQUEST_EXTENSION, {"days": 2})
    approved = apply(requested, Action.DECIDE_EXTENSION, {"approved": True, "days": 5})
    refused = apply(requested, Action.DECIDE_EXTENSION, {"approved": False, "days": 5})
    assert (approved.extension_count, approved.extension_days, approved.extension_pending) == (1, 5, False)
    assert (refused.extension_count, refused.extension_days) == (0, 0)


def test_every_state_but_closed_has_a_way_out() -> None:
    reachable_sources = {state for move in TRANSITIONS.values() for state in move.sources}
    assert reachable_sources >= set(MatterState.values) - {MatterState.CLOSED}
    # A closed matter stays closed: the only move from it records how a hard matter's results were used (结果运用).
    assert {a for a, move in TRANSITIONS.items() if MatterState.CLOSED in move.sources} == {Action.USE_RESULTS}


def test_the_table_cannot_be_reassigned_at_run_time() -> None:
    with pytest.raises(TypeError):
        TRANSITIONS[Action.REPLY] = TRANSITIONS[Action.ACCEPT]  # type: ignore[index]
    assert Snapshot().state == ""
