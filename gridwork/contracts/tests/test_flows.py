"""A contract cannot skip a stage: the table refuses every move out of order, and a refused move saves nothing
(no state change, no event, no record). The table itself: stages only go forward (but for withdrawing a signature)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gridwork.common.flows import MoveRefused
from gridwork.contracts import services
from gridwork.contracts.flows import CONTRACT_FLOW, ContractAction
from gridwork.contracts.models import (
    STAGE_OF,
    Clause,
    ContractEvent,
    ContractParty,
    ContractStage,
    ContractState,
    Evaluation,
    Evidence,
    Performance,
)
from gridwork.contracts.tests.factories import (
    ContractWorld,
    clause_values,
    draft,
    evaluating,
    fresh,
    jpeg,
    published,
    signed,
)

pytestmark = pytest.mark.django_db

STAGE_ORDER = [
    ContractStage.NEGOTIATE,
    ContractStage.SIGN,
    ContractStage.PERFORM,
    ContractStage.EVALUATE,
    ContractStage.CLOSED,
]


def test_every_move_goes_forward_by_at_most_one_stage_except_withdrawing_a_signature() -> None:
    for action, move in CONTRACT_FLOW.moves.items():
        if move.target == ContractState.CANCELLED:
            assert move.sources <= {ContractState.NEGOTIATING, ContractState.SIGNING}, action
            continue
        for source in move.sources:
            before, after = STAGE_ORDER.index(STAGE_OF[source]), STAGE_ORDER.index(STAGE_OF[move.target])
            if action == ContractAction.REOPEN:
                assert after == before - 1
            else:
                assert 0 <= after - before <= 1, (action, source, move.target)


def test_publication_needs_both_signatures_and_performance_needs_publication() -> None:
    assert CONTRACT_FLOW.moves[ContractAction.PUBLISH].sources == {ContractState.SIGNED}
    assert CONTRACT_FLOW.moves[ContractAction.PERFORM].sources == {ContractState.PERFORMING}
    assert CONTRACT_FLOW.moves[ContractAction.EVALUATE].sources == {ContractState.EVALUATING}
    assert CONTRACT_FLOW.moves[ContractAction.START_EVALUATION].sources == {ContractState.PERFORMING}
    for state in ContractState.values:
        allowed = CONTRACT_FLOW.allowed(state)
        if state in (ContractState.CLOSED, ContractState.CANCELLED):
            assert allowed == []


def _publish(world: ContractWorld, contract: Any) -> Any:
    return services.contract_publish(actor=world.staff, contract=contract, expected_version=contract.version)


def _perform(world: ContractWorld, contract: Any) -> Any:
    clause = contract.clauses.get(position=1)
    return services.clause_perform(
        actor=world.unit_user,
        contract=contract,
        clause=clause,
        side=ContractParty.UNIT,
        performed_on=clause.due_on,
        note="已开展义诊",
        files=[jpeg()],
    )


def _start_evaluation(world: ContractWorld, contract: Any) -> Any:
    return services.contract_start_evaluation(
        actor=world.staff, contract=contract, reason="提前结束", expected_version=contract.version
    )


def _evaluate(world: ContractWorld, contract: Any) -> Any:
    return services.contract_evaluate(
        actor=world.staff,
        contract=contract,
        side=ContractParty.COMMUNITY,
        score=90,
        clause_scores={clause.pk: 90 for clause in contract.clauses.all()},
    )


def _add_clause(world: ContractWorld, contract: Any) -> Any:
    return services.clause_add(
        actor=world.staff,
        contract=contract,
        side=ContractParty.COMMUNITY,
        values=clause_values(),
        expected_version=contract.version,
    )


def _sign(world: ContractWorld, contract: Any) -> Any:
    return services.contract_sign(
        actor=world.staff, contract=contract, side=ContractParty.COMMUNITY, expected_version=contract.version
    )


def _unit_sign(world: ContractWorld, contract: Any) -> Any:
    return services.contract_sign(
        actor=world.unit_user, contract=contract, side=ContractParty.UNIT, expected_version=contract.version
    )


def _comment(world: ContractWorld, contract: Any) -> Any:
    return services.contract_comment(actor=world.unit_user, contract=contract, side=ContractParty.UNIT, note="再议")


def _signing(world: ContractWorld) -> Any:
    contract = draft(world)
    _sign(world, contract)
    return fresh(contract)


Builder = Callable[[ContractWorld], Any]
Step = Callable[[ContractWorld, Any], Any]

ILLEGAL: list[tuple[str, Builder, Step]] = [
    ("publish while negotiating", draft, _publish),
    ("publish with one signature", _signing, _publish),
    ("perform while negotiating", draft, _perform),
    ("perform signed but unpublished", signed, _perform),
    ("perform while evaluating", evaluating, _perform),
    ("start evaluation while negotiating", draft, _start_evaluation),
    ("start evaluation signed but unpublished", signed, _start_evaluation),
    ("evaluate while negotiating", draft, _evaluate),
    ("evaluate signed but unpublished", signed, _evaluate),
    ("evaluate while performing", published, _evaluate),
    ("add a clause after a signature", _signing, _add_clause),
    ("add a clause once published", published, _add_clause),
    ("sign once published", published, _unit_sign),
    ("sign again once signed", signed, _sign),
    ("comment once published", published, _comment),
]


@pytest.mark.parametrize(("name", "build", "step"), ILLEGAL, ids=[name for name, _b, _s in ILLEGAL])
def test_an_illegal_move_is_refused_and_saves_nothing(
    world: ContractWorld, name: str, build: Builder, step: Step
) -> None:
    contract = build(world)
    before = (contract.state, contract.version)
    counts = (
        ContractEvent.objects.count(),
        Clause.objects.count(),
        Performance.objects.count(),
        Evidence.objects.count(),
        Evaluation.objects.count(),
    )
    with pytest.raises(MoveRefused):
        step(world, contract)
    after = fresh(contract)
    assert (after.state, after.version) == before
    assert (
        ContractEvent.objects.count(),
        Clause.objects.count(),
        Performance.objects.count(),
        Evidence.objects.count(),
        Evaluation.objects.count(),
    ) == counts


def test_the_whole_way_in_order_closes_the_contract(world: ContractWorld) -> None:
    contract = evaluating(world)
    _evaluate(world, contract)
    services.contract_evaluate(
        actor=world.unit_user,
        contract=fresh(contract),
        side=ContractParty.UNIT,
        score=85,
        clause_scores={clause.pk: 80 for clause in contract.clauses.all()},
    )
    closed = fresh(contract)
    assert closed.state == ContractState.CLOSED
    assert closed.closed_at is not None
    actions = list(ContractEvent.objects.filter(subject=closed).order_by("sequence").values_list("action", flat=True))
    assert actions == [
        "create",
        "add_clause",
        "add_clause",
        "sign",
        "countersign",
        "publish",
        "start_evaluation",
        "evaluate",
        "evaluate",
        "close",
    ]
    assert closed.version == len(actions)
